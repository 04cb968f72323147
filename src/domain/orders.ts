/**
 * The order state machine (SPEC §2):
 * pending → confirmed → dispatched → delivered → completed; pending or confirmed → cancelled.
 * Pure: says whether a move is allowed and which side effects it carries; the
 * order service applies those effects in one transaction.
 */
export const ORDER_STATUSES = ['pending', 'confirmed', 'dispatched', 'delivered', 'completed', 'cancelled'] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'refunded', 'partially_refunded'] as const
export const ORDER_SOURCES = ['storefront', 'reseller', 'admin'] as const

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['dispatched', 'cancelled'],
  dispatched: ['delivered'],
  delivered: ['completed'],
  completed: [],
  cancelled: [],
}

export type OrderEffect =
  | 'take_stock' // confirm: decrement stock, refuse OUT_OF_STOCK
  | 'check_credit' // confirm (reseller orders): refuse CREDIT_LIMIT_EXCEEDED, add to the balance owed
  | 'earn_points' // deliver: loyalty points for the member
  | 'pay_commission' // deliver: commission for the reseller
  | 'return_stock' // cancel after confirm
  | 'release_credit' // cancel after confirm (reseller orders)
  | 'refund_payments' // cancel: refund what was paid

export type TransitionCheck =
  | { ok: true; effects: OrderEffect[]; timestampField: 'confirmedAt' | 'dispatchedAt' | 'deliveredAt' | 'completedAt' | 'cancelledAt' }
  | { ok: false; reason: string }

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value)
}

export function allowedNext(from: OrderStatus): readonly OrderStatus[] {
  return NEXT[from]
}

/** Checks a move and lists its effects. Anything not on the map is refused with a reason. */
export function checkTransition(
  from: OrderStatus,
  to: OrderStatus,
  ctx: { trackingNumber?: string | null; isResellerOrder?: boolean; hasMember?: boolean },
): TransitionCheck {
  if (!NEXT[from].includes(to)) {
    const allowed = NEXT[from].length ? NEXT[from].join(' or ') : 'nothing (final state)'
    return { ok: false, reason: `An order cannot go from ${from} to ${to}; from ${from} it can go to ${allowed}.` }
  }
  switch (to) {
    case 'confirmed':
      return { ok: true, effects: ctx.isResellerOrder ? ['take_stock', 'check_credit'] : ['take_stock'], timestampField: 'confirmedAt' }
    case 'dispatched':
      if (!ctx.trackingNumber || !ctx.trackingNumber.trim()) return { ok: false, reason: 'Dispatch needs a tracking number.' }
      return { ok: true, effects: [], timestampField: 'dispatchedAt' }
    case 'delivered': {
      const effects: OrderEffect[] = []
      if (ctx.hasMember) effects.push('earn_points')
      if (ctx.isResellerOrder) effects.push('pay_commission')
      return { ok: true, effects, timestampField: 'deliveredAt' }
    }
    case 'completed':
      return { ok: true, effects: [], timestampField: 'completedAt' }
    case 'cancelled': {
      const effects: OrderEffect[] = []
      if (from === 'confirmed') {
        effects.push('return_stock')
        if (ctx.isResellerOrder) effects.push('release_credit')
      }
      effects.push('refund_payments')
      return { ok: true, effects, timestampField: 'cancelledAt' }
    }
    default:
      return { ok: false, reason: `Unknown status ${to}.` }
  }
}

/** Who asks for a move. Ownership (a member's or reseller's own order) is checked by the service. */
export type TransitionActor = { kind: 'staff'; role: string } | { kind: 'member' } | { kind: 'system' }

/** Staff roles that run the order workflow end to end. */
export const ORDER_HANDLER_ROLES = ['super-admin', 'admin', 'moderator'] as const

/**
 * Which moves an actor may ask for: order handlers and the system any move
 * (the state machine still decides); a reseller login confirms or cancels its
 * own orders; a member cancels its own order while it is still pending.
 */
export function actorMayMove(actor: TransitionActor, from: OrderStatus, to: OrderStatus): boolean {
  if (actor.kind === 'system') return true
  if (actor.kind === 'member') return from === 'pending' && to === 'cancelled'
  if ((ORDER_HANDLER_ROLES as readonly string[]).includes(actor.role)) return true
  if (actor.role === 'reseller') return to === 'confirmed' || to === 'cancelled'
  return false
}

/**
 * Credit a reseller may still use: an order of `amount` fits when what it
 * owes afterwards stays within its limit (all in minor units).
 */
export function fitsCredit(currentBalance: number, creditLimit: number, amount: number): boolean {
  return currentBalance + amount <= creditLimit
}
