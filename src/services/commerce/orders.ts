import type { Payload, PayloadRequest } from 'payload'
import { randomCode } from '../../domain/codes'
import { multiplierFor, pointsEarned, pointsExpiry } from '../../domain/loyalty'
import { actorMayMove, checkTransition, fitsCredit, isOrderStatus, type OrderStatus, type TransitionActor } from '../../domain/orders'
import { commissionFor, priceOrder, type Discount } from '../../domain/pricing'
import { allowComputedWrites, dbFor, inTransaction, rows, sql, type Db } from '../../lib/db/sql'
import { badRequest, conflict, forbidden, notFound, PatronError } from '../../lib/errors'
import { postLedgerEntry } from '../loyalty/ledger'
import { loadRules } from '../loyalty/rules'
import { moveStock } from './inventory'
import { queueLowStockNotification } from './lowStock'
import { refundOrderPayments } from './payments'
import { lockReseller, moveResellerBalance } from './resellers'
import { loadCommerceSettings, type CommerceSettings } from './settings'
import { insertTransaction, moveTransactionStatus } from './transactions'

export type OrderRow = {
  id: number
  order_number: string
  source: string
  status: OrderStatus
  payment_status: string
  member_id: number | null
  reseller_id: number | null
  reseller_client_id: number | null
  subtotal: string
  discount_total: string
  total: string
  amount_paid: string
  amount_refunded: string
  currency: string
  tracking_number: string | null
}

export type OrderLineInput = { product: unknown; quantity: unknown }

/** Reads `[{product, quantity}]` from untrusted input: whole quantities, one line per product. */
export function parseOrderLines(items: unknown, maxQuantity = 10_000): Array<{ productId: number; quantity: number }> {
  if (!Array.isArray(items) || items.length === 0) throw badRequest('An order needs at least one item.', { field: 'items' })
  const merged = new Map<number, number>()
  for (const [i, item] of items.entries()) {
    const line = (item ?? {}) as OrderLineInput
    const raw = typeof line.product === 'object' && line.product !== null ? (line.product as { id?: unknown }).id : line.product
    const productId = Number(raw)
    const quantity = line.quantity
    if (!Number.isSafeInteger(productId) || productId <= 0) throw badRequest(`Item ${i + 1}: not a valid product.`, { field: `items.${i}.product` })
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > maxQuantity) {
      throw badRequest(`Item ${i + 1}: the quantity must be a whole number from 1 to ${maxQuantity}.`, { field: `items.${i}.quantity` })
    }
    merged.set(productId, (merged.get(productId) ?? 0) + quantity)
  }
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }))
}

type ProductRow = { id: number; title: string; sku: string; price: string; status: string; _status: string | null; stock_quantity: string }

/** Current price snapshot of orderable products (published and active), in input order. 400 names the first that is not. */
export async function snapshotLines(db: Db, lines: Array<{ productId: number; quantity: number }>) {
  const ids = lines.map((l) => l.productId)
  const found = await rows<ProductRow>(
    db,
    sql`select id, title, sku, price, status, _status, stock_quantity from products where id in ${sql`(${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )})`}`,
  )
  const byId = new Map(found.map((p) => [Number(p.id), p]))
  return lines.map((l) => {
    const p = byId.get(l.productId)
    if (!p || p._status !== 'published' || p.status !== 'active') throw badRequest(`Product ${l.productId} is not available.`, { field: 'items', productId: l.productId })
    return { productId: l.productId, quantity: l.quantity, title: p.title, sku: p.sku, unitPrice: Number(p.price), stock: Number(p.stock_quantity) }
  })
}

/** The discount of a member's pending voucher redemption, or a 4xx saying why it cannot be applied. */
async function redemptionDiscount(db: Db, redemptionId: number, memberId: number | null): Promise<Discount> {
  const [r] = await rows<{ member_id: number; status: string; expires_at: Date | null; discount_type: 'percentage' | 'fixed'; discount_value: string }>(
    db,
    sql`select r.member_id, r.status, r.expires_at, v.discount_type, v.discount_value
        from redemptions r join vouchers v on v.id = r.voucher_id where r.id = ${redemptionId}`,
  )
  if (!r || memberId === null || Number(r.member_id) !== Number(memberId)) throw badRequest("The redemption is not one of this member's.", { field: 'redemption' })
  if (r.status !== 'pending' || (r.expires_at && new Date(r.expires_at).getTime() <= Date.now())) {
    throw conflict('INVALID_TRANSITION', 'This redemption has already been used, cancelled or expired.', { field: 'redemption' })
  }
  return { type: r.discount_type, value: Number(r.discount_value) }
}

const idOf = (v: unknown): number | null => {
  const raw = typeof v === 'object' && v !== null ? (v as { id?: unknown }).id : v
  if (raw === null || raw === undefined || raw === '') return null
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n <= 0) throw badRequest('Not a valid id.')
  return n
}

/**
 * The server's version of a new order: lines snapshot from the products,
 * totals from the settings and the optional voucher, a generated number, and
 * the starting status. Whatever the client sent for those is replaced.
 * Refuses suspended resellers, clients of another reseller and unavailable products.
 */
export async function priceNewOrderData(payload: Payload, req: PayloadRequest, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const db = await dbFor(payload, req)
  const settings = await loadCommerceSettings(payload, req)
  const lines = await snapshotLines(db, parseOrderLines(data.items))
  const memberId = idOf(data.member)
  const resellerId = idOf(data.reseller)
  const clientId = idOf(data.resellerClient)
  if (resellerId) {
    const [r] = await rows<{ status: string }>(db, sql`select status from resellers where id = ${resellerId}`)
    if (!r) throw badRequest('Reseller not found.', { field: 'reseller' })
    if (r.status !== 'active') throw new PatronError('FORBIDDEN', `This reseller is ${r.status} and cannot order.`, 403)
  }
  if (clientId) {
    const [c] = await rows<{ reseller_id: number; status: string }>(db, sql`select reseller_id, status from reseller_clients where id = ${clientId}`)
    if (!c || !resellerId || Number(c.reseller_id) !== resellerId) throw badRequest("The client is not one of this reseller's.", { field: 'resellerClient' })
    if (c.status !== 'active') throw badRequest(`This client is ${c.status}.`, { field: 'resellerClient' })
  }
  if (memberId) {
    const [m] = await rows<{ status: string }>(db, sql`select status from members where id = ${memberId}`)
    if (!m) throw badRequest('Member not found.', { field: 'member' })
    if (m.status === 'blocked') throw new PatronError('MEMBER_INACTIVE', 'This member is blocked.', 403)
  }
  const redemptionId = idOf(data.redemption)
  const discount = redemptionId ? await redemptionDiscount(db, redemptionId, memberId) : null
  const totals = priceOrder(lines, settings, discount)
  const caller = req.user as { collection?: string } | null
  return {
    ...data,
    orderNumber: randomCode('ORD'),
    source: resellerId ? 'reseller' : caller?.collection === 'members' ? 'storefront' : (data.source === 'storefront' ? 'storefront' : 'admin'),
    status: 'pending',
    paymentStatus: 'pending',
    member: memberId,
    reseller: resellerId,
    resellerClient: clientId,
    redemption: redemptionId,
    items: lines.map((l, i) => ({ product: l.productId, quantity: l.quantity, title: l.title, sku: l.sku, unitPrice: l.unitPrice, lineTotal: totals.lineTotals[i] })),
    subtotal: totals.subtotal,
    discountTotal: totals.discountTotal,
    deliveryFee: totals.deliveryFee,
    serviceCharge: totals.serviceCharge,
    taxAmount: totals.taxAmount,
    total: totals.total,
    currency: settings.currency,
    amountPaid: 0,
    amountRefunded: 0,
    commissionAmount: 0,
    confirmedAt: null,
    dispatchedAt: null,
    deliveredAt: null,
    completedAt: null,
    cancelledAt: null,
  }
}

/**
 * After a new order is written (same transaction): its first history entry,
 * and the voucher redemption it applied marked used (only if still pending,
 * so one redemption discounts one order).
 */
export async function recordNewOrder(db: Db, order: { id: number; redemptionId: number | null; by: { staff?: number | null; member?: number | null } }) {
  await db.execute(sql`insert into order_status_changes (order_id, "from", "to", by_id, by_member_id, note)
    values (${order.id}, null, 'pending', ${order.by.staff ?? null}, ${order.by.member ?? null}, 'Order placed')`)
  if (order.redemptionId) {
    const used = await rows<{ id: number }>(
      db,
      sql`update redemptions set status = 'used', used_at = now(), updated_at = now() where id = ${order.redemptionId} and status = 'pending' returning id`,
    )
    if (!used.length) throw conflict('INVALID_TRANSITION', 'This redemption has already been used, cancelled or expired.', { field: 'redemption' })
  }
}

export type OrderActor =
  | { kind: 'staff'; id: number; role: string; reseller?: number | null }
  | { kind: 'member'; id: number }
  | { kind: 'system' }

export type TransitionInput = { orderId: number; to: string; actor: OrderActor; note?: string | null; trackingNumber?: string | null }

export type TransitionResult = { id: number; orderNumber: string; from: OrderStatus; status: OrderStatus; paymentStatus: string; trackingNumber: string | null }

type ItemRow = { product_id: number; quantity: string }

/**
 * Moves an order along the state machine (src/domain/orders.ts) and applies
 * the move's effects in one transaction: stock, reseller credit and a client's
 * monthly limit on confirm; points and commission on delivery; stock, credit
 * and refunds on cancel; plus the timestamp and a history entry. Used by the
 * API endpoint, the admin panel (through that endpoint) and jobs alike. The
 * order row is locked first, so concurrent moves of one order apply one at a
 * time; different orders contend only on the stock rows they share.
 */
export async function transitionOrder(payload: Payload, input: TransitionInput, req?: Partial<PayloadRequest>): Promise<TransitionResult> {
  if (!isOrderStatus(input.to)) throw badRequest('`status` must be one of pending, confirmed, dispatched, delivered, completed, cancelled.', { field: 'status' })
  const to = input.to
  const settings = await loadCommerceSettings(payload, req)
  const alerts: number[] = []
  const result = await inTransaction(payload, req, async (db) => {
    const [order] = await rows<OrderRow>(db, sql`select * from orders where id = ${input.orderId} for update`)
    if (!order) throw notFound('Order not found.')
    assertOwnsOrder(input.actor, order)
    const from = order.status
    const who: TransitionActor = input.actor.kind === 'staff' ? { kind: 'staff', role: input.actor.role } : input.actor
    if (!actorMayMove(who, from, to)) throw forbidden(`You may not move this order from ${from} to ${to}.`)
    const trackingNumber = input.trackingNumber?.trim() || order.tracking_number
    const check = checkTransition(from, to, { trackingNumber, isResellerOrder: order.reseller_id !== null, hasMember: order.member_id !== null })
    if (!check.ok) throw conflict('INVALID_TRANSITION', check.reason, { from, to })

    const staffId = input.actor.kind === 'staff' ? input.actor.id : null
    const items = await rows<ItemRow>(db, sql`select product_id, quantity from orders_items where _parent_id = ${order.id} order by product_id`)
    let commission: number | null = null
    for (const effect of check.effects) {
      switch (effect) {
        case 'take_stock':
        case 'return_stock':
          // Product rows in id order: two orders sharing products lock them in the same order (no deadlock).
          for (const item of items) {
            const moved = await moveStock(db, {
              productId: Number(item.product_id),
              delta: effect === 'take_stock' ? -Number(item.quantity) : Number(item.quantity),
              reason: effect === 'take_stock' ? 'order' : 'cancel',
              orderRef: order.order_number,
              createdBy: staffId,
              defaultThreshold: settings.defaultReorderThreshold,
            })
            if (moved.alertId) alerts.push(moved.alertId)
          }
          break
        case 'check_credit':
          await chargeResellerCredit(db, order, staffId)
          break
        case 'release_credit':
          await releaseResellerCredit(db, order)
          break
        case 'earn_points':
          await earnOrderPoints(payload, db, order, req)
          break
        case 'pay_commission':
          commission = await payCommission(db, order, staffId)
          break
        case 'refund_payments':
          await refundOrderPayments(payload, db, order.id, { reason: `Order ${order.order_number} cancelled`, createdBy: staffId })
          break
      }
    }
    const [updated] = await allowComputedWrites(db, () =>
      rows<OrderRow>(
        db,
        sql`update orders set status = ${to}, ${sql.identifier(snake(check.timestampField))} = now(),
              tracking_number = ${trackingNumber ?? null},
              commission_amount = coalesce(${commission}::numeric, commission_amount), updated_at = now()
            where id = ${order.id} returning *`,
      ),
    )
    await db.execute(sql`insert into order_status_changes (order_id, "from", "to", by_id, by_member_id, note)
      values (${order.id}, ${from}, ${to}, ${staffId}, ${input.actor.kind === 'member' ? input.actor.id : null}, ${input.note?.slice(0, 1000) || null})`)
    return {
      id: updated.id,
      orderNumber: updated.order_number,
      from,
      status: updated.status,
      paymentStatus: updated.payment_status,
      trackingNumber: updated.tracking_number,
    }
  })
  // After commit, so the job never runs before (or without) the alert it mails about.
  for (const id of alerts) await queueLowStockNotification(payload, id, req)
  return result
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

function assertOwnsOrder(actor: OrderActor, order: OrderRow) {
  if (actor.kind === 'member' && Number(order.member_id) !== actor.id) throw notFound('Order not found.')
  if (actor.kind === 'staff' && actor.role === 'reseller' && (!actor.reseller || Number(order.reseller_id) !== actor.reseller)) throw notFound('Order not found.')
}

/** Confirm, reseller orders: refuse past the credit limit (or the client's monthly limit), else charge the credit. */
async function chargeResellerCredit(db: Db, order: OrderRow, createdBy: number | null) {
  const reseller = await lockReseller(db, Number(order.reseller_id))
  if (reseller.status !== 'active') throw new PatronError('FORBIDDEN', `This reseller is ${reseller.status} and cannot order.`, 403)
  const total = Number(order.total)
  if (!fitsCredit(Number(reseller.current_balance), Number(reseller.credit_limit), total)) {
    throw conflict('CREDIT_LIMIT_EXCEEDED', 'This order would take the reseller past its credit limit.', {
      creditLimit: Number(reseller.credit_limit),
      currentBalance: Number(reseller.current_balance),
      orderTotal: total,
    })
  }
  if (order.reseller_client_id) {
    const [client] = await rows<{ monthly_limit: string | null }>(db, sql`select monthly_limit from reseller_clients where id = ${order.reseller_client_id} for update`)
    const usage = await clientUsageThisMonth(db, Number(order.reseller_client_id))
    if (client?.monthly_limit !== null && client?.monthly_limit !== undefined && usage + total > Number(client.monthly_limit)) {
      throw conflict('CREDIT_LIMIT_EXCEEDED', "This order would take the client past its monthly limit.", {
        monthlyLimit: Number(client.monthly_limit),
        currentUsage: usage,
        orderTotal: total,
      })
    }
    await setClientUsage(db, Number(order.reseller_client_id), usage + total)
  }
  await moveResellerBalance(db, reseller.id, total)
  await insertTransaction(db, {
    type: 'credit',
    status: 'completed',
    amount: total,
    currency: order.currency,
    orderId: order.id,
    resellerId: reseller.id,
    method: 'credit',
    reason: `Order ${order.order_number} on credit`,
    createdBy,
  })
}

/** Cancel after confirm, reseller orders: the credit charge is cancelled and no longer owed. */
async function releaseResellerCredit(db: Db, order: OrderRow) {
  await lockReseller(db, Number(order.reseller_id))
  const [credit] = await rows<{ id: number; amount: string }>(
    db,
    sql`select id, amount from transactions where order_id = ${order.id} and type = 'credit' and status = 'completed' for update`,
  )
  if (credit) {
    await moveTransactionStatus(db, credit.id, ['completed'], 'cancelled')
    await moveResellerBalance(db, Number(order.reseller_id), -Number(credit.amount))
  }
  if (order.reseller_client_id) {
    await rows(db, sql`select id from reseller_clients where id = ${order.reseller_client_id} for update`)
    // This order no longer counts (it is being cancelled in this transaction).
    await setClientUsage(db, Number(order.reseller_client_id), (await clientUsageThisMonth(db, Number(order.reseller_client_id))) - Number(order.total))
  }
}

/** Confirmed (not cancelled) order value of a client this calendar month (UTC). */
async function clientUsageThisMonth(db: Db, clientId: number): Promise<number> {
  const [r] = await rows<{ s: string }>(
    db,
    sql`select coalesce(sum(total), 0) as s from orders
        where reseller_client_id = ${clientId} and status in ('confirmed', 'dispatched', 'delivered', 'completed')
          and confirmed_at >= date_trunc('month', now())`,
  )
  return Number(r.s)
}

async function setClientUsage(db: Db, clientId: number, usage: number) {
  await allowComputedWrites(db, () =>
    db.execute(sql`update reseller_clients set current_usage = ${Math.max(0, usage)}, updated_at = now() where id = ${clientId}`),
  )
}

/** Delivery: the member earns points on the goods paid for (after discount), once per order. */
async function earnOrderPoints(payload: Payload, db: Db, order: OrderRow, req?: Partial<PayloadRequest>) {
  const rules = await loadRules(payload, req)
  const spend = Number(order.subtotal) - Number(order.discount_total)
  const [member] = await rows<{ tier: string | null }>(db, sql`select tier from members where id = ${order.member_id}`)
  if (!member) return
  const points = pointsEarned(spend, rules.pointsPerCurrencyUnit, multiplierFor(member.tier, rules.tiers))
  if (points <= 0) return
  await postLedgerEntry(db, rules, {
    memberId: Number(order.member_id),
    type: 'earn',
    points,
    reason: `Order ${order.order_number}`,
    spendAmount: spend,
    expiresAt: pointsExpiry(new Date(), rules.pointsExpiryDays),
    idempotencyKey: `order-earn:${order.id}`,
  })
}

/** Delivery, reseller orders: commission on the goods after discount, credited against what the reseller owes. */
async function payCommission(db: Db, order: OrderRow, createdBy: number | null): Promise<number> {
  const reseller = await lockReseller(db, Number(order.reseller_id))
  const amount = commissionFor(Number(order.subtotal) - Number(order.discount_total), Number(reseller.commission_rate))
  if (amount <= 0) return 0
  await insertTransaction(db, {
    type: 'commission',
    status: 'completed',
    amount,
    currency: order.currency,
    orderId: order.id,
    resellerId: reseller.id,
    method: 'credit',
    reason: `Commission on order ${order.order_number} (${Number(reseller.commission_rate)}%)`,
    createdBy,
  })
  await moveResellerBalance(db, reseller.id, -amount)
  return amount
}

export type { CommerceSettings }
