import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

export type FakeStripeRequest = { method: string; path: string; body: Record<string, unknown>; idempotencyKey?: string }

export type FakeStripe = {
  /** http://127.0.0.1:<port>, for STRIPE_API_URL. */
  url: string
  close(): Promise<void>
  paymentIntents: Map<string, any>
  refunds: Map<string, any>
  /** Every request received, in order, including those answered by failNext (so SDK retries show). */
  requests: FakeStripeRequest[]
  /** The next N requests answer with this HTTP status and a Stripe api_error (to test "provider down"). */
  failNext(status?: number, count?: number): void
  /** Marks a payment intent paid (as if the customer paid) and returns it: status 'succeeded', amount_received = amount, latest_charge 'ch_…'. */
  succeed(paymentIntentId: string): any
  /** Marks it failed: status 'requires_payment_method', last_payment_error {message}. */
  fail(paymentIntentId: string): any
  /** A Stripe event object wrapping `object`: { id:'evt_<random>', object:'event', type, created, livemode:false, api_version, data:{ object } } */
  event(type: string, object: any): any
  /** Signs a JSON payload with Stripe's own helper and returns { body, signature } ready to POST. */
  sign(event: any, secret: string, timestamp?: number): { body: string; signature: string }
}

type Reply = { status: number; body: unknown }

/** Parameters each endpoint accepts; real Stripe refuses anything else, and so does the fake, to catch typos. */
const PAYMENT_INTENT_PARAMS = new Set([
  'amount',
  'currency',
  'metadata',
  'description',
  'automatic_payment_methods',
  'payment_method_types',
  'receipt_email',
  'customer',
  'capture_method',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'setup_future_usage',
  'shipping',
  'expand',
])
const REFUND_PARAMS = new Set(['payment_intent', 'amount', 'reason', 'metadata', 'expand'])
const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer'])

/**
 * A local HTTP server that answers the official SDK the way Stripe's API does
 * for the calls Patron makes (payment intents, refunds), so tests never leave
 * the machine. Point the SDK at it with STRIPE_API_URL.
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  const paymentIntents = new Map<string, any>()
  const refunds = new Map<string, any>()
  const requests: FakeStripeRequest[] = []
  // Stored first answers by method + path + Idempotency-Key, with the parameters they were made with.
  const idempotent = new Map<string, { params: string; reply: Reply }>()
  let failure = { status: 500, remaining: 0 }

  const route = (method: string, path: string, body: Record<string, any>): Reply => {
    let m: RegExpExecArray | null
    if (method === 'POST' && path === '/v1/payment_intents') return createPaymentIntent(body)
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      const pi = paymentIntents.get(m[1])
      return pi ? ok(pi) : missing('payment_intent', m[1], 'id', 404)
    }
    if (method === 'POST' && (m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path))) return cancelPaymentIntent(m[1])
    if (method === 'POST' && path === '/v1/refunds') return createRefund(body)
    if (method === 'GET' && (m = /^\/v1\/refunds\/([^/]+)$/.exec(path))) {
      const refund = refunds.get(m[1])
      return refund ? ok(refund) : missing('refund', m[1], 'id', 404)
    }
    return stripeError(404, `Unrecognized request URL (${method}: ${path}).`)
  }

  const createPaymentIntent = (body: Record<string, any>): Reply => {
    const unknown = unknownParam(body, PAYMENT_INTENT_PARAMS)
    if (unknown) return unknown
    const amount = parseAmount(body.amount)
    if (amount === undefined) return paramMissing('amount')
    if (amount === null) return stripeError(400, 'Invalid integer: amount must be a positive integer.', 'parameter_invalid_integer', 'amount')
    if (typeof body.currency !== 'string' || !body.currency) return paramMissing('currency')
    if (!/^[a-z]{3}$/i.test(body.currency)) return stripeError(400, `Invalid currency: ${body.currency}.`, 'parameter_invalid_string', 'currency')
    const metadata = parseMetadata(body.metadata)
    if ('error' in metadata) return metadata.error
    const id = newId('pi')
    const pi = {
      id,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency: body.currency.toLowerCase(),
      status: 'requires_payment_method',
      client_secret: `${id}_secret_${random(24)}`,
      description: typeof body.description === 'string' ? body.description : null,
      automatic_payment_methods:
        body.automatic_payment_methods && typeof body.automatic_payment_methods === 'object'
          ? { enabled: body.automatic_payment_methods.enabled === 'true' }
          : null,
      metadata: metadata.value,
      latest_charge: null as string | null,
      last_payment_error: null as unknown,
      canceled_at: null as number | null,
      created: now(),
      livemode: false,
    }
    paymentIntents.set(id, pi)
    return ok(pi)
  }

  const cancelPaymentIntent = (id: string): Reply => {
    const pi = paymentIntents.get(id)
    if (!pi) return missing('payment_intent', id, 'id', 404)
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      return stripeError(
        400,
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
        'payment_intent_unexpected_state',
      )
    }
    pi.status = 'canceled'
    pi.canceled_at = now()
    return ok(pi)
  }

  const createRefund = (body: Record<string, any>): Reply => {
    const unknown = unknownParam(body, REFUND_PARAMS)
    if (unknown) return unknown
    if (typeof body.payment_intent !== 'string' || !body.payment_intent) return paramMissing('payment_intent')
    const pi = paymentIntents.get(body.payment_intent)
    if (!pi) return missing('payment_intent', body.payment_intent, 'payment_intent', 400)
    if (body.reason !== undefined && !REFUND_REASONS.has(body.reason)) {
      return stripeError(400, `Invalid reason: must be one of ${[...REFUND_REASONS].join(', ')}`, 'parameter_invalid_string', 'reason')
    }
    const metadata = parseMetadata(body.metadata)
    if ('error' in metadata) return metadata.error
    if (pi.status !== 'succeeded') {
      return stripeError(
        400,
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        'payment_intent_unexpected_state',
      )
    }
    let refunded = 0
    for (const r of refunds.values()) if (r.payment_intent === pi.id && r.status === 'succeeded') refunded += r.amount
    const remaining = pi.amount_received - refunded
    if (remaining <= 0) return stripeError(400, `Charge ${pi.latest_charge} has already been refunded.`, 'charge_already_refunded')
    const requested = body.amount === undefined ? remaining : parseAmount(body.amount)
    if (requested === null || requested === undefined) {
      return stripeError(400, 'Invalid integer: amount must be a positive integer.', 'parameter_invalid_integer', 'amount')
    }
    if (requested > remaining) {
      return stripeError(
        400,
        `Refund amount (${requested}) is greater than unrefunded amount on charge (${remaining}).`,
        'amount_too_large',
        'amount',
      )
    }
    const refund = {
      id: newId('re'),
      object: 'refund',
      amount: requested,
      currency: pi.currency,
      payment_intent: pi.id,
      charge: pi.latest_charge,
      status: 'succeeded',
      reason: body.reason ?? null,
      metadata: metadata.value,
      created: now(),
    }
    refunds.set(refund.id, refund)
    return ok(refund)
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake-stripe.local')
      const method = (req.method ?? 'GET').toUpperCase()
      const path = url.pathname
      const raw = Buffer.concat(chunks).toString('utf8')
      const body = parseForm(method === 'GET' || method === 'DELETE' ? url.searchParams : new URLSearchParams(raw))
      const idempotencyKey = headerValue(req.headers['idempotency-key'])
      requests.push({ method, path, body, ...(idempotencyKey ? { idempotencyKey } : {}) })

      const send = (reply: Reply, headers: Record<string, string> = {}) => {
        const text = JSON.stringify(reply.body)
        res.writeHead(reply.status, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(text),
          'Request-Id': newId('req'),
          ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
          ...headers,
        })
        res.end(text)
      }

      if (failure.remaining > 0) {
        failure.remaining -= 1
        return send({
          status: failure.status,
          body: { error: { type: 'api_error', message: "Something went wrong on Stripe's end. (fake failure)" } },
        })
      }
      const auth = headerValue(req.headers.authorization) ?? ''
      if (!/^Bearer sk_test_\S+$/.test(auth)) {
        return send(
          stripeError(
            401,
            auth ? 'Invalid API Key provided (the fake accepts only sk_test_ keys).' : 'You did not provide an API key.',
          ),
        )
      }
      if (idempotencyKey && method === 'POST') {
        const slot = `${method} ${path} ${idempotencyKey}`
        const params = JSON.stringify(body)
        const stored = idempotent.get(slot)
        if (stored) {
          if (stored.params !== params) {
            return send({
              status: 400,
              body: {
                error: {
                  type: 'idempotency_error',
                  message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
                },
              },
            })
          }
          return send(stored.reply, { 'Idempotent-Replayed': 'true' })
        }
        const reply = route(method, path, body)
        // Like Stripe, only requests that ran are replayed; here, only successful ones, so a retry after an error runs again.
        if (reply.status < 300) idempotent.set(slot, { params, reply: { status: reply.status, body: clone(reply.body) } })
        return send(reply)
      }
      send(route(method, path, body))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  const lookup = (id: string) => {
    const pi = paymentIntents.get(id)
    if (!pi) throw new Error(`fake Stripe: no payment intent ${id}`)
    return pi
  }

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        // The SDK keeps sockets alive; without this close() waits for them to time out.
        server.closeAllConnections()
      }),
    paymentIntents,
    refunds,
    requests,
    failNext(status = 500, count = 1) {
      failure = { status, remaining: count }
    },
    succeed(paymentIntentId) {
      const pi = lookup(paymentIntentId)
      if (pi.status === 'canceled') throw new Error(`fake Stripe: ${paymentIntentId} is canceled`)
      pi.status = 'succeeded'
      pi.amount_received = pi.amount
      pi.latest_charge = newId('ch')
      pi.last_payment_error = null
      return clone(pi)
    },
    fail(paymentIntentId) {
      const pi = lookup(paymentIntentId)
      pi.status = 'requires_payment_method'
      pi.last_payment_error = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' }
      return clone(pi)
    },
    event(type, object) {
      return {
        id: newId('evt'),
        object: 'event',
        api_version: Stripe.API_VERSION,
        created: now(),
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
        data: { object: clone(object) },
      }
    },
    sign(event, secret, timestamp) {
      // Pretty-printed like Stripe's deliveries, so a handler that re-serialises the body fails verification.
      const body = JSON.stringify(event, null, 2)
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp })
      return { body, signature }
    },
  }
}

/**
 * Form body (`metadata[orderId]=5&payment_method_types[0]=card`) to nested
 * objects; objects whose keys are 0..n-1 become arrays, as Stripe reads them.
 */
export function parseForm(params: URLSearchParams): Record<string, unknown> {
  const root: Record<string, any> = {}
  for (const [name, value] of params) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name)
    const keys = match ? [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((k) => k[1])] : [name]
    if (keys.some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')) continue
    let node = root
    keys.forEach((key, i) => {
      const last = i === keys.length - 1
      const slot = key === '' ? String(Object.keys(node).length) : key
      if (last) node[slot] = value
      else {
        if (typeof node[slot] !== 'object' || node[slot] === null) node[slot] = {}
        node = node[slot]
      }
    })
  }
  return toArrays(root) as Record<string, unknown>
}

function toArrays(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value).map(([k, v]) => [k, toArrays(v)] as const)
  const isList = entries.length > 0 && entries.every(([k], i) => k === String(i))
  return isList ? entries.map(([, v]) => v) : Object.fromEntries(entries)
}

/** undefined when absent, null when not a positive integer. */
function parseAmount(value: unknown): number | null | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return null
  const n = Number(value)
  return Number.isSafeInteger(n) && n > 0 ? n : null
}

function parseMetadata(value: unknown): { value: Record<string, string> } | { error: Reply } {
  // The SDK sends `metadata=` to clear it.
  if (value === undefined || value === '') return { value: {} }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: stripeError(400, 'Invalid object: metadata must be a hash.', 'parameter_invalid_string', 'metadata') }
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') return { error: stripeError(400, `Invalid value for metadata[${k}]: must be a string.`, undefined, `metadata[${k}]`) }
    if (k.length > 40 || v.length > 500) {
      return { error: stripeError(400, `Metadata key ${k} or its value is too long (40 / 500 characters).`, undefined, `metadata[${k}]`) }
    }
    out[k] = v
  }
  return { value: out }
}

function unknownParam(body: Record<string, unknown>, allowed: Set<string>): Reply | null {
  const bad = Object.keys(body).find((k) => !allowed.has(k))
  return bad ? stripeError(400, `Received unknown parameter: ${bad}`, 'parameter_unknown', bad) : null
}

function paramMissing(param: string): Reply {
  return stripeError(400, `Missing required param: ${param}.`, 'parameter_missing', param)
}

function missing(kind: string, id: string, param: string, status: number): Reply {
  return stripeError(status, `No such ${kind}: '${id}'`, 'resource_missing', param)
}

function stripeError(status: number, message: string, code?: string, param?: string): Reply {
  return {
    status,
    body: { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
  }
}

const ok = (body: unknown): Reply => ({ status: 200, body: clone(body) })
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T
const now = () => Math.floor(Date.now() / 1000)
const headerValue = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h) || undefined

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
function random(length: number): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join('')
}
const newId = (prefix: string) => `${prefix}_${random(24)}`
