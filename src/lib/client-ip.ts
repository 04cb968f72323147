import { warnOnce } from './log'

/**
 * Header carrying the socket's address, set by the lean API server. Both
 * servers strip a client-sent copy (the Next.js route via withClientIpStripped).
 */
export const CLIENT_IP_HEADER = 'x-patron-client-ip'

/**
 * The caller's address for rate limiting. Behind TRUST_PROXY_HOPS reverse
 * proxies (nginx appends to X-Forwarded-For) it takes the address the
 * outermost trusted proxy saw. Without a proxy, Next.js gives no socket
 * address and the right-most X-Forwarded-For entry is only a best guess that a
 * client can forge, which is why rate limits also key on the e-mail address.
 */
export function clientIp(headers: Headers): string {
  const direct = headers.get(CLIENT_IP_HEADER)
  const forwarded = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const hops = trustedProxyHops()
  if (hops > 0 && forwarded.length > 0) return forwarded[Math.max(0, forwarded.length - hops)]
  if (direct) return direct
  return forwarded[forwarded.length - 1] ?? headers.get('x-real-ip') ?? 'unknown'
}

/**
 * TRUST_PROXY_HOPS as a number. A malformed value must not turn every login
 * into a 500: it is reported once and treated as "no proxy".
 */
export function trustedProxyHops(): number {
  const raw = process.env.TRUST_PROXY_HOPS ?? ''
  if (raw === '') return 0
  const n = Number(raw)
  if (Number.isInteger(n) && n >= 0) return n
  warnOnce(`hops:${raw}`, `TRUST_PROXY_HOPS="${raw}" is not a whole number; proxies are not trusted`)
  return 0
}

/** Drops a client-sent CLIENT_IP_HEADER before the request reaches Payload. */
export function withClientIpStripped<C>(handler: (request: Request, context: C) => Promise<Response>) {
  return (request: Request, context: C): Promise<Response> => {
    if (!request.headers.has(CLIENT_IP_HEADER)) return handler(request, context)
    const headers = new Headers(request.headers)
    headers.delete(CLIENT_IP_HEADER)
    return handler(new Request(request, { headers }), context)
  }
}
