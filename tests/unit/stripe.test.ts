import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PatronError } from '../../src/lib/errors'
import { getStripe, stripeConfigured, stripeErrorToPatron, verifyWebhook } from '../../src/lib/stripe'
import { startFakeStripe, type FakeStripe } from '../helpers/fakeStripe'

const ENV_KEYS = ['STRIPE_SECRET_KEY', 'STRIPE_API_URL', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_TOLERANCE_SECONDS'] as const
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]))

afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k]
    else process.env[k] = savedEnv[k]
  }
})

/** Runs `fn`, expects it to fail, and returns the error mapped for the API. */
async function mappedFailure(fn: () => Promise<unknown>): Promise<PatronError> {
  try {
    await fn()
  } catch (err) {
    return stripeErrorToPatron(err)
  }
  throw new Error('expected the call to fail')
}

describe('getStripe against the fake Stripe server', () => {
  let fake: FakeStripe

  beforeEach(async () => {
    fake = await startFakeStripe()
    process.env.STRIPE_SECRET_KEY = 'sk_test_x'
    process.env.STRIPE_API_URL = fake.url
  })
  afterEach(async () => {
    await fake.close()
  })

  it('creates and retrieves a PaymentIntent; metadata arrives nested', async () => {
    expect(stripeConfigured()).toBe(true)
    const stripe = getStripe()
    const created = await stripe.paymentIntents.create({
      amount: 1999,
      currency: 'USD',
      metadata: { orderId: '5', orderNumber: 'ORD-5' },
      description: 'Order ORD-5',
      automatic_payment_methods: { enabled: true },
    })
    expect(created.id).toMatch(/^pi_\w+$/)
    expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_\\w+$`))
    expect(created).toMatchObject({ amount: 1999, amount_received: 0, currency: 'usd', status: 'requires_payment_method' })

    const sent = fake.requests.find((r) => r.method === 'POST' && r.path === '/v1/payment_intents')
    expect(sent?.body).toEqual({
      amount: '1999',
      currency: 'USD',
      metadata: { orderId: '5', orderNumber: 'ORD-5' },
      description: 'Order ORD-5',
      automatic_payment_methods: { enabled: 'true' },
    })
    expect(fake.paymentIntents.get(created.id)?.metadata).toEqual({ orderId: '5', orderNumber: 'ORD-5' })

    fake.succeed(created.id)
    const retrieved = await stripe.paymentIntents.retrieve(created.id)
    expect(retrieved).toMatchObject({ id: created.id, status: 'succeeded', amount_received: 1999, metadata: { orderId: '5' } })
    expect(retrieved.latest_charge).toMatch(/^ch_/)
  })

  it('reuses the client while the environment is unchanged and rebuilds it when it changes', async () => {
    const first = getStripe()
    expect(getStripe()).toBe(first)
    const other = await startFakeStripe()
    try {
      process.env.STRIPE_API_URL = other.url
      const second = getStripe()
      expect(second).not.toBe(first)
      await second.paymentIntents.create({ amount: 100, currency: 'usd' })
      expect(other.paymentIntents.size).toBe(1)
      expect(fake.paymentIntents.size).toBe(0)
    } finally {
      await other.close()
    }
  })

  it('answers the same idempotency key with the same PaymentIntent, and refuses it for other parameters', async () => {
    const stripe = getStripe()
    const params = { amount: 500, currency: 'usd', metadata: { orderId: '7' } }
    const a = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-7-checkout' })
    const b = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-7-checkout' })
    expect(b.id).toBe(a.id)
    expect(b.client_secret).toBe(a.client_secret)
    expect(fake.paymentIntents.size).toBe(1)
    expect(fake.requests.filter((r) => r.idempotencyKey === 'order-7-checkout')).toHaveLength(2)

    const err = await mappedFailure(() =>
      stripe.paymentIntents.create({ ...params, amount: 600 }, { idempotencyKey: 'order-7-checkout' }),
    )
    expect(err.status).toBe(400)
    expect(fake.paymentIntents.size).toBe(1)
  })

  it('cancels an unpaid PaymentIntent and refuses to cancel a paid one', async () => {
    const stripe = getStripe()
    const open = await stripe.paymentIntents.create({ amount: 300, currency: 'usd' })
    expect((await stripe.paymentIntents.cancel(open.id)).status).toBe('canceled')

    const paid = await stripe.paymentIntents.create({ amount: 300, currency: 'usd' })
    fake.succeed(paid.id)
    const err = await mappedFailure(() => stripe.paymentIntents.cancel(paid.id))
    expect(err.status).toBe(400)
    expect(err.data.code).toBe('VALIDATION_ERROR')
  })

  it('refunds part, then the rest, then refuses more (mapped to 400)', async () => {
    const stripe = getStripe()
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' })

    const early = await mappedFailure(() => stripe.refunds.create({ payment_intent: pi.id }))
    expect(early.status).toBe(400)

    fake.succeed(pi.id)
    const part = await stripe.refunds.create({ payment_intent: pi.id, amount: 300, reason: 'requested_by_customer', metadata: { transactionId: 'T-1' } })
    expect(part).toMatchObject({ object: 'refund', amount: 300, currency: 'usd', payment_intent: pi.id, status: 'succeeded', metadata: { transactionId: 'T-1' } })
    expect(part.id).toMatch(/^re_/)

    const tooMuch = await mappedFailure(() => stripe.refunds.create({ payment_intent: pi.id, amount: 701 }))
    expect(tooMuch).toBeInstanceOf(PatronError)
    expect(tooMuch.status).toBe(400)
    expect(tooMuch.data).toMatchObject({ code: 'VALIDATION_ERROR', stripeCode: 'amount_too_large' })
    expect(tooMuch.message).toContain('greater than unrefunded amount')

    const rest = await stripe.refunds.create({ payment_intent: pi.id })
    expect(rest.amount).toBe(700)

    const more = await mappedFailure(() => stripe.refunds.create({ payment_intent: pi.id, amount: 1 }))
    expect(more.status).toBe(400)
    expect(more.data).toMatchObject({ code: 'VALIDATION_ERROR', stripeCode: 'charge_already_refunded' })
    expect([...fake.refunds.values()].map((r) => r.amount)).toEqual([300, 700])
  })

  it('maps "provider down" to 503 after the SDK has retried', async () => {
    fake.failNext(500, 5)
    const err = await mappedFailure(() => getStripe().paymentIntents.create({ amount: 100, currency: 'usd' }))
    expect(err.status).toBe(503)
    expect(err.data.code).toBe('SERVICE_UNAVAILABLE')
    expect(err.message).toBe('The payment provider is unavailable; try again.')
    // One try and two retries, all with the SDK's own idempotency key so a retry cannot charge twice.
    expect(fake.requests).toHaveLength(3)
    expect(new Set(fake.requests.map((r) => r.idempotencyKey)).size).toBe(1)
    expect(fake.requests[0].idempotencyKey).toBeTruthy()
    expect(fake.paymentIntents.size).toBe(0)
  })

  it('maps a rejected API key and an unreachable server to 503', async () => {
    process.env.STRIPE_SECRET_KEY = 'sk_live_not_for_the_fake'
    const auth = await mappedFailure(() => getStripe().paymentIntents.retrieve('pi_x'))
    expect(auth.status).toBe(503)

    // A port that was free a moment ago: connection refused.
    const spare = http.createServer()
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve))
    const { port } = spare.address() as AddressInfo
    await new Promise((resolve) => spare.close(resolve))
    process.env.STRIPE_SECRET_KEY = 'sk_test_x'
    process.env.STRIPE_API_URL = `http://127.0.0.1:${port}`
    const down = await mappedFailure(() => getStripe().paymentIntents.retrieve('pi_x'))
    expect(down.status).toBe(503)
    expect(down.data.code).toBe('SERVICE_UNAVAILABLE')
  })

  it('answers unknown ids with 404 and unknown parameters with 400, both mapped to 400', async () => {
    const stripe = getStripe()
    const notFound = await mappedFailure(() => stripe.paymentIntents.retrieve('pi_missing'))
    expect(notFound.status).toBe(400)
    expect(notFound.data.stripeCode).toBe('resource_missing')
    const typo = await mappedFailure(() => stripe.paymentIntents.create({ amount: 100, currency: 'usd', metdata: { orderId: '1' } } as never))
    expect(typo.status).toBe(400)
    expect(typo.message).toContain('metdata')
  })
})

describe('getStripe without a key', () => {
  it('throws 503 SERVICE_UNAVAILABLE', () => {
    delete process.env.STRIPE_SECRET_KEY
    expect(stripeConfigured()).toBe(false)
    let thrown: unknown
    try {
      getStripe()
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(PatronError)
    expect((thrown as PatronError).status).toBe(503)
    expect((thrown as PatronError).data.code).toBe('SERVICE_UNAVAILABLE')
  })
})

describe('verifyWebhook', () => {
  const secret = 'whsec_test_secret'
  let fake: FakeStripe

  beforeEach(async () => {
    fake = await startFakeStripe()
    // Webhooks need only the signing secret, not an API key.
    delete process.env.STRIPE_SECRET_KEY
    process.env.STRIPE_WEBHOOK_SECRET = secret
    delete process.env.STRIPE_WEBHOOK_TOLERANCE_SECONDS
  })
  afterEach(async () => {
    await fake.close()
  })

  const paidEvent = () => {
    const pi = { id: 'pi_123', object: 'payment_intent', amount: 1999, amount_received: 1999, currency: 'usd', status: 'succeeded', metadata: { orderId: '5' } }
    return fake.event('payment_intent.succeeded', pi)
  }

  const rejection = (body: string | Buffer, signature: string | null): PatronError => {
    try {
      verifyWebhook(body, signature)
    } catch (err) {
      expect(err).toBeInstanceOf(PatronError)
      return err as PatronError
    }
    throw new Error('expected verifyWebhook to refuse')
  }

  it('accepts a correctly signed payload, as a string or a Buffer', () => {
    const event = paidEvent()
    const { body, signature } = fake.sign(event, secret)
    const verified = verifyWebhook(body, signature)
    expect(verified.id).toBe(event.id)
    expect(verified.type).toBe('payment_intent.succeeded')
    expect(verified.data.object).toMatchObject({ id: 'pi_123', metadata: { orderId: '5' } })
    expect(verifyWebhook(Buffer.from(body), signature).id).toBe(event.id)
  })

  it('rejects a tampered body, a wrong secret, a missing header and a re-serialised body with 400', () => {
    const { body, signature } = fake.sign(paidEvent(), secret)
    for (const err of [
      rejection(body.replace('"amount": 1999', '"amount": 1'), signature),
      rejection(body, fake.sign(paidEvent(), 'whsec_someone_else').signature),
      rejection(body, null),
      rejection(body, ''),
      rejection(JSON.stringify(JSON.parse(body)), signature),
    ]) {
      expect(err.status).toBe(400)
      expect(err.data.code).toBe('VALIDATION_ERROR')
      expect(err.message).toBe('Invalid Stripe signature.')
    }
  })

  it('rejects a signature older than the tolerance (300 s by default, or STRIPE_WEBHOOK_TOLERANCE_SECONDS)', () => {
    const now = Math.floor(Date.now() / 1000)
    const event = paidEvent()
    const stale = fake.sign(event, secret, now - 301)
    expect(rejection(stale.body, stale.signature).status).toBe(400)
    const recent = fake.sign(event, secret, now - 200)
    expect(verifyWebhook(recent.body, recent.signature).id).toBe(event.id)

    process.env.STRIPE_WEBHOOK_TOLERANCE_SECONDS = '60'
    expect(rejection(recent.body, recent.signature).status).toBe(400)
    const fresh = fake.sign(event, secret, now - 30)
    expect(verifyWebhook(fresh.body, fresh.signature).id).toBe(event.id)
  })

  it('answers 503 when no signing secret is configured', () => {
    delete process.env.STRIPE_WEBHOOK_SECRET
    const { body, signature } = fake.sign(paidEvent(), secret)
    const err = rejection(body, signature)
    expect(err.status).toBe(503)
    expect(err.data.code).toBe('SERVICE_UNAVAILABLE')
  })
})

describe('stripeErrorToPatron', () => {
  it('passes PatronErrors through and treats unknown errors as the provider being unavailable', () => {
    const own = new PatronError('NOT_FOUND', 'Nope.', 404)
    expect(stripeErrorToPatron(own)).toBe(own)
    expect(stripeErrorToPatron(new Error('socket hang up')).status).toBe(503)
  })

  it('maps a card error to 402 with Stripe\'s message', async () => {
    const { default: Stripe } = await import('stripe')
    const card = new Stripe.errors.StripeCardError({ message: 'Your card was declined.', code: 'card_declined' })
    const mapped = stripeErrorToPatron(card)
    expect(mapped.status).toBe(402)
    expect(mapped.message).toBe('Your card was declined.')
    expect(mapped.data).toEqual({ code: 'VALIDATION_ERROR', stripeCode: 'card_declined' })
  })
})
