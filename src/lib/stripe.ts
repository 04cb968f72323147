import Stripe from 'stripe'
import { envInt } from './env'
import { PatronError, badRequest } from './errors'

/** Card payments are optional: without a key the checkout endpoints answer 503 instead of failing at boot. */
export function stripeConfigured(): boolean {
  return Boolean(process.env.STRIPE_SECRET_KEY)
}

let cached: { cacheKey: string; client: Stripe } | null = null

/**
 * The Stripe client for the current environment. Cached per key and URL, so a
 * changed environment (tests pointing at another fake server) gets a new client.
 */
export function getStripe(): Stripe {
  const key = process.env.STRIPE_SECRET_KEY
  if (!key) throw new PatronError('SERVICE_UNAVAILABLE', 'Card payments are not configured (STRIPE_SECRET_KEY).', 503)
  const apiUrl = process.env.STRIPE_API_URL || ''
  const cacheKey = `${key}\n${apiUrl}`
  if (cached?.cacheKey === cacheKey) return cached.client
  const client = new Stripe(key, {
    ...(apiUrl ? hostConfig(apiUrl) : {}),
    // Retried POSTs carry the SDK's own idempotency key, so retries cannot charge twice.
    maxNetworkRetries: 2,
    // A request handler waits on this call: fail in seconds, not the SDK's default 80 s.
    timeout: 10_000,
  })
  cached = { cacheKey, client }
  return client
}

/** STRIPE_API_URL (e.g. a local fake or stripe-mock) split into the SDK's host/port/protocol; the SDK always adds /v1/. */
function hostConfig(apiUrl: string): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  const url = new URL(apiUrl)
  const protocol = url.protocol.replace(/:$/, '')
  if (protocol !== 'http' && protocol !== 'https') throw new Error(`STRIPE_API_URL must be an http(s) URL, got "${apiUrl}"`)
  return {
    protocol,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || (protocol === 'https' ? 443 : 80),
  }
}

/**
 * Checks the Stripe-Signature header against the raw body (never a re-serialised
 * object) and returns the event. Needs only STRIPE_WEBHOOK_SECRET: the static
 * helper does not need an API key.
 */
export function verifyWebhook(rawBody: string | Buffer, signature: string | null): Stripe.Event {
  const secret = process.env.STRIPE_WEBHOOK_SECRET
  if (!secret) throw new PatronError('SERVICE_UNAVAILABLE', 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).', 503)
  if (!signature) throw badRequest('Invalid Stripe signature.')
  // Older signatures are refused to stop replays (0 turns the check off, as in the SDK).
  const tolerance = envInt('STRIPE_WEBHOOK_TOLERANCE_SECONDS', 300)
  try {
    return Stripe.webhooks.constructEvent(rawBody, signature, secret, tolerance)
  } catch (err) {
    if (err instanceof Error && (err as { type?: unknown }).type === 'StripeSignatureVerificationError') {
      throw badRequest('Invalid Stripe signature.')
    }
    // Correctly signed but not a JSON event.
    throw badRequest('Invalid Stripe webhook payload.')
  }
}

/**
 * Turns an error thrown by the SDK into one the API can answer with: the
 * customer's or caller's mistake is a 4xx with Stripe's message; anything else
 * (network, Stripe down, rate limit, our own key rejected) is a 503 to retry.
 * Matches on `type` rather than instanceof so a second copy of the SDK still maps.
 * Callers should log the original error: the mapped one does not carry it.
 */
export function stripeErrorToPatron(err: unknown): PatronError {
  if (err instanceof PatronError) return err
  const { type, message, code } = (err instanceof Error ? err : {}) as { type?: unknown; message?: string; code?: unknown }
  const extra = typeof code === 'string' && code ? { stripeCode: code } : {}
  if (type === 'StripeCardError') return new PatronError('VALIDATION_ERROR', message || 'The card was declined.', 402, extra)
  if (type === 'StripeInvalidRequestError' || type === 'StripeIdempotencyError') {
    return new PatronError('VALIDATION_ERROR', message || 'The payment request was refused.', 400, extra)
  }
  return new PatronError('SERVICE_UNAVAILABLE', 'The payment provider is unavailable; try again.', 503)
}
