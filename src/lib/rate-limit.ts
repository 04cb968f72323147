import type { Redis } from 'ioredis'
import { getRedis, redisReady } from './redis'

export type RateLimitResult = {
  allowed: boolean
  /** Requests left in the current window (0 when refused). */
  remaining: number
  /** Seconds until the window resets; what a 429's Retry-After says. */
  retryAfterSeconds: number
}

export interface RateLimiter {
  /** Counts one hit against `key` and says whether it is within `limit` per `windowSeconds`. */
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>
  /** Forgets a key (e.g. after a successful login, or in tests). */
  reset(key: string): Promise<void>
}

function result(count: number, limit: number, ttlMs: number): RateLimitResult {
  return {
    allowed: count <= limit,
    remaining: Math.max(0, limit - count),
    retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  }
}

/** Fixed-window counter kept in this process's memory. */
export class MemoryRateLimiter implements RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>()

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const now = Date.now()
    let w = this.windows.get(key)
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowSeconds * 1000 }
      this.windows.set(key, w)
      this.sweep(now)
    }
    w.count += 1
    return result(w.count, limit, w.resetAt - now)
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key)
  }

  // Drop expired windows now and then so the map cannot grow without bound.
  private sweep(now: number) {
    if (this.windows.size < 10_000) return
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k)
  }
}

// INCR and set the expiry on the first hit, atomically; returns [count, ttl in ms].
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`

/** Fixed-window counter shared by every app process through Redis. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private redis: Redis,
    private prefix = 'patron:rl:',
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, String(windowSeconds * 1000))) as [
      number,
      number,
    ]
    return result(count, limit, ttl)
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key)
  }
}

/**
 * Uses Redis when it is configured and reachable, and the in-process limiter
 * otherwise, per call: Redis going down degrades to per-process limits.
 */
export class FallbackRateLimiter implements RateLimiter {
  constructor(
    private primary: () => RateLimiter | null,
    private fallback: RateLimiter = new MemoryRateLimiter(),
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const primary = this.primary()
    if (primary) {
      try {
        return await primary.hit(key, limit, windowSeconds)
      } catch {
        // Redis failed mid-call: fall through to the in-process limiter.
      }
    }
    return this.fallback.hit(key, limit, windowSeconds)
  }

  async reset(key: string): Promise<void> {
    await this.fallback.reset(key)
    const primary = this.primary()
    if (primary) await primary.reset(key).catch(() => undefined)
  }
}

let shared: RateLimiter | undefined

/** The app's rate limiter: Redis-backed when REDIS_URL is set and Redis is up. */
export function getRateLimiter(): RateLimiter {
  if (!shared) {
    let redisLimiter: RedisRateLimiter | null = null
    shared = new FallbackRateLimiter(() => {
      const redis = getRedis()
      if (!redis || !redisReady()) return null
      redisLimiter ??= new RedisRateLimiter(redis)
      return redisLimiter
    })
  }
  return shared
}
