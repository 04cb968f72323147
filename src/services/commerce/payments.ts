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

/**
 * Starts a card payment for what is due on an order: a Stripe PaymentIntent
 * (reused while the amount due is unchanged, so a double click makes one) and
 * a pending payment transaction that the webhook completes.
 */
export async function createOrderPaymentIntent(payload: Payload, orderId: number): Promise<CheckoutResult> {
  const stripe = getStripe()
  return inTransaction(payload, undefined, async (db) => {
    const order = await lockOrder(db, orderId)
    if (order.status === 'cancelled') throw conflict('INVALID_TRANSITION', 'This order is cancelled.')
    const due = amountDue(order)
    if (due <= 0) throw conflict('CONFLICT', 'This order is already paid.')
    const [open] = await rows<{ gateway_transaction_id: string }>(
      db,
      sql`select gateway_transaction_id from transactions
          where order_id = ${order.id} and type = 'payment' and gateway = 'stripe' and status = 'pending' and amount = ${due}
          order by id desc limit 1`,
    )
    try {
      if (open) {
        const intent = await stripe.paymentIntents.retrieve(open.gateway_transaction_id)
        if (intent.status !== 'canceled' && intent.status !== 'succeeded' && intent.client_secret) {
          return { clientSecret: intent.client_secret, paymentIntentId: intent.id, amount: due, currency: order.currency }
        }
      }
      const [{ n }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from transactions where order_id = ${order.id} and gateway = 'stripe'`)
      const intent = await stripe.paymentIntents.create(
        {
          amount: due,
          currency: order.currency.toLowerCase(),
          description: `Order ${order.order_number}`,
          metadata: { orderId: String(order.id), orderNumber: order.order_number },
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: `order-${order.id}-pi-${n}-${due}` },
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
      if ((err as { type?: string }).type?.startsWith('Stripe')) throw stripeErrorToPatron(err)
      throw err
    }
  })
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

async function paymentTxFor(db: Db, intent: Stripe.PaymentIntent): Promise<TransactionRow | 'no-order'> {
  const [tx] = await rows<TransactionRow>(db, sql`select * from transactions where gateway_transaction_id = ${intent.id} for update`)
  if (tx) return tx
  // The checkout's own record may be missing (its response was lost): the PaymentIntent says which order it pays.
  const orderId = Number(intent.metadata?.orderId)
  if (!Number.isSafeInteger(orderId) || orderId <= 0) return 'no-order'
  const [o] = await rows<OrderMoneyRow>(db, sql`select * from orders where id = ${orderId}`)
  if (!o) return 'no-order'
  return insertTransaction(db, {
    type: 'payment',
    status: 'pending',
    amount: intent.amount,
    currency: o.currency,
    orderId: o.id,
    memberId: o.member_id,
    resellerId: o.reseller_id,
    method: 'card',
    gateway: 'stripe',
    gatewayTransactionId: intent.id,
  })
}

const summary = (intent: Stripe.PaymentIntent) => ({ id: intent.id, status: intent.status, amount: intent.amount, amount_received: intent.amount_received, latest_charge: intent.latest_charge })

async function paymentSucceeded(db: Db, intent: Stripe.PaymentIntent): Promise<string> {
  const tx = await paymentTxFor(db, intent)
  if (tx === 'no-order') return 'no matching order'
  const amount = intent.amount_received || intent.amount
  // A success may follow a failed attempt (the customer retried), never the other way round.
  const done = await moveTransactionStatus(db, tx.id, ['pending', 'failed', 'cancelled'], 'completed', { amount, gatewayResponse: summary(intent) })
  if (!done) return 'already completed'
  if (done.order_id) await applyPayment(db, await lockOrder(db, Number(done.order_id)), amount)
  return 'payment completed'
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
  const [tx] = await rows<TransactionRow>(db, sql`select * from transactions where gateway_transaction_id = ${refund.id} for update`)
  if (tx) {
    if (tx.status !== 'pending' || status === 'pending') return `ignored: refund already ${tx.status}`
    const moved = await moveTransactionStatus(db, tx.id, ['pending'], status)
    if (moved && status === 'completed') await applyRefund(db, moved.order_id, Number(moved.amount))
    return `refund ${status}`
  }
  // A refund made in Stripe's dashboard: record it against the payment it refunds.
  const intentId = typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id
  const [payment] = intentId ? await rows<TransactionRow>(db, sql`select * from transactions where gateway_transaction_id = ${intentId} for update`) : []
  if (!payment) return 'no matching payment'
  if (payment.order_id) await lockOrder(db, Number(payment.order_id))
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
        { idempotencyKey: `refund-${payment.id}-${already}-${amount}` },
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
    const [payment] = await rows<TransactionRow>(db, sql`select * from transactions where id = ${input.transactionId} for update`)
    if (!payment) throw notFound('Transaction not found.')
    if (payment.type !== 'payment' || payment.status !== 'completed') throw conflict('INVALID_TRANSITION', 'Only a completed payment can be refunded.')
    if (payment.order_id) await lockOrder(db, Number(payment.order_id))
    const left = await refundable(db, payment)
    const amount = input.amount ?? left
    if (left <= 0) throw conflict('CONFLICT', 'This payment has already been refunded in full.')
    if (amount > left) throw badRequest(`At most ${left} can still be refunded on this payment.`, { field: 'amount', refundable: left })
    return refundPaymentIn(db, payment, amount, input.reason.trim(), input.createdBy)
  })
}

/** Cancel: refunds whatever is left of each completed payment of the order (inside the cancel's transaction). */
export async function refundOrderPayments(_payload: Payload, db: Db, orderId: number, opts: { reason: string; createdBy: number | null }): Promise<number> {
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
  // A card payment still pending would be captured after the cancel: cancel it in Stripe too.
  const pending = await rows<TransactionRow>(
    db,
    sql`select * from transactions where order_id = ${orderId} and type = 'payment' and status = 'pending' and gateway = 'stripe' for update`,
  )
  for (const p of pending) {
    try {
      await getStripe().paymentIntents.cancel(p.gateway_transaction_id!)
      await moveTransactionStatus(db, p.id, ['pending'], 'cancelled')
    } catch (err) {
      throw stripeErrorToPatron(err)
    }
  }
  return refunded
}
