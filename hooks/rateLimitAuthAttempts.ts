import type { CollectionBeforeOperationHook } from 'payload'
import { clientIp } from '../src/lib/client-ip'
import { envInt } from '../src/lib/env'
import { tooManyRequests } from '../src/lib/errors'
import { getRateLimiter } from '../src/lib/rate-limit'

/**
 * Limits login and forgot-password attempts per client address and e-mail
 * (Redis-backed when available). Past the limit the request gets 429 with
 * Retry-After, before any password is checked. Account lockout after five
 * failed passwords is Payload's own `maxLoginAttempts`, separate from this.
 */
export const rateLimitAuthAttempts: CollectionBeforeOperationHook = async ({ args, collection, operation, req }) => {
  if (operation !== 'login' && operation !== 'forgotPassword') return args
  // Trusted server code (seed, tests) calls the local API without an HTTP request.
  if (!req.headers || req.payloadAPI === 'local') return args
  const limit = operation === 'login' ? envInt('RATE_LIMIT_LOGIN', 10) : envInt('RATE_LIMIT_FORGOT_PASSWORD', 5)
  const windowSeconds = envInt('RATE_LIMIT_WINDOW_SECONDS', 60)
  const email = String((args as { data?: { email?: string } }).data?.email ?? '').toLowerCase()
  const key = `${collection.slug}:${operation}:${clientIp(req.headers)}:${email}`
  const verdict = await getRateLimiter().hit(key, limit, windowSeconds)
  if (!verdict.allowed) {
    req.responseHeaders = new Headers({ 'Retry-After': String(verdict.retryAfterSeconds) })
    throw tooManyRequests(verdict.retryAfterSeconds)
  }
  return args
}
