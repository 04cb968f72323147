import { createHash } from 'node:crypto'
import { getPayload, type Payload, type SanitizedConfig } from 'payload'
import { awaitCacheInvalidation, cacheInvalidationReady, ensureCacheInvalidation, readThrough, type CacheStatus } from '../cache-invalidation'
import { dbFor, rows, sql } from '../db/sql'
import { envInt } from '../env'

type ConfigPromise = Promise<SanitizedConfig> | SanitizedConfig

type CachedCollection = {
  /** Data areas its anonymous REST answers read (populated relations and joins included). */
  areas: readonly string[]
  /**
   * Seconds until what anonymous callers may see changes by the clock alone
   * (a validity window opening or closing), null when never: answers are not
   * kept past it.
   */
  visibleFor?: (payload: Payload) => Promise<number | null>
}

/**
 * Public catalogue reads served from the cache, by collection. A new public
 * collection is one line here, e.g. `pages: { areas: ['pages', 'media'] },`;
 * its tables need the `patron_cache_notify` trigger (see
 * migrations/20261122_070000_cache_notify.ts), without which it is simply not
 * cached.
 */
export const CACHED_COLLECTIONS: Readonly<Record<string, CachedCollection>> = {
  products: { areas: ['products', 'categories', 'media'] },
  categories: { areas: ['categories', 'products', 'media'] },
  vouchers: { areas: ['vouchers', 'media'], visibleFor: nextVoucherWindowChange },
  media: { areas: ['media'] },
}

/** Anonymous callers see vouchers inside [validFrom, validTo]: seconds until the next such bound passes. */
async function nextVoucherWindowChange(payload: Payload): Promise<number | null> {
  const [row] = await rows<{ s: string | number | null }>(
    await dbFor(payload),
    sql`select extract(epoch from least(
          (select min(valid_from) from vouchers where valid_from > now()),
          (select min(valid_to) from vouchers where valid_to >= now())) - now()) as s`,
  )
  return row?.s === null || row?.s === undefined ? null : Number(row.s)
}

/** Longest an answer is kept (a safety net: changes invalidate it at once). CACHE_TTL_SECONDS; 0 turns the cache off. */
export const responseTtlSeconds = () => envInt('CACHE_TTL_SECONDS', 300)
/** Larger answers (long lists at depth) are not worth keeping. */
const MAX_CACHED_BODY = 1024 * 1024
/** Headers not replayed from a cached answer. */
const DROPPED_HEADERS = new Set(['set-cookie', 'content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'x-cache'])

/**
 * A request with no credentials: no Authorization header (JWT, API key) and no
 * session cookie (`payload-token`, or any `*-token` cookie). Only these are
 * served from, or stored in, the shared cache: what an authenticated caller
 * sees (drafts, archived items) is never cached.
 */
export function isAnonymous(headers: Headers): boolean {
  if (headers.has('authorization')) return false
  const cookie = headers.get('cookie')
  if (!cookie) return true
  return !cookie.split(';').some((part) => /-token$/i.test(part.split('=')[0].trim()))
}

/**
 * What to cache a GET under, or null when the path is not a cached read: the
 * list `/api/<collection>` or one document `/api/<collection>/<id>` of a
 * collection in CACHED_COLLECTIONS (not custom endpoints, files or versions).
 * The key is the path with its query string as sent (every parameter —
 * `depth`, `draft`, `locale`, `where`… — changes the answer; parameters are
 * not reordered, since the order can matter to the query parser), and the
 * Origin header, which decides the CORS headers of the answer.
 */
export function cacheTarget(request: Request): (CachedCollection & { key: string }) | null {
  if (request.method !== 'GET') return null
  const url = new URL(request.url)
  const match = /^\/api\/([a-z0-9-]+)(?:\/(\d+))?$/.exec(url.pathname)
  if (!match) return null
  const collection = CACHED_COLLECTIONS[match[1]]
  if (!collection) return null
  const id = `${url.pathname}${url.search}\n${request.headers.get('origin') ?? ''}`
  return { ...collection, key: `rest:${match[1]}:${createHash('sha256').update(id).digest('base64url')}` }
}

type Buffered = { status: number; headers: Array<[string, string]>; body: string }
/** A fresh answer: buffered when it may be cached, otherwise the handler's own response, untouched. */
type Outcome = { buffered: Buffered; response?: undefined } | { buffered?: undefined; response: Response }

function cacheable(response: Response): boolean {
  if (response.status !== 200 || response.headers.has('set-cookie')) return false
  if (!/^application\/json\b/i.test(response.headers.get('content-type') ?? '')) return false
  return !/no-store|private/i.test(response.headers.get('cache-control') ?? '')
}

async function buffer(response: Response): Promise<Buffered> {
  const headers: Array<[string, string]> = []
  response.headers.forEach((value, name) => {
    if (!DROPPED_HEADERS.has(name)) headers.push([name, value])
  })
  return { status: response.status, headers, body: await response.text() }
}

function withCacheHeader(response: Response, status: CacheStatus): Response {
  try {
    response.headers.set('x-cache', status)
    return response
  } catch {
    // Immutable headers (a fetched response): copy.
    const headers = new Headers(response.headers)
    headers.set('x-cache', status)
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}

function toResponse(outcome: Outcome, status: CacheStatus): Response {
  if (outcome.response) return withCacheHeader(outcome.response, status)
  const headers = new Headers(outcome.buffered.headers)
  headers.set('x-cache', status)
  return new Response(outcome.buffered.body, { status: outcome.buffered.status, headers })
}

/** Starts this process's invalidation listener on first use; waits at most a second for it. */
export async function ensureListening(config: ConfigPromise): Promise<void> {
  if (cacheInvalidationReady()) return
  try {
    await ensureCacheInvalidation(await getPayload({ config, cron: true }))
  } catch {
    // No listener: the cache stays off, requests are served as usual.
  }
}

async function ttlWithin(config: ConfigPromise, visibleFor: NonNullable<CachedCollection['visibleFor']>): Promise<number> {
  const horizon = await visibleFor(await getPayload({ config, cron: true }))
  return horizon === null ? responseTtlSeconds() : Math.min(responseTtlSeconds(), horizon)
}

/**
 * The API's cache layer, shared by the lean API server and the Next.js route:
 *
 * - an anonymous GET of a cached read is answered from the cache (`x-cache:
 *   HIT`), or computed, stored when it is a JSON 200, and answered (`MISS`);
 *   an authenticated one is computed and never stored (`BYPASS`);
 * - any other request that may write (POST, PUT, PATCH, DELETE) is answered
 *   only once what it committed has been invalidated, so a read that follows
 *   its answer can never see the old data.
 */
export async function handleWithCache(config: ConfigPromise, request: Request, next: () => Promise<Response>): Promise<Response> {
  const method = request.method
  if (method === 'GET') {
    const target = cacheTarget(request)
    if (!target) return next()
    if (!isAnonymous(request.headers)) return withCacheHeader(await next(), 'BYPASS')
    await ensureListening(config)
    const { value, cache } = await readThrough<Outcome>({
      areas: target.areas,
      key: target.key,
      ttlSeconds: target.visibleFor ? () => ttlWithin(config, target.visibleFor!) : responseTtlSeconds(),
      compute: async () => {
        const response = await next()
        return cacheable(response) ? { buffered: await buffer(response) } : { response }
      },
      serialize: (o) => (o.buffered && o.buffered.body.length <= MAX_CACHED_BODY ? JSON.stringify(o.buffered) : null),
      deserialize: (raw) => ({ buffered: JSON.parse(raw) as Buffered }),
    })
    return toResponse(value, cache)
  }
  if (method === 'HEAD' || method === 'OPTIONS') return next()
  await ensureListening(config)
  try {
    return await next()
  } finally {
    await awaitCacheInvalidation()
  }
}

/** Wraps a Next.js route handler (Payload's REST_GET, REST_POST…) in the cache layer. */
export function withResponseCache<C>(config: ConfigPromise, handler: (request: Request, context: C) => Promise<Response>) {
  return (request: Request, context: C): Promise<Response> => handleWithCache(config, request, () => handler(request, context))
}
