import type { CollectionBeforeOperationHook } from 'payload'
import { clientIp } from '../src/lib/client-ip'
import { envInt } from '../src/lib/env'
import { tooManyRequests } from '../src/lib/errors'
import { getRateLimiter } from '../src/lib/rate-limit'

/**
 * Limits login and forgot-password attempts (Redis-backed when available).
 * Two buckets, both must allow: one per e-mail address, which no forged
 * header can dodge, and one per client address, against spraying many
 * addresses. Past either limit the request gets 429 with Retry-After, before
 * any password is checked. Locking an account after five wrong passwords is
 * Payload's own `maxLoginAttempts`, separate from this.
 */
export const rateLimitAuthAttempts: CollectionBeforeOperationHook = async ({ args, collection, operation, req }) => {
  if (operation !== 'login' && operation !== 'forgotPassword') return args
  // Trusted server code (seed, tests) calls the local API without an HTTP request.
  if (!req.headers || req.payloadAPI === 'local') return args
  const windowSeconds = envInt('RATE_LIMIT_WINDOW_SECONDS', 60)
  const perEmail = operation === 'login' ? envInt('RATE_LIMIT_LOGIN', 10) : envInt('RATE_LIMIT_FORGOT_PASSWORD', 5)
  const perIp = envInt('RATE_LIMIT_AUTH_PER_IP', 100)
  const email = String((args as { data?: { email?: string } }).data?.email ?? '').trim().toLowerCase()
  const limiter = getRateLimiter()
  const scope = `${collection.slug}:${operation}`
  const verdicts = [
    await limiter.hit(`${scope}:email:${email}`, perEmail, windowSeconds),
    await limiter.hit(`${scope}:ip:${clientIp(req.headers)}`, perIp, windowSeconds),
  ]
  const refused = verdicts.filter((v) => !v.allowed)
  if (refused.length > 0) {
    const retryAfter = Math.max(...refused.map((v) => v.retryAfterSeconds))
    req.responseHeaders = new Headers({ 'Retry-After': String(retryAfter) })
    throw tooManyRequests(retryAfter)
  }
  return args
}
