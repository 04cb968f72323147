import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { FallbackRateLimiter, MemoryRateLimiter, RedisRateLimiter, type RateLimiter, type RateLimitResult } from '../../src/lib/rate-limit'

const T0 = new Date('2030-01-01T00:00:00.000Z')

/** Hits `key` n times in a row and returns every verdict. */
async function hitTimes(limiter: RateLimiter, key: string, n: number, limit: number, windowSeconds: number) {
  const results: RateLimitResult[] = []
  for (let i = 0; i < n; i++) results.push(await limiter.hit(key, limit, windowSeconds))
  return results
}

/** An ioredis client aimed at a closed port: every command fails at once. */
function deadRedis(): Redis {
  const redis = new Redis('redis://127.0.0.1:1', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
    retryStrategy: () => null,
  })
  redis.on('error', () => undefined) // expected: nothing listens there
  return redis
}

describe('MemoryRateLimiter', () => {
  let limiter: MemoryRateLimiter

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(T0)
    limiter = new MemoryRateLimiter()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('allows up to the limit, counting down what remains', async () => {
    const results = await hitTimes(limiter, 'k', 3, 3, 60)
    expect(results.map((r) => r.allowed)).toEqual([true, true, true])
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0])
  })

  it('refuses once the limit is reached, with nothing remaining', async () => {
    await hitTimes(limiter, 'k', 3, 3, 60)
    const [fourth, fifth] = await hitTimes(limiter, 'k', 2, 3, 60)
    expect(fourth).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 60 })
    expect(fifth.allowed).toBe(false)
    expect(fifth.remaining).toBe(0)
  })

  it('a limit of 1 allows exactly one hit', async () => {
    const [first, second] = await hitTimes(limiter, 'one', 2, 1, 10)
    expect(first).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 10 })
    expect(second.allowed).toBe(false)
  })

  it('counts each key separately', async () => {
    await hitTimes(limiter, 'a', 2, 2, 60)
    expect((await limiter.hit('a', 2, 60)).allowed).toBe(false)
    expect(await limiter.hit('b', 2, 60)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 60 })
  })

  it('says how long is left of the window, never less than 1 s', async () => {
    await limiter.hit('k', 1, 60)
    vi.setSystemTime(T0.getTime() + 20_500)
    expect((await limiter.hit('k', 1, 60)).retryAfterSeconds).toBe(40) // 39.5 s rounds up
    vi.setSystemTime(T0.getTime() + 59_999)
    const last = await limiter.hit('k', 1, 60)
    expect(last.allowed).toBe(false)
    expect(last.retryAfterSeconds).toBe(1)
  })

  it('starts a fresh window when the old one has expired', async () => {
    await hitTimes(limiter, 'k', 3, 2, 60)
    vi.setSystemTime(T0.getTime() + 59_999)
    expect((await limiter.hit('k', 2, 60)).allowed).toBe(false)
    vi.setSystemTime(T0.getTime() + 60_000)
    expect(await limiter.hit('k', 2, 60)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 60 })
    expect((await limiter.hit('k', 2, 60)).allowed).toBe(true)
    expect((await limiter.hit('k', 2, 60)).allowed).toBe(false)
  })

  it('does not extend the window on later hits (fixed window)', async () => {
    await limiter.hit('k', 5, 60)
    vi.setSystemTime(T0.getTime() + 30_000)
    expect((await limiter.hit('k', 5, 60)).retryAfterSeconds).toBe(30)
  })

  it('reset() forgets the key, and only that key', async () => {
    await hitTimes(limiter, 'k', 2, 2, 60)
    await hitTimes(limiter, 'other', 2, 2, 60)
    await limiter.reset('k')
    expect(await limiter.hit('k', 2, 60)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 60 })
    expect((await limiter.hit('other', 2, 60)).allowed).toBe(false)
  })

  it('reset() of an unknown key is harmless', async () => {
    await expect(limiter.reset('never-seen')).resolves.toBeUndefined()
  })
})

describe.runIf(!!process.env.REDIS_URL)('RedisRateLimiter (real Redis at REDIS_URL)', () => {
  let redis: Redis
  let limiter: RedisRateLimiter
  const prefix = `patron:test:rl:${randomUUID()}:`
  const key = () => randomUUID()

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL as string)
    limiter = new RedisRateLimiter(redis, prefix)
  })
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length) await redis.del(...keys)
    await redis.quit()
  })

  it('allows up to the limit, then refuses with nothing remaining', async () => {
    const k = key()
    const results = await hitTimes(limiter, k, 5, 3, 60)
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false])
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0])
  })

  it('reports the time left in the window, between 1 s and the window', async () => {
    const k = key()
    const results = await hitTimes(limiter, k, 3, 2, 30)
    for (const r of results) {
      expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1)
      expect(r.retryAfterSeconds).toBeLessThanOrEqual(30)
    }
    expect(results[2].allowed).toBe(false)
  })

  it('stores the counter under its prefix with an expiry of the window', async () => {
    const k = key()
    await hitTimes(limiter, k, 2, 5, 30)
    expect(await redis.get(prefix + k)).toBe('2')
    const pttl = await redis.pttl(prefix + k)
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(30_000)
  })

  it('counts each key separately', async () => {
    const a = key()
    const b = key()
    await hitTimes(limiter, a, 2, 1, 60)
    expect((await limiter.hit(a, 1, 60)).allowed).toBe(false)
    expect((await limiter.hit(b, 1, 60)).allowed).toBe(true)
  })

  it('shares the count between limiters (processes) using the same Redis', async () => {
    const k = key()
    const other = new RedisRateLimiter(redis, prefix)
    expect((await limiter.hit(k, 2, 60)).allowed).toBe(true)
    expect((await other.hit(k, 2, 60)).allowed).toBe(true)
    expect((await limiter.hit(k, 2, 60)).allowed).toBe(false)
  })

  it('lets exactly `limit` of many concurrent hits through', async () => {
    const k = key()
    const results = await Promise.all(Array.from({ length: 25 }, () => limiter.hit(k, 10, 60)))
    expect(results.filter((r) => r.allowed)).toHaveLength(10)
    expect(await redis.get(prefix + k)).toBe('25')
  })

  it('starts a fresh window after the old one expires', async () => {
    const k = key()
    await hitTimes(limiter, k, 2, 1, 1)
    expect((await limiter.hit(k, 1, 1)).allowed).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 1_150))
    expect(await limiter.hit(k, 1, 1)).toMatchObject({ allowed: true, remaining: 0 })
  })

  it('repairs a counter left without an expiry', async () => {
    const k = key()
    await redis.set(prefix + k, '5')
    const r = await limiter.hit(k, 10, 20)
    expect(r).toMatchObject({ allowed: true, remaining: 4 })
    const pttl = await redis.pttl(prefix + k)
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(20_000)
  })

  it('reset() deletes the counter', async () => {
    const k = key()
    await hitTimes(limiter, k, 3, 2, 60)
    await limiter.reset(k)
    expect(await redis.exists(prefix + k)).toBe(0)
    expect(await limiter.hit(k, 2, 60)).toMatchObject({ allowed: true, remaining: 1 })
  })

  it('uses the default prefix patron:rl:', async () => {
    const k = `test-${randomUUID()}`
    const byDefault = new RedisRateLimiter(redis)
    await byDefault.hit(k, 1, 60)
    expect(await redis.get(`patron:rl:${k}`)).toBe('1')
    await byDefault.reset(k)
    expect(await redis.exists(`patron:rl:${k}`)).toBe(0)
  })
})

describe('FallbackRateLimiter', () => {
  describe('with Redis down (primary throws)', () => {
    let redis: Redis
    let primary: RedisRateLimiter

    beforeAll(() => {
      redis = deadRedis()
      primary = new RedisRateLimiter(redis)
    })
    afterAll(() => {
      redis.disconnect()
    })

    it('the primary really fails (precondition)', async () => {
      await expect(primary.hit('precondition', 1, 60)).rejects.toThrow()
    })

    it('falls back to memory and still enforces the limit', async () => {
      const factory = vi.fn(() => primary)
      const limiter = new FallbackRateLimiter(factory)
      const results = await hitTimes(limiter, 'login:1.2.3.4', 4, 3, 60)
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false])
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0])
      expect(results[3].retryAfterSeconds).toBeGreaterThanOrEqual(1)
      expect(results[3].retryAfterSeconds).toBeLessThanOrEqual(60)
      // Redis is tried on every call, so it takes over again as soon as it is back.
      expect(factory).toHaveBeenCalledTimes(4)
    })

    it('counts in the fallback it was given', async () => {
      const fallback = new MemoryRateLimiter()
      const limiter = new FallbackRateLimiter(() => primary, fallback)
      await hitTimes(limiter, 'k', 2, 5, 60)
      expect((await fallback.hit('k', 5, 60)).remaining).toBe(2)
    })

    it('reset() clears the in-memory count without throwing', async () => {
      const limiter = new FallbackRateLimiter(() => primary)
      await hitTimes(limiter, 'k', 2, 2, 60)
      expect((await limiter.hit('k', 2, 60)).allowed).toBe(false)
      await expect(limiter.reset('k')).resolves.toBeUndefined()
      expect((await limiter.hit('k', 2, 60)).allowed).toBe(true)
    })
  })

  describe('without Redis (primary() returns null)', () => {
    it('uses the in-memory limiter and enforces the limit', async () => {
      const fallback = new MemoryRateLimiter()
      const limiter = new FallbackRateLimiter(() => null, fallback)
      const results = await hitTimes(limiter, 'k', 3, 2, 60)
      expect(results.map((r) => r.allowed)).toEqual([true, true, false])
      expect((await fallback.hit('k', 2, 60)).allowed).toBe(false)
    })

    it('reset() clears the in-memory count', async () => {
      const limiter = new FallbackRateLimiter(() => null)
      await hitTimes(limiter, 'k', 2, 1, 60)
      await limiter.reset('k')
      expect((await limiter.hit('k', 1, 60)).allowed).toBe(true)
    })
  })

  describe('with a healthy primary', () => {
    function stubPrimary(verdict: RateLimitResult) {
      return { hit: vi.fn(async () => verdict), reset: vi.fn(async () => undefined) }
    }

    it('returns the primary’s verdict and leaves memory untouched', async () => {
      const primary = stubPrimary({ allowed: false, remaining: 0, retryAfterSeconds: 17 })
      const fallback = new MemoryRateLimiter()
      const limiter = new FallbackRateLimiter(() => primary, fallback)
      expect(await limiter.hit('k', 5, 60)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 17 })
      expect(primary.hit).toHaveBeenCalledWith('k', 5, 60)
      expect((await fallback.hit('k', 5, 60)).remaining).toBe(4)
    })

    it('reset() resets both the primary and the fallback', async () => {
      const primary = stubPrimary({ allowed: true, remaining: 1, retryAfterSeconds: 1 })
      const fallback = new MemoryRateLimiter()
      await fallback.hit('k', 1, 60)
      const limiter = new FallbackRateLimiter(() => primary, fallback)
      await limiter.reset('k')
      expect(primary.reset).toHaveBeenCalledWith('k')
      expect((await fallback.hit('k', 1, 60)).allowed).toBe(true)
    })

    it('switches back to the primary as soon as it is available again', async () => {
      const primary = stubPrimary({ allowed: true, remaining: 99, retryAfterSeconds: 5 })
      let up = false
      const limiter = new FallbackRateLimiter(() => (up ? primary : null))
      expect((await limiter.hit('k', 3, 60)).remaining).toBe(2)
      up = true
      expect((await limiter.hit('k', 3, 60)).remaining).toBe(99)
      expect(primary.hit).toHaveBeenCalledTimes(1)
    })
  })
})
