import net from 'node:net'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { MemoryCache, MemoryGenerationalCache, RedisCache, RedisGenerationalCache, type GenerationalCache } from '../../src/lib/cache'
import { cacheTarget, isAnonymous } from '../../src/lib/http/response-cache'

const T0 = new Date('2030-01-01T00:00:00.000Z')

describe('MemoryCache', () => {
  let cache: MemoryCache

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(T0)
    cache = new MemoryCache()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  describe('get / set / del', () => {
    it('misses a key that was never set', async () => {
      expect(await cache.get('nope')).toBeUndefined()
    })

    it('returns what was set, for any JSON-like value', async () => {
      await cache.set('n', 42, 60)
      await cache.set('s', 'text', 60)
      await cache.set('o', { a: 1, nested: { list: [1, 2, 3] } }, 60)
      await cache.set('zero', 0, 60)
      await cache.set('null', null, 60)
      expect(await cache.get('n')).toBe(42)
      expect(await cache.get('s')).toBe('text')
      expect(await cache.get('o')).toEqual({ a: 1, nested: { list: [1, 2, 3] } })
      expect(await cache.get('zero')).toBe(0)
      expect(await cache.get('null')).toBeNull()
    })

    it('overwrites a key that is set again', async () => {
      await cache.set('k', 'old', 60)
      await cache.set('k', 'new', 60)
      expect(await cache.get('k')).toBe('new')
    })

    it('del removes one or several keys and leaves the rest', async () => {
      await cache.set('a', 1, 60)
      await cache.set('b', 2, 60)
      await cache.set('c', 3, 60)
      await cache.del('a', 'c', 'missing')
      expect(await cache.get('a')).toBeUndefined()
      expect(await cache.get('b')).toBe(2)
      expect(await cache.get('c')).toBeUndefined()
    })

    it('del with no keys is harmless', async () => {
      await cache.set('a', 1, 60)
      await cache.del()
      expect(await cache.get('a')).toBe(1)
    })
  })

  describe('TTL', () => {
    it('keeps an entry until its TTL is up and drops it then', async () => {
      await cache.set('k', 'v', 30)
      vi.setSystemTime(T0.getTime() + 29_999)
      expect(await cache.get('k')).toBe('v')
      vi.setSystemTime(T0.getTime() + 30_000)
      expect(await cache.get('k')).toBeUndefined()
      // Once expired it stays gone, even if the clock went back.
      vi.setSystemTime(T0)
      expect(await cache.get('k')).toBeUndefined()
    })

    it('gives each entry its own TTL', async () => {
      await cache.set('short', 1, 10)
      await cache.set('long', 2, 100)
      vi.advanceTimersByTime(50_000)
      expect(await cache.get('short')).toBeUndefined()
      expect(await cache.get('long')).toBe(2)
    })

    it('setting a key again restarts its TTL', async () => {
      await cache.set('k', 'first', 10)
      vi.setSystemTime(T0.getTime() + 8_000)
      await cache.set('k', 'second', 10)
      vi.setSystemTime(T0.getTime() + 15_000)
      expect(await cache.get('k')).toBe('second')
    })

    it('a TTL of 0 caches nothing', async () => {
      await cache.set('k', 'v', 0)
      expect(await cache.get('k')).toBeUndefined()
    })
  })

  describe('isolation (values are copied)', () => {
    it('mutating a value read from the cache does not change the cache', async () => {
      await cache.set('k', { count: 1, tags: ['a'] }, 60)
      const first = await cache.get<{ count: number; tags: string[] }>('k')
      first!.count = 999
      first!.tags.push('mutated')
      expect(await cache.get('k')).toEqual({ count: 1, tags: ['a'] })
    })

    it('mutating the value after set does not change the cache', async () => {
      const value = { count: 1, nested: { deep: true } }
      await cache.set('k', value, 60)
      value.count = 2
      value.nested.deep = false
      expect(await cache.get('k')).toEqual({ count: 1, nested: { deep: true } })
    })

    it('each read returns a distinct copy', async () => {
      await cache.set('k', { a: 1 }, 60)
      const a = await cache.get('k')
      const b = await cache.get('k')
      expect(a).toEqual(b)
      expect(a).not.toBe(b)
    })
  })

  describe('bounded size', () => {
    it('evicts the oldest entries beyond maxEntries', async () => {
      const small = new MemoryCache(3)
      for (const k of ['a', 'b', 'c', 'd', 'e']) await small.set(k, k.toUpperCase(), 60)
      expect(await small.get('a')).toBeUndefined()
      expect(await small.get('b')).toBeUndefined()
      expect(await small.get('c')).toBe('C')
      expect(await small.get('d')).toBe('D')
      expect(await small.get('e')).toBe('E')
    })

    it('treats a re-set key as the newest', async () => {
      const small = new MemoryCache(2)
      await small.set('a', 1, 60)
      await small.set('b', 2, 60)
      await small.set('a', 10, 60) // a is now newer than b
      await small.set('c', 3, 60)
      expect(await small.get('b')).toBeUndefined()
      expect(await small.get('a')).toBe(10)
      expect(await small.get('c')).toBe(3)
    })

    it('re-setting an existing key at capacity evicts nothing', async () => {
      const small = new MemoryCache(2)
      await small.set('a', 1, 60)
      await small.set('b', 2, 60)
      await small.set('b', 20, 60)
      expect(await small.get('a')).toBe(1)
      expect(await small.get('b')).toBe(20)
    })
  })

  describe('wrap', () => {
    it('computes on a miss, then serves the cached value without computing again', async () => {
      const compute = vi.fn(async () => ({ total: 10 }))
      expect(await cache.wrap('k', 60, compute)).toEqual({ total: 10 })
      expect(await cache.wrap('k', 60, compute)).toEqual({ total: 10 })
      expect(await cache.wrap('k', 60, compute)).toEqual({ total: 10 })
      expect(compute).toHaveBeenCalledTimes(1)
      expect(await cache.get('k')).toEqual({ total: 10 })
    })

    it('returns an already cached value without computing', async () => {
      await cache.set('k', 'cached', 60)
      const compute = vi.fn(async () => 'computed')
      expect(await cache.wrap('k', 60, compute)).toBe('cached')
      expect(compute).not.toHaveBeenCalled()
    })

    it('caches falsy values too (0 is a hit)', async () => {
      const compute = vi.fn(async () => 0)
      await cache.wrap('zero', 60, compute)
      expect(await cache.wrap('zero', 60, compute)).toBe(0)
      expect(compute).toHaveBeenCalledTimes(1)
    })

    it('computes again once the TTL is up', async () => {
      let n = 0
      const compute = vi.fn(async () => ++n)
      expect(await cache.wrap('k', 10, compute)).toBe(1)
      vi.advanceTimersByTime(10_000)
      expect(await cache.wrap('k', 10, compute)).toBe(2)
      expect(compute).toHaveBeenCalledTimes(2)
    })

    it('computes again after del (invalidation)', async () => {
      let n = 0
      const compute = async () => ++n
      await cache.wrap('k', 60, compute)
      await cache.del('k')
      expect(await cache.wrap('k', 60, compute)).toBe(2)
    })

    it('caches nothing when compute throws, and passes the error on', async () => {
      await expect(cache.wrap('k', 60, async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down')
      expect(await cache.get('k')).toBeUndefined()
      expect(await cache.wrap('k', 60, async () => 'ok')).toBe('ok')
    })
  })
})

/** An ioredis client aimed at a closed port: every command fails at once. */
function deadRedis(): Redis {
  const redis = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null })
  redis.on('error', () => undefined) // expected: nothing listens there
  return redis
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

const redisUrl = process.env.REDIS_URL || ((await reachable('127.0.0.1', 6379)) ? 'redis://127.0.0.1:6379' : '')
let liveRedis: Redis | null = null
const livePrefix = `patron:unit-${randomUUID()}:`

beforeAll(async () => {
  if (!redisUrl) {
    console.warn('[cache unit test] no REDIS_URL and no Redis on 127.0.0.1:6379: the Redis store runs only its "Redis down" tests')
    return
  }
  liveRedis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
  await liveRedis.ping()
})

afterAll(async () => {
  if (!liveRedis) return
  const keys = await liveRedis.keys(`${livePrefix}*`)
  if (keys.length) await liveRedis.del(...keys)
  await liveRedis.quit()
})

/** The same contract, whichever store keeps the generations. */
function generationalContract(make: () => GenerationalCache) {
  let cache: GenerationalCache
  beforeEach(() => {
    cache = make()
  })

  it('an area without a generation is uninitialized until its first bump', async () => {
    expect(await cache.lookup(['a'], 'k')).toEqual({ status: 'uninitialized' })
    expect(await cache.bump(['a'])).toBe(true)
    expect((await cache.lookup(['a'], 'k')).status).toBe('miss')
  })

  it('stores under the stamp of the lookup and finds it again', async () => {
    await cache.bump(['a', 'b'])
    const miss = await cache.lookup(['a', 'b'], 'k')
    if (miss.status !== 'miss') throw new Error(`expected a miss, got ${miss.status}`)
    await cache.store(miss.stamp, 'k', '{"v":1}', 60)
    expect(await cache.lookup(['a', 'b'], 'k')).toEqual({ status: 'hit', value: '{"v":1}' })
    expect((await cache.lookup(['a', 'b'], 'other')).status).toBe('miss')
  })

  it('bumping any area the entry read makes it unreachable; other areas keep theirs', async () => {
    await cache.bump(['a', 'b', 'c'])
    for (const areas of [['a', 'b'], ['c']]) {
      const miss = await cache.lookup(areas, 'k')
      if (miss.status !== 'miss') throw new Error('expected a miss')
      await cache.store(miss.stamp, 'k', JSON.stringify(areas), 60)
    }
    await cache.bump(['b'])
    expect((await cache.lookup(['a', 'b'], 'k')).status).toBe('miss')
    expect(await cache.lookup(['c'], 'k')).toEqual({ status: 'hit', value: '["c"]' })
  })

  it('a value computed before a bump and stored after it is never served', async () => {
    await cache.bump(['a'])
    const before = await cache.lookup(['a'], 'k')
    if (before.status !== 'miss') throw new Error('expected a miss')
    await cache.bump(['a']) // the data changed while the reader computed
    await cache.store(before.stamp, 'k', 'old', 60)
    expect((await cache.lookup(['a'], 'k')).status).toBe('miss')
  })

  it('generations only grow and start at the current time, so they never repeat', async () => {
    await cache.bump(['a'])
    const stamps: number[] = []
    for (let i = 0; i < 5; i++) {
      const r = await cache.lookup(['a'], 'k')
      if (r.status !== 'miss') throw new Error('expected a miss')
      stamps.push(Number(r.stamp))
      await cache.bump(['a'])
    }
    expect(stamps[0]).toBeGreaterThanOrEqual((Date.now() - 60_000) * 1000)
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).toBeGreaterThan(stamps[i - 1])
  })

  it('a TTL of 0 stores nothing; entries expire by their TTL', async () => {
    await cache.bump(['a'])
    const r = await cache.lookup(['a'], 'k')
    if (r.status !== 'miss') throw new Error('expected a miss')
    await cache.store(r.stamp, 'k', 'v', 0)
    expect((await cache.lookup(['a'], 'k')).status).toBe('miss')
    await cache.store(r.stamp, 'k', 'v', 0.15)
    expect((await cache.lookup(['a'], 'k')).status).toBe('hit')
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect((await cache.lookup(['a'], 'k')).status).toBe('miss')
  })
}

describe('MemoryGenerationalCache', () => {
  generationalContract(() => new MemoryGenerationalCache())
})

describe('RedisGenerationalCache', () => {
  describe.runIf(!!redisUrl)('against Redis', () => {
    generationalContract(() => new RedisGenerationalCache(`${livePrefix}${randomUUID()}:`, () => liveRedis))

    it('a generation lost by Redis (flush, eviction) makes lookups uninitialized, and the next one starts above the old', async () => {
      const prefix = `${livePrefix}${randomUUID()}:`
      const cache = new RedisGenerationalCache(prefix, () => liveRedis)
      await cache.bump(['a'])
      await cache.bump(['a'])
      const r = await cache.lookup(['a'], 'k')
      if (r.status !== 'miss') throw new Error('expected a miss')
      await liveRedis!.del(`${prefix}gen:a`)
      expect(await cache.lookup(['a'], 'k')).toEqual({ status: 'uninitialized' })
      await cache.bump(['a'])
      const after = await cache.lookup(['a'], 'k')
      if (after.status !== 'miss') throw new Error('expected a miss')
      expect(Number(after.stamp)).toBeGreaterThan(Number(r.stamp))
      expect(await liveRedis!.ttl(`${prefix}gen:a`)).toBeGreaterThan(0)
    })
  })

  describe('with Redis down', () => {
    const dead = deadRedis()
    afterAll(() => dead.disconnect())
    const cache = new RedisGenerationalCache('patron:unit-dead:', () => dead)

    it('lookups are unavailable, bumps report failure, stores do nothing; none of them throws', async () => {
      expect(await cache.lookup(['a'], 'k')).toEqual({ status: 'unavailable' })
      expect(await cache.bump(['a'])).toBe(false)
      await expect(cache.store('1', 'k', 'v', 60)).resolves.toBeUndefined()
    })

    it('without any client (REDIS_URL unset) it is unavailable too', async () => {
      const none = new RedisGenerationalCache('patron:unit-none:', () => null)
      expect(await none.lookup(['a'], 'k')).toEqual({ status: 'unavailable' })
      expect(await none.bump(['a'])).toBe(false)
    })
  })
})

describe('RedisCache with Redis down', () => {
  const dead = deadRedis()
  afterAll(() => dead.disconnect())

  it('caches nothing and never throws; wrap computes every time', async () => {
    const cache = new RedisCache('patron:unit-dead:', () => dead)
    await cache.set('k', 1, 60)
    expect(await cache.get('k')).toBeUndefined()
    await expect(cache.del('k')).resolves.toBeUndefined()
    let n = 0
    expect(await cache.wrap('k', 60, async () => ++n)).toBe(1)
    expect(await cache.wrap('k', 60, async () => ++n)).toBe(2)
  })
})

describe('response cache: who and what', () => {
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => new Request(`http://localhost${path}`, { method, headers })

  it('anonymous means no Authorization header and no *-token cookie', () => {
    expect(isAnonymous(new Headers())).toBe(true)
    expect(isAnonymous(new Headers({ cookie: 'theme=dark; lang=en' }))).toBe(true)
    expect(isAnonymous(new Headers({ authorization: 'JWT abc' }))).toBe(false)
    expect(isAnonymous(new Headers({ authorization: 'users API-Key abc' }))).toBe(false)
    expect(isAnonymous(new Headers({ cookie: 'payload-token=abc' }))).toBe(false)
    expect(isAnonymous(new Headers({ cookie: 'theme=dark; payload-token=abc' }))).toBe(false)
    expect(isAnonymous(new Headers({ cookie: 'shop-token=abc' }))).toBe(false)
  })

  it('caches GETs of lists and documents of the catalogue collections only', () => {
    expect(cacheTarget(get('/api/products'))?.areas).toEqual(['products', 'categories', 'media'])
    expect(cacheTarget(get('/api/products/12?depth=1'))).not.toBeNull()
    expect(cacheTarget(get('/api/categories/3'))).not.toBeNull()
    expect(cacheTarget(get('/api/vouchers'))?.visibleFor).toBeTypeOf('function')
    for (const path of ['/api/products/stats', '/api/vouchers/stats', '/api/products/versions', '/api/media/file/a.png', '/api/orders/1', '/api/members', '/api/users/me', '/api/globals/settings', '/api/products/1/extra', '/api/health']) {
      expect(cacheTarget(get(path)), path).toBeNull()
    }
    expect(cacheTarget(get('/api/products/1', {}, 'POST'))).toBeNull()
    expect(cacheTarget(get('/api/products/1', {}, 'HEAD'))).toBeNull()
  })

  it('keys on the whole query string as sent and on the Origin, not on other headers', () => {
    const key = (path: string, headers: Record<string, string> = {}) => cacheTarget(get(path, headers))!.key
    expect(key('/api/products/1')).toBe(key('/api/products/1', { 'accept-language': 'de', 'user-agent': 'x' }))
    expect(key('/api/products/1')).not.toBe(key('/api/products/1?draft=true'))
    expect(key('/api/products/1?depth=0')).not.toBe(key('/api/products/1?depth=1'))
    expect(key('/api/products/1?locale=en')).not.toBe(key('/api/products/1?locale=fr'))
    expect(key('/api/products?a=1&b=2')).not.toBe(key('/api/products?b=2&a=1'))
    expect(key('/api/products/1')).not.toBe(key('/api/products/1', { origin: 'https://shop.example' }))
    expect(key('/api/products/1')).not.toBe(key('/api/categories/1'))
  })
})
