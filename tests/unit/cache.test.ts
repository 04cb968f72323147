import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MemoryCache } from '../../src/lib/cache'

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
