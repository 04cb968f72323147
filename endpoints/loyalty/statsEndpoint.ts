import type { Endpoint, Payload, PayloadRequest } from 'payload'
import type { Period } from '../../src/domain/periods'
import { ensureCacheInvalidation, readThrough } from '../../src/lib/cache-invalidation'
import { periodCacheKey, statsPeriod, statsTtlSeconds, withPeriod } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'

/** Staff who read loyalty statistics. */
export const LOYALTY_STATS_ROLES = ['super-admin', 'admin', 'moderator', 'support'] as const

export type StatsCache = {
  /** Names the statistic in the cache key. */
  name: string
  /** Data areas it reads; a write to any of them invalidates its answers. */
  areas: readonly string[]
  /** More of the query that changes the answer (e.g. a list limit), after the period. */
  key?: (req: PayloadRequest) => string
}

/**
 * Answers a statistic through the cache (short TTL, invalidated by writes to
 * its areas), with `x-cache: HIT|MISS|BYPASS`. Call it only after the access
 * check: the answer is the same for every caller allowed to see it.
 */
export async function cachedStatsResponse(req: PayloadRequest, cache: StatsCache, period: Period, compute: () => Promise<unknown>): Promise<Response> {
  await ensureCacheInvalidation(req.payload)
  const extra = cache.key ? `|${cache.key(req)}` : ''
  const { value, cache: status } = await readThrough({
    areas: cache.areas,
    key: `stats:${cache.name}:${periodCacheKey(period, req.query)}${extra}`,
    ttlSeconds: statsTtlSeconds(),
    compute,
    serialize: (v) => JSON.stringify(v),
    deserialize: (raw) => JSON.parse(raw) as unknown,
  })
  // A cached answer up to "now" was computed a little earlier: echo the period asked for now.
  return Response.json(status === 'HIT' ? withPeriod(value, period) : value, { headers: { 'x-cache': status } })
}

/**
 * `GET /stats` on a loyalty collection: checks the caller, parses
 * `from`/`to`/`interval` (400 on bad input), and answers what `compute`
 * returns, cached for a short time.
 */
export function loyaltyStatsEndpoint(
  compute: (payload: Payload, period: Period, req: PayloadRequest) => Promise<unknown>,
  cache: StatsCache,
): Endpoint {
  return {
    path: '/stats',
    method: 'get',
    handler: async (req) => {
      requireStaff(req, [...LOYALTY_STATS_ROLES])
      const period = await statsPeriod(req.payload, req.query)
      return cachedStatsResponse(req, cache, period, () => compute(req.payload, period, req))
    },
  }
}
