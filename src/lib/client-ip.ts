import { envInt } from './env'

/** Header the lean API server sets from the socket; never trusted from outside (it strips it). */
export const CLIENT_IP_HEADER = 'x-patron-client-ip'

/**
 * The caller's address for rate limiting. Behind TRUST_PROXY_HOPS reverse
 * proxies (nginx sets X-Forwarded-For) it takes the address the outermost
 * trusted proxy saw; otherwise the right-most entry, which the nearest hop wrote.
 */
export function clientIp(headers: Headers): string {
  const direct = headers.get(CLIENT_IP_HEADER)
  const forwarded = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const hops = envInt('TRUST_PROXY_HOPS', 0)
  if (hops > 0 && forwarded.length > 0) return forwarded[Math.max(0, forwarded.length - hops)]
  if (direct) return direct
  return forwarded[forwarded.length - 1] ?? headers.get('x-real-ip') ?? 'unknown'
}
