import type { Payload } from 'payload'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dbFor, rows, sql } from '../../src/lib/db/sql'
import { getStripe } from '../../src/lib/stripe'
import { createOrder, createProduct, createReseller, createResellerLogin, moveOrder, orderRow, resellerBalance, stockOf } from '../helpers/commerce'
import { getTestContext, type TestContext } from '../helpers/context'
import { startFakeStripe, type FakeStripe } from '../helpers/fakeStripe'
import { createMember, type MemberFixture } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

const SECRET = 'whsec_test'
const ENV_KEYS = ['STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_TOLERANCE_SECONDS'] as const
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]))

let ctx: TestContext
let payload: Payload
let fake: FakeStripe
let admin: StaffFixture
let moderator: StaffFixture

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  fake = await startFakeStripe()
  process.env.STRIPE_SECRET_KEY = 'sk_test_patron_payments'
  process.env.STRIPE_API_URL = fake.url
  process.env.STRIPE_WEBHOOK_SECRET = SECRET
  delete process.env.STRIPE_WEBHOOK_TOLERANCE_SECONDS
  admin = await createStaff(payload, ctx.api, 'admin')
  moderator = await createStaff(payload, ctx.api, 'moderator')
})

afterAll(async () => {
  await fake?.close()
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k]
    else process.env[k] = savedEnv[k]
  }
})

// A test that leaves "Stripe down" armed must not break the next one.
afterEach(() => fake.failNext(500, 0))

type TxRow = {
  id: number
  transaction_id: string
  type: string
  status: string
  amount: string
  currency: string
  gateway: string
  method: string | null
  gateway_transaction_id: string | null
  refund_of_id: number | null
  reseller_id: number | null
  member_id: number | null
  processed_at: Date | null
}

const db = () => dbFor(payload)

async function txsOf(orderId: number): Promise<TxRow[]> {
  return rows<TxRow>(await db(), sql`select * from transactions where order_id = ${orderId} order by id`)
}

/** [type, status, amount, gateway] per ledger entry of the order, oldest first. */
async function ledgerOf(orderId: number) {
  return (await txsOf(orderId)).map((t) => [t.type, t.status, Number(t.amount), t.gateway])
}

async function money(orderId: number) {
  const o = await orderRow(payload, orderId)
  return { status: o.status, paymentStatus: o.payment_status, paid: Number(o.amount_paid), refunded: Number(o.amount_refunded) }
}

async function eventRows(eventId: string) {
  return rows<{ event_id: string; type: string; object_id: string | null; outcome: string | null }>(
    await db(),
    sql`select event_id, type, object_id, outcome from stripe_events where event_id = ${eventId}`,
  )
}

const checkout = (orderId: number, token?: string) => rest(`${ctx.api}/orders/${orderId}/checkout`, { method: 'POST', token })
const refund = (txId: number, token: string | undefined, body: Record<string, unknown>) => rest(`${ctx.api}/transactions/${txId}/refund`, { method: 'POST', token, body })
const recordPayment = (orderId: number, body: Record<string, unknown>, token = admin.token) => rest(`${ctx.api}/orders/${orderId}/payments`, { method: 'POST', token, body })

/** POSTs a raw webhook body as Stripe does (no JSON re-encoding on our side). */
async function postWebhook(body: string, signature: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (signature !== null) headers['stripe-signature'] = signature
  const res = await fetch(`${ctx.api}/stripe/webhooks`, { method: 'POST', headers, body })
  const text = await res.text()
  let json: any = text
  try {
    json = JSON.parse(text)
  } catch {
    // keep the text
  }
  return { status: res.status, body: json }
}

/** Signs `event` with the configured secret (fresh timestamp) and delivers it. */
function deliver(event: any, opts: { secret?: string; timestamp?: number } = {}) {
  const { body, signature } = fake.sign(event, opts.secret ?? SECRET, opts.timestamp)
  return postWebhook(body, signature)
}

async function expectDelivered(event: any, duplicate = false) {
  const res = await deliver(event)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  expect(res.body).toMatchObject({ received: true, duplicate })
  return res.body as { received: true; duplicate: boolean; outcome: string }
}

/** A pending storefront order of `quantity` × a product at `price`, owned by a new member. */
async function memberOrder(price = 2500, quantity = 2) {
  const member = await createMember(payload)
  const product = await createProduct(payload, { price, stock: 100 })
  const order = await createOrder(payload, { items: [{ product: product.id, quantity }], member: member.id })
  expect(order.total).toBeGreaterThan(0)
  return { member, product, order }
}

/** Checks out an order as its member and returns the PaymentIntent id. */
async function startCheckout(orderId: number, member: MemberFixture): Promise<string> {
  const res = await checkout(orderId, member.token)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body.paymentIntentId as string
}

/** An order paid in full by card: checkout, the customer pays, Stripe's webhook arrives. */
async function cardPaidOrder(price = 2500, quantity = 2) {
  const setup = await memberOrder(price, quantity)
  const pi = await startCheckout(setup.order.id, setup.member)
  await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(pi)))
  const [payment] = await txsOf(setup.order.id)
  expect(payment).toMatchObject({ type: 'payment', status: 'completed', gateway: 'stripe', gateway_transaction_id: pi })
  expect(await money(setup.order.id)).toMatchObject({ paymentStatus: 'paid', paid: setup.order.total })
  return { ...setup, pi, payment }
}

const intentsFor = (orderId: number) => [...fake.paymentIntents.values()].filter((pi) => pi.metadata?.orderId === String(orderId))
const refundsFor = (pi: string) => [...fake.refunds.values()].filter((r) => r.payment_intent === pi)

describe('POST /api/orders/:id/checkout', () => {
  it('creates one PaymentIntent for the amount due and a pending stripe payment; a second call reuses it', async () => {
    const { member, order } = await memberOrder(2500, 2)
    const res = await checkout(order.id, member.token)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const { clientSecret, paymentIntentId, amount, currency } = res.body
    expect(paymentIntentId).toMatch(/^pi_/)
    expect(clientSecret).toMatch(new RegExp(`^${paymentIntentId}_secret_`))
    expect(amount).toBe(order.total)
    const row = await orderRow(payload, order.id)
    expect(currency).toBe(row.currency)

    const pi = fake.paymentIntents.get(paymentIntentId)
    expect(pi).toMatchObject({ amount: order.total, currency: String(row.currency).toLowerCase(), metadata: { orderId: String(order.id) }, status: 'requires_payment_method' })
    expect(Number.isInteger(pi.amount)).toBe(true)

    const txs = await txsOf(order.id)
    expect(txs).toHaveLength(1)
    expect(txs[0]).toMatchObject({ type: 'payment', status: 'pending', gateway: 'stripe', method: 'card', gateway_transaction_id: paymentIntentId, member_id: member.id })
    expect(Number(txs[0].amount)).toBe(order.total)
    expect(txs[0].transaction_id).toMatch(/^TX-[0-9A-Z]{10}$/)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'pending', paid: 0 })

    const again = await checkout(order.id, member.token)
    expect(again.status, JSON.stringify(again.body)).toBe(200)
    expect(again.body).toMatchObject({ paymentIntentId, clientSecret, amount: order.total })
    expect(intentsFor(order.id)).toHaveLength(1)
    expect(await txsOf(order.id)).toHaveLength(1)
  })

  it("answers 404 for someone else's order and 401 without a session, recording nothing", async () => {
    const { order } = await memberOrder()
    const other = await createMember(payload)
    const res = await checkout(order.id, other.token)
    expect(res.status).toBe(404)
    expect(res.body.errors[0].code).toBe('NOT_FOUND')
    expect((await checkout(order.id)).status).toBe(401)
    expect((await checkout(99_999_999, other.token)).status).toBe(404)
    expect(intentsFor(order.id)).toHaveLength(0)
    expect(await txsOf(order.id)).toHaveLength(0)
  })

  it('refuses a cancelled order and a fully paid one with 409', async () => {
    const member = await createMember(payload)
    const product = await createProduct(payload, { price: 1200 })
    const cancelled = await createOrder(payload, { items: [{ product: product.id, quantity: 1 }], member: member.id })
    await moveOrder(payload, cancelled.id, 'cancelled')
    const res = await checkout(cancelled.id, member.token)
    expect(res.status, JSON.stringify(res.body)).toBe(409)

    const paid = await createOrder(payload, { items: [{ product: product.id, quantity: 1 }], member: member.id })
    expect((await recordPayment(paid.id, { amount: paid.total, method: 'cash' })).status).toBe(201)
    const res2 = await checkout(paid.id, member.token)
    expect(res2.status, JSON.stringify(res2.body)).toBe(409)

    expect(intentsFor(cancelled.id)).toHaveLength(0)
    expect(intentsFor(paid.id)).toHaveLength(0)
    expect(await ledgerOf(cancelled.id)).toEqual([])
    expect(await ledgerOf(paid.id)).toEqual([['payment', 'completed', paid.total, 'manual']])
  })

  it('charges only what is still due after a part payment', async () => {
    const { member, order } = await memberOrder(3000, 1)
    expect((await recordPayment(order.id, { amount: 1000, method: 'bank_transfer' })).status).toBe(201)
    const res = await checkout(order.id, member.token)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.amount).toBe(order.total - 1000)
    expect(fake.paymentIntents.get(res.body.paymentIntentId).amount).toBe(order.total - 1000)
    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(res.body.paymentIntentId)))
    expect(await money(order.id)).toEqual({ status: 'pending', paymentStatus: 'paid', paid: order.total, refunded: 0 })
  })

  it('a second checkout after the customer paid, before the webhook, makes no second PaymentIntent', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const paidObject = fake.succeed(pi) // paid in the browser; Stripe's webhook is still on its way
    const again = await checkout(order.id, member.token)
    expect(again.status, JSON.stringify(again.body)).toBe(409)
    expect(intentsFor(order.id)).toHaveLength(1)
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
    // The webhook, arriving late, finds the payment already done.
    await expectDelivered(fake.event('payment_intent.succeeded', paidObject))
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })

  it('a checkout after a declined card reuses the same PaymentIntent', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    await expectDelivered(fake.event('payment_intent.payment_failed', fake.fail(pi)))
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'failed' })
    expect(await startCheckout(order.id, member)).toBe(pi)
    expect(intentsFor(order.id)).toHaveLength(1)
    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(pi)))
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })

  it('a checkout after the amount due changed cancels the stale PaymentIntent, so only one can be paid', async () => {
    const { member, order } = await memberOrder(3000, 1)
    const first = await startCheckout(order.id, member)
    expect((await recordPayment(order.id, { amount: 1000, method: 'cash' })).status).toBe(201)
    const second = await startCheckout(order.id, member)
    expect(second).not.toBe(first)
    expect(fake.paymentIntents.get(first).status).toBe('canceled')
    expect(fake.paymentIntents.get(second).amount).toBe(order.total - 1000)
    expect(await ledgerOf(order.id)).toEqual([
      ['payment', 'cancelled', order.total, 'stripe'],
      ['payment', 'completed', 1000, 'manual'],
      ['payment', 'pending', order.total - 1000, 'stripe'],
    ])
  })

  it('a PaymentIntent the Stripe account no longer knows (keys changed) is set aside, not a dead end', async () => {
    const { member, order } = await memberOrder()
    const lost = await startCheckout(order.id, member)
    fake.paymentIntents.delete(lost)
    const fresh = await startCheckout(order.id, member)
    expect(fresh).not.toBe(lost)
    expect((await txsOf(order.id)).map((t) => [t.status, t.gateway_transaction_id])).toEqual([
      ['cancelled', lost],
      ['pending', fresh],
    ])
    fake.paymentIntents.delete(fresh)
    await moveOrder(payload, order.id, 'cancelled')
    expect(await ledgerOf(order.id)).toEqual([
      ['payment', 'cancelled', order.total, 'stripe'],
      ['payment', 'cancelled', order.total, 'stripe'],
    ])
  })

  it("uses Stripe idempotency keys unique to the order, not just its database id (shared Stripe test accounts)", async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const create = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents' && (r.body.metadata as any)?.orderId === String(order.id))
    expect(create).toHaveLength(1)
    expect(create[0].idempotencyKey).toContain(order.orderNumber)
    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(pi)))
    const [payment] = await txsOf(order.id)
    expect((await refund(payment.id, admin.token, { amount: 100, reason: 'x' })).status).toBe(201)
    const refundCall = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.body.payment_intent === pi)
    expect(refundCall).toHaveLength(1)
    expect(refundCall[0].idempotencyKey).toContain(payment.transaction_id)
  })

  it('answers 503 and records nothing when Stripe is down', async () => {
    const { member, order } = await memberOrder()
    const before = fake.requests.length
    fake.failNext(500, 10)
    const res = await checkout(order.id, member.token)
    expect(res.status, JSON.stringify(res.body)).toBe(503)
    expect(res.body.errors[0].code).toBe('SERVICE_UNAVAILABLE')
    expect(fake.requests.length).toBeGreaterThan(before) // it did try
    expect(intentsFor(order.id)).toHaveLength(0)
    expect(await txsOf(order.id)).toHaveLength(0)

    // Back up: the next attempt works and makes exactly one PaymentIntent.
    fake.failNext(500, 0)
    await startCheckout(order.id, member)
    expect(intentsFor(order.id)).toHaveLength(1)
    expect(await txsOf(order.id)).toHaveLength(1)
  })

  it('answers 503 when STRIPE_SECRET_KEY is not set', async () => {
    const { member, order } = await memberOrder()
    const key = process.env.STRIPE_SECRET_KEY
    delete process.env.STRIPE_SECRET_KEY
    try {
      const res = await checkout(order.id, member.token)
      expect(res.status, JSON.stringify(res.body)).toBe(503)
      expect(res.body.errors[0].code).toBe('SERVICE_UNAVAILABLE')
    } finally {
      process.env.STRIPE_SECRET_KEY = key
    }
    expect(intentsFor(order.id)).toHaveLength(0)
    expect(await txsOf(order.id)).toHaveLength(0)
  })
})

describe('POST /api/stripe/webhooks', () => {
  it('completes the payment on payment_intent.succeeded, once; a redelivery answers 200 duplicate and changes nothing', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const event = fake.event('payment_intent.succeeded', fake.succeed(pi))

    const first = await expectDelivered(event)
    expect(first.outcome).toBe('payment completed')
    const txs = await txsOf(order.id)
    expect(txs).toHaveLength(1)
    expect(txs[0]).toMatchObject({ type: 'payment', status: 'completed', gateway_transaction_id: pi })
    expect(Number(txs[0].amount)).toBe(order.total)
    expect(txs[0].processed_at).not.toBeNull()
    expect(await money(order.id)).toEqual({ status: 'pending', paymentStatus: 'paid', paid: order.total, refunded: 0 })
    expect(await eventRows(event.id)).toEqual([{ event_id: event.id, type: 'payment_intent.succeeded', object_id: pi, outcome: 'payment completed' }])

    // Stripe redelivers (new signature timestamp, same event id).
    const second = await expectDelivered(event, true)
    expect(second.outcome).toBe('already processed')
    expect(await txsOf(order.id)).toEqual(txs)
    expect(await money(order.id)).toEqual({ status: 'pending', paymentStatus: 'paid', paid: order.total, refunded: 0 })
    expect(await eventRows(event.id)).toHaveLength(1)
  })

  it('processes an event delivered several times at once exactly once', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const event = fake.event('payment_intent.succeeded', fake.succeed(pi))
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver(event)))
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1)
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })

  it('refuses a bad or missing signature, a tampered or re-encoded body and a stale timestamp with 400, changing nothing', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const event = fake.event('payment_intent.succeeded', fake.succeed(pi))
    const { body, signature } = fake.sign(event, SECRET)
    const stale = fake.sign(event, SECRET, Math.floor(Date.now() / 1000) - 301)

    const attempts = [
      await deliver(event, { secret: 'whsec_someone_else' }),
      await postWebhook(body.replace(`"amount": ${order.total}`, '"amount": 1'), signature),
      await postWebhook(body.replace(event.id, `${event.id}x`), signature),
      await postWebhook(JSON.stringify(JSON.parse(body)), signature),
      await postWebhook(body, null),
      await postWebhook(body, ''),
      await postWebhook(body, 't=1,v1=deadbeef'),
      await postWebhook(stale.body, stale.signature),
    ]
    for (const res of attempts) {
      expect(res.status, JSON.stringify(res.body)).toBe(400)
      expect(res.body.errors[0]).toMatchObject({ message: 'Invalid Stripe signature.', code: 'VALIDATION_ERROR' })
    }
    expect(await eventRows(event.id)).toEqual([])
    expect(await eventRows(`${event.id}x`)).toEqual([])
    expect(await ledgerOf(order.id)).toEqual([['payment', 'pending', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'pending', paid: 0 })

    // A signature just inside the 300 s window is accepted, and this very event then applies.
    const recent = fake.sign(event, SECRET, Math.floor(Date.now() / 1000) - 200)
    const ok = await postWebhook(recent.body, recent.signature)
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })

  it('answers 503 without a signing secret, recording nothing', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const event = fake.event('payment_intent.succeeded', fake.succeed(pi))
    const { body, signature } = fake.sign(event, SECRET)
    delete process.env.STRIPE_WEBHOOK_SECRET
    try {
      const res = await postWebhook(body, signature)
      expect(res.status, JSON.stringify(res.body)).toBe(503)
    } finally {
      process.env.STRIPE_WEBHOOK_SECRET = SECRET
    }
    expect(await eventRows(event.id)).toEqual([])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'pending', paid: 0 })
  })

  it('answers 200 and changes nothing for events it does not handle or that match no order', async () => {
    const ignored = fake.event('customer.created', { id: 'cus_123', object: 'customer' })
    expect((await expectDelivered(ignored)).outcome).toBe('ignored')
    const stray = await getStripe().paymentIntents.create({ amount: 700, currency: 'usd', metadata: { orderId: '99999999' } })
    const before = (await rows<{ n: number }>(await db(), sql`select count(*)::int as n from transactions`))[0].n
    expect((await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(stray.id)))).outcome).toBe('no matching order')
    const noMeta = await getStripe().paymentIntents.create({ amount: 700, currency: 'usd' })
    expect((await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(noMeta.id)))).outcome).toBe('no matching order')
    const after = (await rows<{ n: number }>(await db(), sql`select count(*)::int as n from transactions where gateway_transaction_id in (${stray.id}, ${noMeta.id})`))[0].n
    expect(after).toBe(0)
    expect(before).toBeGreaterThan(0)
  })
})

describe('payment events out of order', () => {
  it('a payment_failed arriving after the success leaves the order paid', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    // The customer's first card was declined, the second went through; Stripe delivers the failure last.
    const failed = fake.event('payment_intent.payment_failed', fake.fail(pi))
    const succeeded = fake.event('payment_intent.succeeded', fake.succeed(pi))
    await expectDelivered(succeeded)
    const late = await expectDelivered(failed)
    expect(late.outcome).toMatch(/^ignored/)
    await expectDelivered(succeeded, true)
    await expectDelivered(failed, true)
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })

  it('a retried success after a failure completes the payment', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    await expectDelivered(fake.event('payment_intent.payment_failed', fake.fail(pi)))
    expect(await ledgerOf(order.id)).toEqual([['payment', 'failed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'failed', paid: 0 })

    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(pi)))
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })

  it("a success for a PaymentIntent whose checkout record is missing creates exactly one completed payment", async () => {
    const { member, order } = await memberOrder()
    const row = await orderRow(payload, order.id)
    // The checkout's response (and its database write) was lost: Stripe knows the intent, we do not.
    const intent = await getStripe().paymentIntents.create({ amount: order.total, currency: String(row.currency).toLowerCase(), metadata: { orderId: String(order.id) } })
    const failed = fake.event('payment_intent.payment_failed', fake.fail(intent.id))
    const succeeded = fake.event('payment_intent.succeeded', fake.succeed(intent.id))
    await expectDelivered(succeeded)
    await expectDelivered(succeeded, true)
    await expectDelivered(failed)
    const txs = await txsOf(order.id)
    expect(txs.map((t) => [t.type, t.status, Number(t.amount), t.gateway_transaction_id, t.member_id])).toEqual([['payment', 'completed', order.total, intent.id, member.id]])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
    // And the order is now paid: no second checkout.
    expect((await checkout(order.id, member.token)).status).toBe(409)
  })

  it('a failure then a success arriving at the same moment for an unknown PaymentIntent end in one completed payment', async () => {
    const { order } = await memberOrder()
    const row = await orderRow(payload, order.id)
    const intent = await getStripe().paymentIntents.create({ amount: order.total, currency: String(row.currency).toLowerCase(), metadata: { orderId: String(order.id) } })
    const failed = fake.event('payment_intent.payment_failed', fake.fail(intent.id))
    const succeeded = fake.event('payment_intent.succeeded', fake.succeed(intent.id))
    const results = await Promise.all([deliver(failed), deliver(succeeded), deliver(succeeded), deliver(failed)])
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })

  it('a payment arriving for an order cancelled meanwhile is refunded in full', async () => {
    const { order } = await memberOrder()
    await moveOrder(payload, order.id, 'cancelled')
    const row = await orderRow(payload, order.id)
    // A PaymentIntent the order never recorded (its checkout response was lost) is paid after the cancel.
    const intent = await getStripe().paymentIntents.create({ amount: order.total, currency: String(row.currency).toLowerCase(), metadata: { orderId: String(order.id) } })
    const event = fake.event('payment_intent.succeeded', fake.succeed(intent.id))
    await expectDelivered(event)
    await expectDelivered(event, true)
    expect(refundsFor(intent.id).map((r) => r.amount)).toEqual([order.total])
    const txs = await txsOf(order.id)
    expect(txs.map((t) => [t.type, t.status, Number(t.amount)])).toEqual([
      ['payment', 'completed', order.total],
      ['refund', 'completed', order.total],
    ])
    expect(txs[1].refund_of_id).toBe(txs[0].id)
    expect(await money(order.id)).toEqual({ status: 'cancelled', paymentStatus: 'refunded', paid: order.total, refunded: order.total })
  })

  it('a second PaymentIntent paid for an order already paid is refunded, and the order stays paid', async () => {
    const { member, order } = await memberOrder()
    const row = await orderRow(payload, order.id)
    const first = await startCheckout(order.id, member)
    const stray = await getStripe().paymentIntents.create({ amount: order.total, currency: String(row.currency).toLowerCase(), metadata: { orderId: String(order.id) } })
    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(first)))
    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(stray.id)))
    expect(refundsFor(first)).toHaveLength(0)
    expect(refundsFor(stray.id).map((r) => r.amount)).toEqual([order.total])
    expect(await ledgerOf(order.id)).toEqual([
      ['payment', 'completed', order.total, 'stripe'],
      ['payment', 'completed', order.total, 'stripe'],
      ['refund', 'completed', order.total, 'stripe'],
    ])
    expect(await money(order.id)).toEqual({ status: 'pending', paymentStatus: 'paid', paid: 2 * order.total, refunded: order.total })
  })

  it('a cancelled PaymentIntent marks its payment cancelled; an order can still be paid afterwards', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const canceled = await getStripe().paymentIntents.cancel(pi)
    await expectDelivered(fake.event('payment_intent.canceled', canceled))
    expect(await ledgerOf(order.id)).toEqual([['payment', 'cancelled', order.total, 'stripe']])
    const pi2 = await startCheckout(order.id, member)
    expect(pi2).not.toBe(pi)
    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(pi2)))
    expect(await ledgerOf(order.id)).toEqual([
      ['payment', 'cancelled', order.total, 'stripe'],
      ['payment', 'completed', order.total, 'stripe'],
    ])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', paid: order.total })
  })
})

describe('POST /api/transactions/:id/refund', () => {
  it('refunds part, then the rest, then refuses more; Stripe gets each refund', async () => {
    const { order, pi, payment } = await cardPaidOrder(2500, 2)
    const total = order.total

    const part = await refund(payment.id, admin.token, { amount: 1000, reason: 'one item damaged' })
    expect(part.status, JSON.stringify(part.body)).toBe(201)
    expect(part.body.transaction).toMatchObject({ type: 'refund', status: 'completed', amount: 1000, gateway: 'stripe', refundOf: payment.id, reason: 'one item damaged' })
    expect(part.body.transaction.transactionId).toMatch(/^TX-/)
    expect(refundsFor(pi).map((r) => [r.amount, r.status])).toEqual([[1000, 'succeeded']])
    expect(part.body.transaction.gatewayTransactionId).toBe(refundsFor(pi)[0].id)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'partially_refunded', paid: total, refunded: 1000 })

    const tooMuch = await refund(payment.id, admin.token, { amount: total - 1000 + 1, reason: 'too much' })
    expect(tooMuch.status, JSON.stringify(tooMuch.body)).toBe(400)
    expect(refundsFor(pi)).toHaveLength(1)

    const rest_ = await refund(payment.id, admin.token, { reason: 'customer returned the rest' })
    expect(rest_.status, JSON.stringify(rest_.body)).toBe(201)
    expect(rest_.body.transaction).toMatchObject({ type: 'refund', status: 'completed', amount: total - 1000 })
    expect(refundsFor(pi).map((r) => r.amount)).toEqual([1000, total - 1000])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'refunded', paid: total, refunded: total })

    const more = await refund(payment.id, admin.token, { reason: 'again' })
    expect(more.status, JSON.stringify(more.body)).toBe(409)
    const more2 = await refund(payment.id, admin.token, { amount: 1, reason: 'again' })
    expect(more2.status).toBe(409)
    expect(refundsFor(pi)).toHaveLength(2)
    expect(await ledgerOf(order.id)).toEqual([
      ['payment', 'completed', total, 'stripe'],
      ['refund', 'completed', 1000, 'stripe'],
      ['refund', 'completed', total - 1000, 'stripe'],
    ])
    // Stripe's own refund events for refunds we made are recognised, not recorded twice.
    for (const r of refundsFor(pi)) await expectDelivered(fake.event('refund.updated', r))
    expect(await txsOf(order.id)).toHaveLength(3)
    expect(await money(order.id)).toMatchObject({ refunded: total })
  })

  it('refuses bad input with 400, and refunds of non-payments with 409 or 404', async () => {
    const { order, pi, payment } = await cardPaidOrder(1500, 1)
    for (const body of [{ amount: 0, reason: 'x' }, { amount: -5, reason: 'x' }, { amount: 1.5, reason: 'x' }, { amount: '100', reason: 'x' }, { amount: 100 }, { amount: 100, reason: '  ' }]) {
      const res = await refund(payment.id, admin.token, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    expect(refundsFor(pi)).toHaveLength(0)
    expect((await refund(99_999_999, admin.token, { reason: 'x' })).status).toBe(404)

    const r = await refund(payment.id, admin.token, { amount: 100, reason: 'goodwill' })
    expect(r.status).toBe(201)
    // A refund is not refundable, nor is a payment still pending.
    expect((await refund(r.body.transaction.id, admin.token, { reason: 'x' })).status).toBe(409)
    const other = await memberOrder()
    await startCheckout(other.order.id, other.member)
    const [pending] = await txsOf(other.order.id)
    expect((await refund(pending.id, admin.token, { reason: 'x' })).status).toBe(409)
    expect(refundsFor(pi)).toHaveLength(1)
    expect(await money(order.id)).toMatchObject({ refunded: 100 })
  })

  it('is for admins only: moderators and members get 403, anonymous 401, and nothing is refunded', async () => {
    const { order, member, pi, payment } = await cardPaidOrder(1500, 1)
    expect((await refund(payment.id, moderator.token, { reason: 'x' })).status).toBe(403)
    expect((await refund(payment.id, member.token, { reason: 'x' })).status).toBe(403)
    expect((await refund(payment.id, undefined, { reason: 'x' })).status).toBe(401)
    expect(refundsFor(pi)).toHaveLength(0)
    expect(await txsOf(order.id)).toHaveLength(1)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', refunded: 0 })
  })

  it('answers 503 and records nothing when Stripe is down', async () => {
    const { order, pi, payment } = await cardPaidOrder(1500, 1)
    fake.failNext(500, 10)
    const res = await refund(payment.id, admin.token, { amount: 500, reason: 'x' })
    expect(res.status, JSON.stringify(res.body)).toBe(503)
    fake.failNext(500, 0)
    expect(refundsFor(pi)).toHaveLength(0)
    expect(await txsOf(order.id)).toHaveLength(1)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'paid', refunded: 0 })
    // Back up: the retry refunds once.
    expect((await refund(payment.id, admin.token, { amount: 500, reason: 'x' })).status).toBe(201)
    expect(refundsFor(pi).map((r) => r.amount)).toEqual([500])
  })

  it('refunds a manual payment without calling Stripe', async () => {
    const { order } = await memberOrder(2000, 1)
    const paid = await recordPayment(order.id, { amount: order.total, method: 'cash', reason: 'paid at the counter' })
    expect(paid.status, JSON.stringify(paid.body)).toBe(201)
    expect(paid.body.transaction).toMatchObject({ type: 'payment', status: 'completed', gateway: 'manual', method: 'cash', amount: order.total })
    const calls = fake.requests.length

    const part = await refund(paid.body.transaction.id, admin.token, { amount: 300, reason: 'discount given late' })
    expect(part.status, JSON.stringify(part.body)).toBe(201)
    expect(part.body.transaction).toMatchObject({ type: 'refund', status: 'completed', gateway: 'manual', method: 'cash', amount: 300, refundOf: paid.body.transaction.id })
    expect(part.body.transaction.gatewayTransactionId ?? null).toBeNull()
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'partially_refunded', refunded: 300 })
    const restOf = await refund(paid.body.transaction.id, admin.token, { reason: 'order returned' })
    expect(restOf.status).toBe(201)
    expect(restOf.body.transaction.amount).toBe(order.total - 300)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'refunded', refunded: order.total })
    expect(fake.requests.length).toBe(calls)
  })

  it('records a refund made in Stripe (dashboard) once, from its webhook', async () => {
    const { order, pi, payment } = await cardPaidOrder(2500, 2)
    const dashboard = await getStripe().refunds.create({ payment_intent: pi, amount: 700 })
    const updated = fake.event('refund.updated', dashboard)
    const created = fake.event('refund.created', dashboard)
    await expectDelivered(updated)
    await expectDelivered(updated, true)
    await expectDelivered(created)
    const refunds = (await txsOf(order.id)).filter((t) => t.type === 'refund')
    expect(refunds.map((t) => [t.status, Number(t.amount), t.gateway_transaction_id, t.refund_of_id])).toEqual([['completed', 700, dashboard.id, payment.id]])
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'partially_refunded', paid: order.total, refunded: 700 })

    // What is left to refund counts the dashboard refund.
    expect((await refund(payment.id, admin.token, { amount: order.total - 700 + 1, reason: 'x' })).status).toBe(400)
    const restOf = await refund(payment.id, admin.token, { reason: 'rest' })
    expect(restOf.status, JSON.stringify(restOf.body)).toBe(201)
    expect(restOf.body.transaction.amount).toBe(order.total - 700)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'refunded', refunded: order.total })
  })
})

describe('cancel after payment', () => {
  it('refunds a card payment through Stripe and marks the order refunded', async () => {
    const { order, pi, payment } = await cardPaidOrder(2500, 2)
    const moved = await moveOrder(payload, order.id, 'cancelled')
    expect(moved).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
    expect(refundsFor(pi).map((r) => [r.amount, r.status])).toEqual([[order.total, 'succeeded']])
    const txs = await txsOf(order.id)
    expect(txs.map((t) => [t.type, t.status, Number(t.amount), t.gateway, t.refund_of_id])).toEqual([
      ['payment', 'completed', order.total, 'stripe', null],
      ['refund', 'completed', order.total, 'stripe', payment.id],
    ])
    expect(txs[1].gateway_transaction_id).toBe(refundsFor(pi)[0].id)
    expect(await money(order.id)).toEqual({ status: 'cancelled', paymentStatus: 'refunded', paid: order.total, refunded: order.total })
  })

  it('through the API on a confirmed order, refunding only what is left after a partial refund', async () => {
    const { order, product, pi, payment } = await cardPaidOrder(2500, 2)
    await moveOrder(payload, order.id, 'confirmed')
    const stock = await stockOf(payload, product.id)
    expect((await refund(payment.id, admin.token, { amount: 600, reason: 'late' })).status).toBe(201)
    const res = await rest(`${ctx.api}/orders/${order.id}/transition`, { method: 'POST', token: admin.token, body: { status: 'cancelled' } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.order).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded', amountRefunded: order.total })
    expect(refundsFor(pi).map((r) => r.amount)).toEqual([600, order.total - 600])
    expect(await stockOf(payload, product.id)).toBe(stock + 2)
  })

  it('with Stripe down, refuses the cancel (503) and changes nothing', async () => {
    const { order, product, pi } = await cardPaidOrder(2500, 1)
    await moveOrder(payload, order.id, 'confirmed')
    const stock = await stockOf(payload, product.id)
    fake.failNext(500, 10)
    const res = await rest(`${ctx.api}/orders/${order.id}/transition`, { method: 'POST', token: admin.token, body: { status: 'cancelled' } })
    expect(res.status, JSON.stringify(res.body)).toBe(503)
    fake.failNext(500, 0)
    expect(await money(order.id)).toEqual({ status: 'confirmed', paymentStatus: 'paid', paid: order.total, refunded: 0 })
    expect(await stockOf(payload, product.id)).toBe(stock)
    expect(refundsFor(pi)).toHaveLength(0)
    expect(await txsOf(order.id)).toHaveLength(1)
  })

  it('cancels a card payment still pending in Stripe instead of refunding', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    await moveOrder(payload, order.id, 'cancelled')
    expect(fake.paymentIntents.get(pi).status).toBe('canceled')
    expect(refundsFor(pi)).toHaveLength(0)
    expect(await ledgerOf(order.id)).toEqual([['payment', 'cancelled', order.total, 'stripe']])
    // Stripe's cancellation event, arriving after, changes nothing.
    await expectDelivered(fake.event('payment_intent.canceled', fake.paymentIntents.get(pi)))
    expect(await ledgerOf(order.id)).toEqual([['payment', 'cancelled', order.total, 'stripe']])
    expect(await money(order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'pending', paid: 0 })
  })
})

describe('cancel racing a payment', () => {
  it('cancel after the customer paid but before the webhook: the payment is completed and refunded', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    const paidObject = fake.succeed(pi)
    const moved = await moveOrder(payload, order.id, 'cancelled')
    expect(moved).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
    expect(refundsFor(pi).map((r) => r.amount)).toEqual([order.total])
    await expectDelivered(fake.event('payment_intent.succeeded', paidObject))
    expect(await ledgerOf(order.id)).toEqual([
      ['payment', 'completed', order.total, 'stripe'],
      ['refund', 'completed', order.total, 'stripe'],
    ])
    expect(await money(order.id)).toEqual({ status: 'cancelled', paymentStatus: 'refunded', paid: order.total, refunded: order.total })
  })

  it('cancel and the success webhook at the same moment end cancelled, paid once and refunded once', async () => {
    for (let i = 0; i < 3; i++) {
      const { member, order } = await memberOrder()
      const pi = await startCheckout(order.id, member)
      const event = fake.event('payment_intent.succeeded', fake.succeed(pi))
      const [cancel, hook] = await Promise.allSettled([moveOrder(payload, order.id, 'cancelled'), deliver(event)])
      expect(cancel.status, String((cancel as PromiseRejectedResult).reason)).toBe('fulfilled')
      expect(hook.status === 'fulfilled' && hook.value.status, JSON.stringify(hook)).toBe(200)
      expect(refundsFor(pi).map((r) => r.amount)).toEqual([order.total])
      expect(await ledgerOf(order.id)).toEqual([
        ['payment', 'completed', order.total, 'stripe'],
        ['refund', 'completed', order.total, 'stripe'],
      ])
      expect(await money(order.id)).toEqual({ status: 'cancelled', paymentStatus: 'refunded', paid: order.total, refunded: order.total })
    }
  })

  it('cancel after a declined card cancels the PaymentIntent in Stripe, so it cannot be paid later', async () => {
    const { member, order } = await memberOrder()
    const pi = await startCheckout(order.id, member)
    await expectDelivered(fake.event('payment_intent.payment_failed', fake.fail(pi)))
    await moveOrder(payload, order.id, 'cancelled')
    expect(fake.paymentIntents.get(pi).status).toBe('canceled')
    expect(await ledgerOf(order.id)).toEqual([['payment', 'cancelled', order.total, 'stripe']])
  })
})

describe('the ledger is append-only', () => {
  it('the database refuses to change or delete a transaction', async () => {
    const { order, payment } = await cardPaidOrder(1000, 1)
    const d = await db()
    await expect(d.execute(sql`update transactions set amount = 1 where id = ${payment.id}`)).rejects.toThrow()
    await expect(d.execute(sql`update transactions set status = 'cancelled' where id = ${payment.id}`)).rejects.toThrow()
    await expect(d.execute(sql`delete from transactions where id = ${payment.id}`)).rejects.toThrow()
    await expect(d.execute(sql`delete from transactions where order_id = ${order.id}`)).rejects.toThrow()
    const [after] = await txsOf(order.id)
    expect(after).toMatchObject({ id: payment.id, status: 'completed', amount: payment.amount, transaction_id: payment.transaction_id })
  })

  it('REST create, update and delete are forbidden even to admins', async () => {
    const { order, member, payment } = await cardPaidOrder(1000, 1)
    const patch = await rest(`${ctx.api}/transactions/${payment.id}`, { method: 'PATCH', token: admin.token, body: { amount: 1, status: 'cancelled' } })
    expect(patch.status).toBe(403)
    const del = await rest(`${ctx.api}/transactions/${payment.id}`, { method: 'DELETE', token: admin.token })
    expect(del.status).toBe(403)
    const create = await rest(`${ctx.api}/transactions`, { method: 'POST', token: admin.token, body: { transactionId: 'TX-MINE', type: 'payment', amount: 5, currency: 'USD', order: order.id } })
    expect(create.status).toBe(403)
    expect((await rest(`${ctx.api}/transactions/${payment.id}`, { method: 'PATCH', token: member.token, body: { amount: 1 } })).status).toBe(403)
    expect(await ledgerOf(order.id)).toEqual([['payment', 'completed', order.total, 'stripe']])
  })
})

describe('reseller orders', () => {
  it('a payment lowers what the reseller owes and a refund raises it again', async () => {
    const reseller = await createReseller(payload, { creditLimit: 1_000_000 })
    const product = await createProduct(payload, { price: 4000 })
    const order = await createOrder(payload, { items: [{ product: product.id, quantity: 2 }], reseller: reseller.id })
    const start = await resellerBalance(payload, reseller.id)
    await moveOrder(payload, order.id, 'confirmed')
    expect(await resellerBalance(payload, reseller.id)).toBe(start + order.total)

    const paid = await recordPayment(order.id, { amount: order.total, method: 'bank_transfer' })
    expect(paid.status, JSON.stringify(paid.body)).toBe(201)
    expect(paid.body.transaction).toMatchObject({ reseller: reseller.id })
    expect(await resellerBalance(payload, reseller.id)).toBe(start)

    const back = await refund(paid.body.transaction.id, admin.token, { amount: 1500, reason: 'short delivery' })
    expect(back.status, JSON.stringify(back.body)).toBe(201)
    expect(await resellerBalance(payload, reseller.id)).toBe(start + 1500)
    expect(await money(order.id)).toMatchObject({ paymentStatus: 'partially_refunded', refunded: 1500 })

    // Cancelling settles it: the credit charge is released and the rest is refunded.
    await moveOrder(payload, order.id, 'cancelled')
    expect(await resellerBalance(payload, reseller.id)).toBe(start)
  })

  it("a reseller pays its own order by card; the webhook lowers its balance; another reseller's login gets 404", async () => {
    const reseller = await createReseller(payload)
    const login = await createResellerLogin(payload, ctx.api, reseller.id)
    const stranger = await createResellerLogin(payload, ctx.api, (await createReseller(payload)).id)
    const product = await createProduct(payload, { price: 3000 })
    const order = await createOrder(payload, { items: [{ product: product.id, quantity: 1 }], reseller: reseller.id })
    await moveOrder(payload, order.id, 'confirmed')
    const owed = await resellerBalance(payload, reseller.id)

    expect((await checkout(order.id, stranger.token)).status).toBe(404)
    const res = await checkout(order.id, login.token)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    await expectDelivered(fake.event('payment_intent.succeeded', fake.succeed(res.body.paymentIntentId)))
    expect(await resellerBalance(payload, reseller.id)).toBe(owed - order.total)
    const [payment] = (await txsOf(order.id)).filter((t) => t.type === 'payment')
    expect(payment).toMatchObject({ status: 'completed', reseller_id: reseller.id })

    expect((await refund(payment.id, admin.token, { amount: 1000, reason: 'x' })).status).toBe(201)
    expect(await resellerBalance(payload, reseller.id)).toBe(owed - order.total + 1000)
  })
})
