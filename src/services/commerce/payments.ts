import type { Payload } from 'payload'
import type Stripe from 'stripe'
import { inTransaction, rows, sql, type Db } from '../../lib/db/sql'
import { badRequest, conflict, notFound } from '../../lib/errors'
import { getStripe, stripeErrorToPatron } from '../../lib/stripe'
import { moveOrderMoney } from './orderMoney'
import { moveResellerBalance } from './resellers'
import { insertTransaction, moveTransactionStatus, type TransactionRow } from './transactions'

type OrderMoneyRow = {
  id: number
  order_number: string
  status: string
  member_id: number | null
  reseller_id: number | null
  total: string
  amount_paid: string
  amount_refunded: string
  currency: string
}

async function lockOrder(db: Db, orderId: number): Promise<OrderMoneyRow> {
  const [o] = await rows<OrderMoneyRow>(
    db,
    sql`select id, order_number, status, member_id, reseller_id, total, amount_paid, amount_refunded, currency from orders where id = ${orderId} for update`,
  )
  if (!o) throw notFound('Order not found.')
  return o
}

/** What is still to pay on an order (minor units). */
const amountDue = (o: OrderMoneyRow) => Number(o.total) - Number(o.amount_paid)

/** A completed payment counts against the order (and, for reseller orders, against what the reseller owes). */
async function applyPayment(db: Db, order: OrderMoneyRow, amount: number) {
  await moveOrderMoney(db, order.id, { paid: amount })
  if (order.reseller_id) await moveResellerBalance(db, Number(order.reseller_id), -amount)
}

/** A completed refund gives money back: the order's refunded amount, and a reseller owes it again. */
async function applyRefund(db: Db, orderId: number | null, amount: number) {
  if (!orderId) return
  const [o] = await rows<{ reseller_id: number | null }>(db, sql`select reseller_id from orders where id = ${orderId}`)
  await moveOrderMoney(db, orderId, { refunded: amount })
  if (o?.reseller_id) await moveResellerBalance(db, Number(o.reseller_id), amount)
}

export type ManualPaymentInput = { orderId: number; amount: number; method: string; reason?: string | null; createdBy: number }

/** Records money received outside Stripe (bank transfer, cash…) against an order, up to what is due. */
export async function recordManualPayment(payload: Payload, input: ManualPaymentInput): Promise<TransactionRow> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw badRequest('`amount` must be a positive whole number of minor units.', { field: 'amount' })
  return inTransaction(payload, undefined, async (db) => {
    const order = await lockOrder(db, input.orderId)
    if (order.status === 'cancelled') throw conflict('INVALID_TRANSITION', 'A cancelled order takes no payments.')
    const due = amountDue(order)
    if (input.amount > due) throw badRequest(`Only ${due} is due on this order.`, { field: 'amount', due })
    const tx = await insertTransaction(db, {
      type: 'payment',
      status: 'completed',
      amount: input.amount,
      currency: order.currency,
      orderId: order.id,
      memberId: order.member_id,
      resellerId: order.reseller_id,
      method: input.method,
      gateway: 'manual',
      reason: input.reason ?? null,
      createdBy: input.createdBy,
    })
    await applyPayment(db, order, input.amount)
    return tx
  })
}

export type CheckoutResult = { clientSecret: string; paymentIntentId: string; amount: number; currency: string }

/** PaymentIntent states in which the customer can still pay (or is paying) it. */
const LIVE_INTENT = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing', 'requires_capture'])
/** Live states Stripe refuses to cancel: the payment is under way. */
const INTENT_IN_FLIGHT = new Set(['processing', 'requires_capture'])

const isStripeError = (err: unknown) => typeof (err as { type?: unknown })?.type === 'string' && (err as { type: string }).type.startsWith('Stripe')

/**
 * Starts a card payment for what is due on an order: a Stripe PaymentIntent
 * and a pending payment transaction that the webhook completes. An order has
 * at most one payable PaymentIntent: the open one is reused while it still
 * asks for the amount due (a double click, or a retry after a declined card,
 * makes none), one the customer already paid is recorded now (its webhook may
 * still be on the way) instead of being followed by a second, and one for an
 * outdated amount is cancelled in Stripe before the new one is made.
 */
export async function createOrderPaymentIntent(payload: Payload, orderId: number): Promise<CheckoutResult> {
  const stripe = getStripe()
  const result = await inTransaction(payload, undefined, async (db): Promise<CheckoutResult | 'paid'> => {
    let order = await lockOrder(db, orderId)
    if (order.status === 'cancelled') throw conflict('INVALID_TRANSITION', 'This order is cancelled.')
    if (amountDue(order) <= 0) throw conflict('CONFLICT', 'This order is already paid.')
    try {
      const open = await rows<TransactionRow>(
        db,
        sql`select * from transactions where order_id = ${order.id} and type = 'payment' and gateway = 'stripe' and status in ('pending', 'failed')
            order by id for update`,
      )
      const live: Array<{ tx: TransactionRow; intent: Stripe.PaymentIntent }> = []
      for (const tx of open) {
        const intent = await retrieveIntent(tx.gateway_transaction_id!)
        // Unknown to this Stripe account (the keys were changed): nobody can pay it here.
        if (!intent) await moveTransactionStatus(db, tx.id, ['pending', 'failed'], 'cancelled', { gatewayResponse: { error: 'resource_missing' } })
        else if (intent.status === 'succeeded') await completePayment(db, tx, intent)
        else if (LIVE_INTENT.has(intent.status)) live.push({ tx, intent })
        else await moveTransactionStatus(db, tx.id, ['pending', 'failed'], 'cancelled', { gatewayResponse: summary(intent) })
      }
      order = await lockOrder(db, order.id)
      const due = amountDue(order)
      // Paid meanwhile: answered with 409 after this transaction has recorded it.
      if (due <= 0) return 'paid'
      let reuse: Stripe.PaymentIntent | undefined
      for (const { tx, intent } of live) {
        if (!reuse && intent.amount === due && intent.client_secret) {
          reuse = intent
          continue
        }
        if (INTENT_IN_FLIGHT.has(intent.status)) throw conflict('CONFLICT', 'A card payment for this order is being processed; try again shortly.')
        await stripe.paymentIntents.cancel(intent.id)
        await moveTransactionStatus(db, tx.id, ['pending', 'failed'], 'cancelled')
      }
      if (reuse) return { clientSecret: reuse.client_secret!, paymentIntentId: reuse.id, amount: due, currency: order.currency }

      const [{ n }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from transactions where order_id = ${order.id} and gateway = 'stripe'`)
      const intent = await stripe.paymentIntents.create(
        {
          amount: due,
          currency: order.currency.toLowerCase(),
          description: `Order ${order.order_number}`,
          metadata: { orderId: String(order.id), orderNumber: order.order_number },
          automatic_payment_methods: { enabled: true },
        },
        // The order number, not only the database id: databases sharing a Stripe account (staging, CI, each developer's) reuse ids.
        { idempotencyKey: `order-${order.order_number}-pi-${n}-${due}` },
      )
      await insertTransaction(db, {
        type: 'payment',
        status: 'pending',
        amount: due,
        currency: order.currency,
        orderId: order.id,
        memberId: order.member_id,
        resellerId: order.reseller_id,
        method: 'card',
        gateway: 'stripe',
        gatewayTransactionId: intent.id,
      })
      return { clientSecret: intent.client_secret ?? '', paymentIntentId: intent.id, amount: due, currency: order.currency }
    } catch (err) {
      if (isStripeError(err)) throw stripeErrorToPatron(err)
      throw err
    }
  })
  if (result === 'paid') throw conflict('CONFLICT', 'This order is already paid.')
  return result
}

/** A PaymentIntent, or null when this Stripe account does not know it. */
async function retrieveIntent(id: string): Promise<Stripe.PaymentIntent | null> {
  try {
    return await getStripe().paymentIntents.retrieve(id)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'resource_missing') return null
    throw err
  }
}

export type StripeEventOutcome = { duplicate: boolean; outcome: string }

/**
 * Applies one Stripe event, once: the event id is stored in the same
 * transaction as its effects, so a redelivery finds it and changes nothing.
 * Each handler moves state only forward (pending → completed, never back), so
 * events arriving out of order end in the same place.
 */
export async function handleStripeEvent(payload: Payload, event: Stripe.Event): Promise<StripeEventOutcome> {
  return inTransaction(payload, undefined, async (db) => {
    const object = event.data.object as { id?: string }
    const inserted = await rows<{ id: number }>(
      db,
      sql`insert into stripe_events (event_id, type, object_id) values (${event.id}, ${event.type}, ${object.id ?? null})
          on conflict (event_id) do nothing returning id`,
    )
    if (!inserted.length) return { duplicate: true, outcome: 'already processed' }
    let outcome: string
    switch (event.type) {
      case 'payment_intent.succeeded':
        outcome = await paymentSucceeded(db, event.data.object as Stripe.PaymentIntent)
        break
      case 'payment_intent.payment_failed':
        outcome = await paymentFailed(db, event.data.object as Stripe.PaymentIntent, 'failed')
        break
      case 'payment_intent.canceled':
        outcome = await paymentFailed(db, event.data.object as Stripe.PaymentIntent, 'cancelled')
        break
      case 'refund.created':
      case 'refund.updated':
        outcome = await refundUpdated(db, event.data.object as Stripe.Refund)
        break
      default:
        outcome = 'ignored'
    }
    await db.execute(sql`update stripe_events set outcome = ${outcome} where event_id = ${event.id}`)
    return { duplicate: false, outcome }
  })
}

/**
 * The payment transaction of a PaymentIntent, locked, with its order locked
 * first: checkout, cancel and refunds lock an order before its transactions,
 * and so does every event handler, so two events for one PaymentIntent (or an
 * event and a cancel) apply one after the other instead of deadlocking or
 * both inserting a missing record.
 */
async function paymentTxFor(db: Db, intent: Stripe.PaymentIntent): Promise<TransactionRow | 'no-order'> {
  const [known] = await rows<{ order_id: number | null }>(db, sql`select order_id from transactions where gateway_transaction_id = ${intent.id}`)
  // The checkout's own record may be missing (its response was lost): the PaymentIntent says which order it pays.
  const orderId = known ? known.order_id : Number(intent.metadata?.orderId)
  const [order] =
    orderId && Number.isSafeInteger(Number(orderId)) && Number(orderId) > 0
      ? await rows<OrderMoneyRow>(db, sql`select * from orders where id = ${Number(orderId)} for update`)
      : []
  const [tx] = await rows<TransactionRow>(db, sql`select * from transactions where gateway_transaction_id = ${intent.id} for update`)
  if (tx) return tx
  if (!order) return 'no-order'
  return insertTransaction(db, {
    type: 'payment',
    status: 'pending',
    amount: intent.amount,
    currency: order.currency,
    orderId: order.id,
    memberId: order.member_id,
    resellerId: order.reseller_id,
    method: 'card',
    gateway: 'stripe',
    gatewayTransactionId: intent.id,
  })
}

const summary = (intent: Stripe.PaymentIntent) => ({ id: intent.id, status: intent.status, amount: intent.amount, amount_received: intent.amount_received, latest_charge: intent.latest_charge })

/**
 * Records a PaymentIntent Stripe reports paid (inside the caller's
 * transaction; a no-op when it already is). Money the order no longer takes
 * goes straight back: all of it when the order was cancelled meanwhile, the
 * part beyond its total when it had been paid already (a second PaymentIntent).
 */
async function completePayment(db: Db, tx: TransactionRow, intent: Stripe.PaymentIntent): Promise<boolean> {
  const amount = intent.amount_received || intent.amount
  const order = tx.order_id ? await lockOrder(db, Number(tx.order_id)) : null
  // A success may follow a failed attempt (the customer retried), never the other way round.
  const done = await moveTransactionStatus(db, tx.id, ['pending', 'failed', 'cancelled'], 'completed', { amount, gatewayResponse: summary(intent) })
  if (!done) return false
  if (!order) return true
  await applyPayment(db, order, amount)
  const excess = order.status === 'cancelled' ? amount : Math.min(amount, Math.max(0, Number(order.amount_paid) + amount - Number(order.total)))
  if (excess > 0) {
    const reason = order.status === 'cancelled' ? `Order ${order.order_number} was cancelled before this payment arrived` : `Order ${order.order_number} was already paid`
    await refundPaymentIn(db, done, excess, reason, null)
  }
  return true
}

async function paymentSucceeded(db: Db, intent: Stripe.PaymentIntent): Promise<string> {
  const tx = await paymentTxFor(db, intent)
  if (tx === 'no-order') return 'no matching order'
  return (await completePayment(db, tx, intent)) ? 'payment completed' : 'already completed'
}

async function paymentFailed(db: Db, intent: Stripe.PaymentIntent, to: 'failed' | 'cancelled'): Promise<string> {
  const tx = await paymentTxFor(db, intent)
  if (tx === 'no-order') return 'no matching order'
  // Only a pending payment can fail: a late failure event after the success changes nothing.
  const moved = await moveTransactionStatus(db, tx.id, ['pending'], to, { gatewayResponse: summary(intent) })
  if (!moved) return `ignored: payment already ${tx.status}`
  if (moved.order_id && to === 'failed') await moveOrderMoney(db, Number(moved.order_id), { lastAttemptFailed: true })
  return `payment ${to}`
}

async function refundUpdated(db: Db, refund: Stripe.Refund): Promise<string> {
  const status = refund.status === 'succeeded' ? 'completed' : refund.status === 'failed' ? 'failed' : refund.status === 'canceled' ? 'cancelled' : 'pending'
  const intentId = typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id
  // The order first (see paymentTxFor): a refund our API is making right now is then seen once it commits, not recorded twice.
  const [owner] = await rows<{ order_id: number | null }>(
    db,
    sql`select order_id from transactions where gateway_transaction_id in (${refund.id}, ${intentId ?? refund.id}) and order_id is not null limit 1`,
  )
  if (owner?.order_id) await lockOrder(db, Number(owner.order_id))
  const [tx] = await rows<TransactionRow>(db, sql`select * from transactions where gateway_transaction_id = ${refund.id} for update`)
  if (tx) {
    if (tx.status !== 'pending' || status === 'pending') return `ignored: refund already ${tx.status}`
    const moved = await moveTransactionStatus(db, tx.id, ['pending'], status)
    if (moved && status === 'completed') await applyRefund(db, moved.order_id, Number(moved.amount))
    return `refund ${status}`
  }
  // A refund made in Stripe's dashboard: record it against the payment it refunds.
  const [payment] = intentId
    ? await rows<TransactionRow>(db, sql`select * from transactions where gateway_transaction_id = ${intentId} and type = 'payment' for update`)
    : []
  if (!payment) return 'no matching payment'
  const created = await insertTransaction(db, {
    type: 'refund',
    status,
    amount: refund.amount,
    currency: payment.currency,
    orderId: payment.order_id,
    memberId: payment.member_id,
    resellerId: payment.reseller_id,
    method: payment.method,
    gateway: 'stripe',
    gatewayTransactionId: refund.id,
    refundOf: payment.id,
    reason: refund.reason ?? 'Refunded in Stripe',
  })
  if (status === 'completed') await applyRefund(db, created.order_id, refund.amount)
  return `refund recorded (${status})`
}

/** What is still refundable on a payment (minor units): its amount less refunds not failed or cancelled. */
async function refundable(db: Db, payment: TransactionRow): Promise<number> {
  const [r] = await rows<{ s: string }>(
    db,
    sql`select coalesce(sum(amount), 0) as s from transactions where refund_of_id = ${payment.id} and status in ('pending', 'completed')`,
  )
  return Number(payment.amount) - Number(r.s)
}

/**
 * Refunds `amount` of a completed payment inside the caller's transaction
 * (the payment row is locked, so two refunds cannot both take the last of
 * it): through Stripe for card payments, directly for manual ones.
 */
async function refundPaymentIn(db: Db, payment: TransactionRow, amount: number, reason: string, createdBy: number | null): Promise<TransactionRow> {
  let status: 'pending' | 'completed' = 'completed'
  let gatewayTransactionId: string | null = null
  let gatewayResponse: unknown
  if (payment.gateway === 'stripe') {
    const already = Number(payment.amount) - (await refundable(db, payment))
    try {
      const refund = await getStripe().refunds.create(
        { payment_intent: payment.gateway_transaction_id!, amount, metadata: { transactionId: payment.transaction_id } },
        // Same payment, same refunded-so-far, same amount: a retry after a lost response makes no second refund.
        // The generated transaction id, not the database id, so databases sharing a Stripe account never collide.
        { idempotencyKey: `refund-${payment.transaction_id}-${already}-${amount}` },
      )
      status = refund.status === 'succeeded' ? 'completed' : 'pending'
      gatewayTransactionId = refund.id
      gatewayResponse = { id: refund.id, status: refund.status, amount: refund.amount }
    } catch (err) {
      throw stripeErrorToPatron(err)
    }
  }
  const tx = await insertTransaction(db, {
    type: 'refund',
    status,
    amount,
    currency: payment.currency,
    orderId: payment.order_id,
    memberId: payment.member_id,
    resellerId: payment.reseller_id,
    method: payment.method,
    gateway: payment.gateway,
    gatewayTransactionId,
    gatewayResponse,
    refundOf: payment.id,
    reason,
    createdBy,
  })
  if (status === 'completed') await applyRefund(db, payment.order_id, amount)
  return tx
}

export type RefundInput = { transactionId: number; amount?: number | null; reason: string; createdBy: number }

/** `POST /api/transactions/:id/refund`: all of a completed payment, or part of it. */
export async function refundTransaction(payload: Payload, input: RefundInput): Promise<TransactionRow> {
  if (input.amount !== undefined && input.amount !== null && (!Number.isSafeInteger(input.amount) || input.amount <= 0)) {
    throw badRequest('`amount` must be a positive whole number of minor units.', { field: 'amount' })
  }
  if (!input.reason?.trim()) throw badRequest('`reason` is required.', { field: 'reason' })
  return inTransaction(payload, undefined, async (db) => {
    // The order first, then the payment: the same order as checkout, cancel and the webhook take (no deadlock).
    const [ref] = await rows<{ order_id: number | null }>(db, sql`select order_id from transactions where id = ${input.transactionId}`)
    if (!ref) throw notFound('Transaction not found.')
    if (ref.order_id) await lockOrder(db, Number(ref.order_id))
    const [payment] = await rows<TransactionRow>(db, sql`select * from transactions where id = ${input.transactionId} for update`)
    if (payment.type !== 'payment' || payment.status !== 'completed') throw conflict('INVALID_TRANSITION', 'Only a completed payment can be refunded.')
    const left = await refundable(db, payment)
    const amount = input.amount ?? left
    if (left <= 0) throw conflict('CONFLICT', 'This payment has already been refunded in full.')
    if (amount > left) throw badRequest(`At most ${left} can still be refunded on this payment.`, { field: 'amount', refundable: left })
    return refundPaymentIn(db, payment, amount, input.reason.trim(), input.createdBy)
  })
}

/**
 * Cancel (inside the cancel's transaction, the order locked): card payments
 * still open in Stripe are cancelled there, so they cannot be paid later; one
 * the customer has paid already (its webhook still on the way) is recorded
 * instead. Then whatever is left of each completed payment is refunded.
 */
export async function refundOrderPayments(_payload: Payload, db: Db, orderId: number, opts: { reason: string; createdBy: number | null }): Promise<number> {
  const open = await rows<TransactionRow>(
    db,
    sql`select * from transactions where order_id = ${orderId} and type = 'payment' and gateway = 'stripe' and status in ('pending', 'failed') order by id for update`,
  )
  for (const p of open) {
    try {
      const intent = await cancelIntent(p.gateway_transaction_id!)
      if (!intent) await moveTransactionStatus(db, p.id, ['pending', 'failed'], 'cancelled', { gatewayResponse: { error: 'resource_missing' } })
      else if (intent.status === 'succeeded') await completePayment(db, p, intent)
      else await moveTransactionStatus(db, p.id, ['pending', 'failed'], 'cancelled', { gatewayResponse: summary(intent) })
    } catch (err) {
      // Database errors pass unchanged (a deadlock is retried by inTransaction).
      if (isStripeError(err)) throw stripeErrorToPatron(err)
      throw err
    }
  }
  const payments = await rows<TransactionRow>(
    db,
    sql`select * from transactions where order_id = ${orderId} and type = 'payment' and status = 'completed' order by id for update`,
  )
  let refunded = 0
  for (const payment of payments) {
    const left = await refundable(db, payment)
    if (left <= 0) continue
    await refundPaymentIn(db, payment, left, opts.reason, opts.createdBy)
    refunded += left
  }
  return refunded
}

/**
 * Cancels a PaymentIntent; one Stripe will not cancel (already paid or
 * cancelled) comes back as it is, and null when this account does not know it.
 */
async function cancelIntent(id: string): Promise<Stripe.PaymentIntent | null> {
  const stripe = getStripe()
  try {
    return await stripe.paymentIntents.cancel(id)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (code === 'resource_missing') return null
    if (code !== 'payment_intent_unexpected_state') throw err
    const intent = await stripe.paymentIntents.retrieve(id)
    if (intent.status === 'succeeded' || intent.status === 'canceled') return intent
    // Processing: it cannot be stopped now; the cancel can be tried again once it settles.
    throw conflict('CONFLICT', 'A card payment for this order is being processed; try the cancel again shortly.')
  }
}
