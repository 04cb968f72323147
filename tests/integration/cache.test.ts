import net from 'node:net'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { Payload } from 'payload'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEDGER_STATS_AREAS, MEMBER_STATS_AREAS, REDEMPTION_STATS_AREAS, VOUCHER_STATS_AREAS } from '../../src/services/loyalty/stats'
import { ORDER_STATS_AREAS } from '../../src/services/commerce/stats'
import { MemoryGenerationalCache, RedisGenerationalCache, type GenerationalCache } from '../../src/lib/cache'
import { awaitCacheInvalidation, bumpAll, cacheInvalidationReady, ensureCacheInvalidation, setCacheBackend, watchedAreas } from '../../src/lib/cache-invalidation'
import { inTransaction } from '../../src/lib/db/sql'
import { CACHED_COLLECTIONS } from '../../src/lib/http/response-cache'
import { moveStock } from '../../src/services/commerce/inventory'
import { createOrder, createProduct, stockOf } from '../helpers/commerce'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { createMember, createVoucher, type MemberFixture } from '../helpers/members'
import { rest, type RestResponse } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

/*
 * The cache layer end to end, over real HTTP through the lean API server (the
 * Next.js route uses the same handleWithCache). Every test runs against each
 * store: Redis (REDIS_URL, or the machine's Redis on 127.0.0.1:6379) and this
 * process's memory (what runs without REDIS_URL). Each store gets its own key
 * prefix, so runs sharing one Redis never meet.
 */

const LOCAL_REDIS = 'redis://127.0.0.1:6379'

function reachable(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

const redisUrl = process.env.REDIS_URL || ((await reachable('127.0.0.1', 6379)) ? LOCAL_REDIS : '')
if (!redisUrl) {
  console.warn('[cache.test] REDIS_URL is not set and no Redis answers on 127.0.0.1:6379: the Redis store is NOT tested here (set REDIS_URL)')
}

let ctx: TestContext
let payload: Payload
let admin: StaffFixture
let editor: StaffFixture
let moderator: StaffFixture
let member: MemberFixture
let redis: Redis | null = null
const prefixes: string[] = []

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  await ensureCacheInvalidation(payload, 10_000)
  admin = await createStaff(payload, ctx.api, 'admin')
  editor = await createStaff(payload, ctx.api, 'editor')
  moderator = await createStaff(payload, ctx.api, 'moderator')
  member = await createMember(payload)
  if (redisUrl) {
    redis = new Redis(redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: 1 })
    // A Redis that is configured but does not answer is a failure, not a skip.
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`Redis at ${redisUrl} does not answer`)), 5_000)),
    ])
  }
})

afterAll(async () => {
  setCacheBackend(undefined)
  if (redis) {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length) await redis.del(...keys)
    }
    await redis.quit()
  }
})

/** Uses `backend` for the API's cache from now on, with every generation set. */
async function useBackend(backend: GenerationalCache | null) {
  setCacheBackend(backend)
  await bumpAll()
}

function redisBackend(): GenerationalCache {
  const prefix = `patron:test-${uniq()}:`
  prefixes.push(prefix)
  return new RedisGenerationalCache(prefix, () => redis)
}

/** An ioredis client aimed at a closed port: every command fails at once. */
function deadRedis(): Redis {
  const dead = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null })
  dead.on('error', () => undefined)
  return dead
}

const anon = (path: string, headers: Record<string, string> = {}) => rest(`${ctx.api}${path}`, { headers })
const cacheOf = (res: RestResponse) => res.headers.get('x-cache')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Reads `path` anonymously until `check` passes or `ms` elapse; returns the last answer and how long it took. */
async function pollUntil(path: string, check: (res: RestResponse) => boolean, ms = 1_000) {
  const start = Date.now()
  let res = await anon(path)
  while (!check(res) && Date.now() - start < ms) {
    await sleep(10)
    res = await anon(path)
  }
  return { res, waited: Date.now() - start }
}

it('the migration watches every area the caches read', () => {
  expect(cacheInvalidationReady()).toBe(true)
  const areas = new Set([
    ...Object.values(CACHED_COLLECTIONS).flatMap((c) => c.areas),
    ...ORDER_STATS_AREAS,
    ...MEMBER_STATS_AREAS,
    ...LEDGER_STATS_AREAS,
    ...VOUCHER_STATS_AREAS,
    ...REDEMPTION_STATS_AREAS,
  ])
  expect([...areas].filter((a) => !watchedAreas().has(a))).toEqual([])
})

const stores: Array<[string, () => GenerationalCache]> = [['memory', () => new MemoryGenerationalCache()]]
// Without Redis (a bare `npm test` on a fresh machine) only the memory store is tested; CI sets REDIS_URL.
if (redisUrl) stores.unshift(['redis', redisBackend])

describe.each(stores)('with the %s store', (_name, make) => {
  beforeAll(async () => {
    await useBackend(make())
  })

  describe('anonymous catalogue reads', () => {
    it('the second read of a product is a HIT with the same body; lists too', async () => {
      const p = await createProduct(payload, { price: 1234 })
      const first = await anon(`/products/${p.id}`)
      expect(first.status).toBe(200)
      expect(cacheOf(first)).toBe('MISS')
      const second = await anon(`/products/${p.id}`)
      expect(cacheOf(second)).toBe('HIT')
      expect(second.body).toEqual(first.body)
      expect(second.headers.get('content-type')).toMatch(/application\/json/)

      const list = `/products?where[id][equals]=${p.id}&depth=0`
      expect(cacheOf(await anon(list))).toBe('MISS')
      const again = await anon(list)
      expect(cacheOf(again)).toBe('HIT')
      expect(again.body.docs.map((d: { id: number }) => d.id)).toEqual([p.id])
      // Another query string is another entry.
      expect(cacheOf(await anon(`${list}&limit=5`))).toBe('MISS')
    })

    it('does not cache a 404, custom endpoints or other collections', async () => {
      expect(cacheOf(await anon('/products/999999999'))).toBe('MISS')
      const missing = await anon('/products/999999999')
      expect(missing.status).toBe(404)
      expect(cacheOf(missing)).toBe('MISS')
      expect(cacheOf(await anon('/health'))).toBeNull()
      expect(cacheOf(await anon('/globals/settings'))).toBeNull()
    })

    it('after a PATCH of the price returns, no read returns the old price (50 times, readers hammering)', async () => {
      const p = await createProduct(payload, { price: 1000 })
      const path = `/products/${p.id}?depth=0`
      let hits = 0
      for (let i = 1; i <= 50; i++) {
        const oldPrice = 1000 + i - 1
        const newPrice = 1000 + i
        // Warm the cache with the current price.
        expect((await anon(path)).body.price).toBe(oldPrice)
        let patchedAt = Infinity
        let stop = false
        const stale: Array<{ price: number; cache: string | null }> = []
        const reader = async () => {
          let afterPatch = 0
          while (!stop || afterPatch < 2) {
            const started = performance.now()
            const res = await anon(path)
            expect(res.status).toBe(200)
            if (cacheOf(res) === 'HIT') hits++
            if (started > patchedAt) {
              afterPatch++
              if (res.body.price !== newPrice) stale.push({ price: res.body.price, cache: cacheOf(res) })
            } else expect([oldPrice, newPrice]).toContain(res.body.price)
          }
        }
        const readers = Array.from({ length: 4 }, reader)
        await sleep(2)
        const patch = await rest(`${ctx.api}/products/${p.id}`, { method: 'PATCH', token: admin.token, body: { price: newPrice } })
        patchedAt = performance.now()
        stop = true
        expect(patch.status, JSON.stringify(patch.body)).toBe(200)
        await Promise.all(readers)
        expect(stale, `round ${i}`).toEqual([])
        expect((await anon(path)).body.price).toBe(newPrice)
      }
      expect(hits).toBeGreaterThan(50)
    }, 180_000)

    it('a stock move in a service transaction is visible as soon as the transaction returns', async () => {
      const p = await createProduct(payload, { stock: 20 })
      const path = `/products/${p.id}`
      await anon(path)
      expect(cacheOf(await anon(path))).toBe('HIT')
      await inTransaction(payload, undefined, (db) => moveStock(db, { productId: p.id, delta: -3, reason: 'order', defaultThreshold: 0 }))
      const res = await anon(path)
      expect(res.body.stockQuantity).toBe(17)
      expect(cacheOf(res)).toBe('MISS')
    })

    it('a read that cached the old row while a transaction was open does not outlive its commit', async () => {
      const p = await createProduct(payload, { stock: 50 })
      const path = `/products/${p.id}`
      let release!: () => void
      let moved!: () => void
      const held = new Promise<void>((r) => (release = r))
      const inside = new Promise<void>((r) => (moved = r))
      const tx = inTransaction(payload, undefined, async (db) => {
        await moveStock(db, { productId: p.id, delta: -5, reason: 'order', defaultThreshold: 0 })
        moved()
        await held
      })
      await inside
      // Not committed yet: readers see, and cache, the old stock.
      expect((await anon(path)).body.stockQuantity).toBe(50)
      const during = await anon(path)
      expect(during.body.stockQuantity).toBe(50)
      expect(cacheOf(during)).toBe('HIT')
      release()
      await tx
      expect((await anon(path)).body.stockQuantity).toBe(45)
      expect(await stockOf(payload, p.id)).toBe(45)
    })

    it('a write by another process (its own connection) is invalidated by its notification, within a second', async () => {
      const p = await createProduct(payload, { stock: 30, price: 500 })
      const path = `/products/${p.id}`
      await anon(path)
      expect(cacheOf(await anon(path))).toBe('HIT')
      const other = new pg.Client({ connectionString: process.env.DATABASE_URL })
      await other.connect()
      try {
        await other.query(`begin; select set_config('patron.computed_write', 'on', true); update products set price = 777, stock_quantity = 29 where id = $1;`.replace('$1', String(p.id)))
        await other.query('commit')
      } finally {
        await other.end()
      }
      const { res, waited } = await pollUntil(path, (r) => r.body.price === 777)
      expect(res.body).toMatchObject({ price: 777, stockQuantity: 29 })
      expect(waited).toBeLessThan(1_000)
      // And once this process has caught up (a fence), the very next read is fresh.
      await awaitCacheInvalidation()
      expect((await anon(path)).body.price).toBe(777)
    })

    it('an order confirmed through the API takes stock; the next anonymous read shows it', async () => {
      const p = await createProduct(payload, { stock: 10 })
      const path = `/products/${p.id}`
      await anon(path)
      expect(cacheOf(await anon(path))).toBe('HIT')
      const order = await createOrder(payload, { items: [{ product: p.id, quantity: 4 }] })
      const res = await rest(`${ctx.api}/orders/${order.id}/transition`, { method: 'POST', token: moderator.token, body: { status: 'confirmed' } })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect((await anon(path)).body.stockQuantity).toBe(6)
    })

    it('a change to a category shows in the products that populate it', async () => {
      const category = await payload.create({ collection: 'categories', data: { title: `Cat ${uniq()}` } as never })
      const p = await payload.create({
        collection: 'products',
        data: { title: `P ${uniq()}`, sku: uniq('SKU').toUpperCase(), price: 100, stockQuantity: 1, status: 'active', _status: 'published', category: category.id } as never,
      })
      const path = `/products/${p.id}?depth=1`
      await anon(path)
      expect(cacheOf(await anon(path))).toBe('HIT')
      const renamed = await rest(`${ctx.api}/categories/${category.id}`, { method: 'PATCH', token: admin.token, body: { title: 'Renamed category' } })
      expect(renamed.status).toBe(200)
      expect((await anon(path)).body.category.title).toBe('Renamed category')
    })

    it('vouchers: stock moves show at once, and a voucher leaves the cache when its validity ends', async () => {
      const v = (await createVoucher(payload, { stock: 5, validTo: new Date(Date.now() + 1_500).toISOString() })) as unknown as { id: number }
      const path = `/vouchers/${v.id}`
      expect((await anon(path)).body.stock).toBe(5)
      expect(cacheOf(await anon(path))).toBe('HIT')
      const restock = await rest(`${ctx.api}/vouchers/${v.id}`, { method: 'PATCH', token: admin.token, body: { stockAdjustment: 2 } })
      expect(restock.status, JSON.stringify(restock.body)).toBe(200)
      expect((await anon(path)).body.stock).toBe(7)
      // Past validTo anonymous callers may no longer see it: the cached answer must not outlive that.
      await sleep(1_700)
      expect((await anon(path)).status).toBe(404)
    })
  })

  describe('who is served from the cache', () => {
    it('a draft never reaches anonymous callers through the cache; staff see it, uncached', async () => {
      const draft = await createProduct(payload, { published: false, price: 4321 })
      const path = `/products/${draft.id}`
      const list = `/products?where[id][equals]=${draft.id}`
      // Staff first: their answers are never stored.
      const staff = await rest(`${ctx.api}${path}?draft=true`, { token: editor.token })
      expect(staff.status).toBe(200)
      expect(cacheOf(staff)).toBe('BYPASS')
      const staffList = await rest(`${ctx.api}${list}&draft=true`, { token: editor.token })
      expect(staffList.body.docs).toHaveLength(1)
      expect(cacheOf(staffList)).toBe('BYPASS')
      for (let i = 0; i < 2; i++) {
        expect((await anon(path)).status).toBe(404)
        expect((await anon(`${path}?draft=true`)).status).toBe(404)
        expect((await anon(list)).body.docs).toEqual([])
        expect((await anon(`${list}&draft=true`)).body.docs).toEqual([])
      }
      // Staff still see it after anonymous callers filled the cache.
      expect((await rest(`${ctx.api}${path}?draft=true`, { token: editor.token })).body.price).toBe(4321)
    })

    it('a draft of a published product: anonymous callers keep the published version', async () => {
      const p = await createProduct(payload, { price: 1500 })
      const path = `/products/${p.id}`
      await anon(path)
      const draft = await rest(`${ctx.api}${path}?draft=true`, { method: 'PATCH', token: admin.token, body: { _status: 'draft', title: 'Draft title' } })
      expect(draft.status, JSON.stringify(draft.body)).toBe(200)
      for (const q of ['', '?draft=true']) {
        const res = await anon(`${path}${q}`)
        expect(res.status).toBe(200)
        expect(res.body.title).not.toBe('Draft title')
      }
      expect((await rest(`${ctx.api}${path}?draft=true`, { token: editor.token })).body.title).toBe('Draft title')
    })

    it('authenticated reads (JWT, member, session cookie, API key header) are never served from the cache', async () => {
      const p = await createProduct(payload)
      const path = `/products/${p.id}`
      await anon(path)
      expect(cacheOf(await anon(path))).toBe('HIT')
      expect(cacheOf(await rest(`${ctx.api}${path}`, { token: admin.token }))).toBe('BYPASS')
      expect(cacheOf(await rest(`${ctx.api}${path}`, { headers: { authorization: `JWT ${member.token}` } }))).toBe('BYPASS')
      expect(cacheOf(await anon(path, { cookie: `other=1; payload-token=${member.token}` }))).toBe('BYPASS')
      expect(cacheOf(await anon(path, { authorization: 'users API-Key nope' }))).toBe('BYPASS')
      // An unrelated cookie is still anonymous.
      expect(cacheOf(await anon(path, { cookie: 'theme=dark' }))).toBe('HIT')
    })

    it('an archived product disappears for anonymous callers at once', async () => {
      const p = await createProduct(payload)
      const path = `/products/${p.id}`
      await anon(path)
      expect(cacheOf(await anon(path))).toBe('HIT')
      expect((await rest(`${ctx.api}${path}`, { method: 'PATCH', token: admin.token, body: { status: 'archived' } })).status).toBe(200)
      expect((await anon(path)).status).toBe(404)
    })
  })

  describe('statistics', () => {
    const orderStats = (token = admin.token, query = 'interval=day') => rest(`${ctx.api}/orders/stats?${query}`, { token })
    const ledgerStats = (token = admin.token) => rest(`${ctx.api}/point-transactions/stats`, { token })

    it('a second call is a HIT; a new order changes the answer at once', async () => {
      const first = await orderStats()
      expect(first.status).toBe(200)
      expect(cacheOf(first)).toBe('MISS')
      const asked = Date.now()
      const second = await orderStats(moderator.token)
      expect(cacheOf(second)).toBe('HIT')
      // The same figures; the open-ended period ("up to now") is echoed as asked now.
      const { period: firstPeriod, ...firstFigures } = first.body
      const { period: secondPeriod, ...secondFigures } = second.body
      expect(secondFigures).toEqual(firstFigures)
      expect({ ...secondPeriod, to: null }).toEqual({ ...firstPeriod, to: null })
      expect(new Date(secondPeriod.to).getTime()).toBeGreaterThanOrEqual(asked)
      expect(cacheOf(await orderStats(admin.token, 'interval=week'))).toBe('MISS')

      const p = await createProduct(payload, { price: 2500 })
      await createOrder(payload, { items: [{ product: p.id, quantity: 1 }] })
      const after = await orderStats()
      expect(cacheOf(after)).toBe('MISS')
      expect(after.body.totals.orders).toBe(first.body.totals.orders + 1)
    })

    it('a ledger entry made through the API changes the ledger statistics at once', async () => {
      const before = await ledgerStats()
      expect(cacheOf(await ledgerStats())).toBe('HIT')
      const adjust = await rest(`${ctx.api}/point-transactions/adjust`, { token: admin.token, body: { member: member.id, points: 75, reason: 'cache test' } })
      expect(adjust.status, JSON.stringify(adjust.body)).toBe(201)
      const after = await ledgerStats()
      expect(after.body.totals.transactions).toBe(before.body.totals.transactions + 1)
      expect(after.body.totals.adjusted).toBe(before.body.totals.adjusted + 75)
    })

    it('stays staff-only: the cache answers nobody the access check refuses', async () => {
      await orderStats()
      expect(cacheOf(await orderStats())).toBe('HIT')
      expect((await rest(`${ctx.api}/orders/stats?interval=day`)).status).toBe(401)
      expect((await rest(`${ctx.api}/orders/stats?interval=day`, { token: member.token })).status).toBe(403)
      expect((await rest(`${ctx.api}/orders/stats?interval=day`, { token: editor.token })).status).toBe(403)
      expect((await rest(`${ctx.api}/point-transactions/stats`, { token: editor.token })).status).toBe(403)
    })

    it('an explicit period is its own entry, served as computed', async () => {
      const q = 'from=2003-01-01&to=2003-01-31&interval=week'
      const first = await orderStats(admin.token, q)
      const second = await orderStats(admin.token, q)
      expect(cacheOf(second)).toBe('HIT')
      expect(second.body).toEqual(first.body)
      expect(second.body.period.to).toBe(first.body.period.to)
    })

    it('bad parameters are still refused (400), cached or not', async () => {
      expect((await orderStats(admin.token, 'interval=fortnight')).status).toBe(400)
      expect((await orderStats(admin.token, 'interval=fortnight')).status).toBe(400)
    })
  })
})

describe('Redis down', () => {
  let dead: Redis
  beforeAll(async () => {
    dead = deadRedis()
    setCacheBackend(new RedisGenerationalCache(`patron:test-dead-${uniq()}:`, () => dead))
    await bumpAll()
  })
  afterAll(async () => {
    dead.disconnect()
    setCacheBackend(undefined)
  })

  it('reads are served, uncached and correct; writes still answer and show at once', async () => {
    const p = await createProduct(payload, { price: 900 })
    const path = `/products/${p.id}`
    for (let i = 0; i < 3; i++) {
      const res = await anon(path)
      expect(res.status).toBe(200)
      expect(res.body.price).toBe(900)
      expect(cacheOf(res)).toBe('BYPASS')
    }
    const patch = await rest(`${ctx.api}${path}`, { method: 'PATCH', token: admin.token, body: { price: 901 } })
    expect(patch.status).toBe(200)
    expect((await anon(path)).body.price).toBe(901)
    const stats = await rest(`${ctx.api}/orders/stats`, { token: admin.token })
    expect(stats.status).toBe(200)
    expect(cacheOf(stats)).toBe('BYPASS')
  })

  // Only where there is a Redis to take down and bring back (CI sets REDIS_URL).
  if (redisUrl) {
    it('when Redis comes back, nothing cached before the outage is served', async () => {
      const backend = redisBackend()
      await useBackend(backend)
      const p = await createProduct(payload, { price: 300 })
      const path = `/products/${p.id}`
      await anon(path)
      expect(cacheOf(await anon(path))).toBe('HIT')
      // Outage: the store fails, a write happens, its invalidation is lost.
      setCacheBackend(new RedisGenerationalCache(prefixes.at(-1)!, () => dead))
      expect((await rest(`${ctx.api}${path}`, { method: 'PATCH', token: admin.token, body: { price: 301 } })).status).toBe(200)
      expect(cacheOf(await anon(path))).toBe('BYPASS')
      // Back: the process distrusts the cache until every generation has moved on.
      setCacheBackend(backend)
      const { res } = await pollUntil(path, (r) => cacheOf(r) !== 'BYPASS', 3_000)
      expect(res.body.price).toBe(301)
    })
  }
})
