import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Payload } from 'payload'
import type pg from 'pg'
import type { LoyaltyRules } from '../../src/domain/loyalty'
import { dataDir } from '../../src/lib/env'
import { inTransaction } from '../../src/lib/db/sql'
import { adjustMemberPoints } from '../../src/services/loyalty/adjust'
import { loadRules } from '../../src/services/loyalty/rules'
import { moveVoucherStock } from '../../src/services/loyalty/voucherStock'
import { LARGE_EMAIL_DOMAIN, seedLarge, type LargeSeedSummary } from '../../src/seed/large'
import type { FloorGlobals } from './floor-handlers'

/**
 * What the scenarios need besides the large data, made through the app's own
 * local API and services (so hooks, ledger and stock rules apply): a staff
 * admin, members with known passwords (bench members with plenty of points
 * for redeem; members of the large seed for `me` and the ledger page), one
 * voucher with a large stock per target, products with a large stock and a
 * pending order to clone for confirm. Idempotent (found by natural keys).
 * Members of the large seed are written with the bench password, so `me`
 * and the ledger page sign in as real members with a real history.
 */
export const FIXTURES_VERSION = 1
export const BENCH_DOMAIN = 'bench.patron.local'
export const BENCH_PASSWORD = 'patron-bench-password'
export const ADMIN_EMAIL = `admin@${BENCH_DOMAIN}`
const REDEEM_MEMBERS = 100
const READER_MEMBERS = 100
const BENCH_PRODUCTS = 20
const VOUCHER_STOCK = 100_000_000
const PRODUCT_STOCK = 100_000_000
const TOP_UP = 10_000_000
export const TARGET_NAMES = ['api', 'floor', 'next'] as const
export type TargetName = (typeof TARGET_NAMES)[number]
export const voucherCode = (target: TargetName) => `BENCH-REDEEM-${target.toUpperCase()}`

type Log = (line: string) => void

async function eachLimited<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        await fn(items[i], i)
      }
    }),
  )
}

/** Seeds the large data (src/seed/large.ts, bulk SQL; its members get the bench password) and makes the fixtures. */
export async function seedTemplate(payload: Payload, databaseUrl: string, scale: number, log: Log): Promise<LargeSeedSummary> {
  log(`seeding the large data at scale ${scale} (src/seed/large.ts)…`)
  let last = 0
  let lastPhase = ''
  const summary = await seedLarge({
    databaseUrl,
    scale,
    // The bench database is a throw-away copy; the bench runs Payload in production mode.
    force: true,
    memberPassword: BENCH_PASSWORD,
    onProgress: (phase, done, total) => {
      if (phase === lastPhase && Date.now() - last < 3_000 && done < total) return
      last = Date.now()
      lastPhase = phase
      log(`  ${phase} ${done}/${total}`)
    },
  })
  log(`  ${Object.entries(summary.counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')} in ${Math.round(summary.totalMs / 1000)} s`)
  await makeFixtures(payload, log)
  return summary
}

async function findOne<T>(payload: Payload, collection: 'users' | 'members' | 'vouchers' | 'products' | 'categories' | 'orders', where: Record<string, unknown>) {
  const found = await payload.find({ collection, where: where as never, limit: 1, depth: 0, overrideAccess: true, pagination: false })
  return found.docs[0] as T | undefined
}

async function makeFixtures(payload: Payload, log: Log): Promise<void> {
  log('creating the bench fixtures (admin, members, vouchers, products, order template)…')
  let admin = await findOne<{ id: number }>(payload, 'users', { email: { equals: ADMIN_EMAIL } })
  admin ??= await payload.create({
    collection: 'users',
    overrideAccess: true,
    data: { email: ADMIN_EMAIL, password: BENCH_PASSWORD, name: 'Bench admin', role: 'admin' } as never,
  })

  // Members who redeem: active, known password, plenty of points (through the ledger service).
  const redeemers: number[] = []
  await eachLimited(
    Array.from({ length: REDEEM_MEMBERS }, (_, i) => i),
    4,
    async (i) => {
      const email = `redeem-${String(i + 1).padStart(3, '0')}@${BENCH_DOMAIN}`
      let m = await findOne<{ id: number }>(payload, 'members', { email: { equals: email } })
      m ??= await payload.create({
        collection: 'members',
        overrideAccess: true,
        data: { email, password: BENCH_PASSWORD, name: `Bench member ${i + 1}`, status: 'active' } as never,
      })
      redeemers[i] = m.id
    },
  )
  await eachLimited(redeemers, 4, async (id) => {
    const m = (await payload.findByID({ collection: 'members', id, depth: 0, overrideAccess: true })) as { pointsBalance?: number }
    if (Number(m.pointsBalance ?? 0) < TOP_UP / 10) {
      await adjustMemberPoints(payload, { memberId: id, points: TOP_UP, reason: 'Benchmark top-up', staffId: admin.id })
    }
  })

  for (const target of TARGET_NAMES) {
    const code = voucherCode(target)
    const v = await findOne<{ id: number; stock: number }>(payload, 'vouchers', { code: { equals: code } })
    if (!v) {
      await payload.create({
        collection: 'vouchers',
        overrideAccess: true,
        data: { code, name: `Bench voucher (${target})`, discountType: 'fixed', discountValue: 100, pointsCost: 10, stock: VOUCHER_STOCK, status: 'active' } as never,
      })
    } else if (Number(v.stock) < VOUCHER_STOCK / 10) {
      await inTransaction(payload, undefined, (db) => moveVoucherStock(db, v.id, VOUCHER_STOCK))
    }
  }

  // Products for the orders to confirm: many units, no low-stock threshold to cross.
  let category = await findOne<{ id: number }>(payload, 'categories', { slug: { equals: 'bench-fixtures' } })
  category ??= await payload.create({ collection: 'categories', overrideAccess: true, data: { title: 'Bench fixtures', slug: 'bench-fixtures' } as never })
  const products: number[] = []
  for (let i = 0; i < BENCH_PRODUCTS; i++) {
    const sku = `BENCH-P-${String(i + 1).padStart(3, '0')}`
    let p = await findOne<{ id: number }>(payload, 'products', { sku: { equals: sku } })
    p ??= await payload.create({
      collection: 'products',
      overrideAccess: true,
      draft: false,
      data: {
        title: `Bench product ${i + 1}`,
        slug: `bench-product-${i + 1}`,
        sku,
        category: category.id,
        price: 1000,
        stockQuantity: PRODUCT_STOCK,
        reorderThreshold: 0,
        status: 'active',
        _status: 'published',
      } as never,
    })
    products.push(p.id)
  }
  const template = await findOne<{ id: number }>(payload, 'orders', { notes: { equals: 'bench-template' } })
  if (!template) {
    await payload.create({
      collection: 'orders',
      overrideAccess: true,
      data: {
        member: redeemers[0],
        items: [
          { product: products[0], quantity: 1 },
          { product: products[1], quantity: 1 },
        ],
        notes: 'bench-template',
      } as never,
    })
  }
}

export type Login = { id: number; token: string }

export type RunFixtures = {
  admin: Login
  /** Bench members with many points (redeem). */
  redeemers: Login[]
  /** Members of the large seed (me, ledger page); the redeemers when there is no large seed. */
  readers: Login[]
  /** Published, active products. */
  productIds: number[]
  /** Categories with published, active products. */
  categoryIds: number[]
  vouchers: Record<TargetName, number>
  benchProductIds: number[]
  templateOrderId: number
  globals: FloorGlobals
}

type LoginCache = { key: string; admin: Login; redeemers: Login[]; readers: Login[] }
const LOGIN_CACHE = path.join(dataDir, 'bench-logins.json')

/** Seconds since the epoch when a JWT expires (0 when unreadable). */
function tokenExpiry(token: string): number {
  try {
    return Number(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).exp) || 0
  } catch {
    return 0
  }
}

/**
 * The sign-ins of the previous run on this seed database, when every token is
 * still good for an hour (Payload keeps their sessions on the accounts, and
 * the run's clone copies them): signing in 200 accounts takes a minute.
 */
function cachedLogins(key: string): LoginCache | null {
  try {
    const cache = JSON.parse(fs.readFileSync(LOGIN_CACHE, 'utf8')) as LoginCache
    if (cache.key !== key) return null
    const soon = Date.now() / 1000 + 3600
    const all = [cache.admin, ...cache.redeemers, ...cache.readers]
    return all.every((l) => tokenExpiry(l.token) > soon) ? cache : null
  } catch {
    return null
  }
}

/**
 * Signs in the bench accounts (Payload's login: a session per token), or
 * reuses the previous run's sign-ins on the same seed database, and collects
 * the ids the scenarios use. `cacheKey` names the seed database's contents.
 */
export async function prepareRun(payload: Payload, pool: pg.Pool, log: Log, cacheKey: string): Promise<RunFixtures> {
  const login = async (collection: 'users' | 'members', email: string): Promise<Login> => {
    const res = await payload.login({ collection, data: { email, password: BENCH_PASSWORD }, overrideAccess: true } as never)
    const r = res as unknown as { token?: string; user: { id: number } }
    if (!r.token) throw new Error(`could not sign in ${email}`)
    return { id: r.user.id, token: r.token }
  }
  const emails = async (sql: string) => (await pool.query(sql)).rows.map((r) => r.email as string)
  const redeemerEmails = await emails(`select email from members where email like 'redeem-%@${BENCH_DOMAIN}' order by id`)
  const readerEmails = await emails(
    `select email from members where email like '%@${LARGE_EMAIL_DOMAIN}' and status = 'active' and hash is not null order by id limit ${READER_MEMBERS}`,
  )
  const key = crypto.createHash('sha256').update(`${cacheKey}|${process.env.PAYLOAD_SECRET}|${redeemerEmails.join()}|${readerEmails.join()}`).digest('hex')
  const cached = cachedLogins(key)
  let admin: Login
  let redeemers: Login[] = []
  let readers: Login[] = []
  if (cached) {
    log(`reusing the previous run's sign-ins (${1 + cached.redeemers.length + cached.readers.length} accounts)`)
    ;({ admin, redeemers, readers } = cached)
  } else {
    log(`signing in the bench accounts (${1 + redeemerEmails.length + readerEmails.length})…`)
    admin = await login('users', ADMIN_EMAIL)
    await eachLimited(redeemerEmails, 8, async (e, i) => void (redeemers[i] = await login('members', e)))
    await eachLimited(readerEmails, 8, async (e, i) => void (readers[i] = await login('members', e)))
    fs.mkdirSync(path.dirname(LOGIN_CACHE), { recursive: true })
    fs.writeFileSync(LOGIN_CACHE, JSON.stringify({ key, admin, redeemers, readers } satisfies LoginCache), { mode: 0o600 })
  }

  const ids = async (sql: string) => (await pool.query(sql)).rows.map((r) => Number(r.id))
  const productIds = await ids(
    `select id from products where _status = 'published' and status = 'active' and sku not like 'BENCH-%' order by id limit 5000`,
  )
  const categoryIds = await ids(
    `select c.id from categories c where c.slug <> 'bench-fixtures'
       and exists (select 1 from products p where p.category_id = c.id and p._status = 'published' and p.status = 'active') order by c.id`,
  )
  const vouchers = {} as Record<TargetName, number>
  for (const t of TARGET_NAMES) vouchers[t] = (await ids(`select id from vouchers where code = '${voucherCode(t)}'`))[0]
  const benchProductIds = await ids(`select id from products where sku like 'BENCH-P-%' order by id`)
  const [templateOrderId] = await ids(`select id from orders where notes = 'bench-template'`)

  const settings = (await payload.findGlobal({ slug: 'settings', depth: 0, overrideAccess: true })) as unknown as Record<string, unknown>
  const rules: LoyaltyRules = await loadRules(payload)
  return {
    admin,
    redeemers,
    readers: readers.length ? readers : redeemers,
    productIds,
    categoryIds,
    vouchers,
    benchProductIds,
    templateOrderId,
    globals: {
      settings: {
        timezone: String(settings.timezone ?? 'UTC'),
        currency: String(settings.currency ?? 'USD'),
        defaultReorderThreshold: Number(settings.defaultReorderThreshold ?? 0),
      },
      rules,
    },
  }
}

let poolSeq = 0

/**
 * `n` pending orders cloned from the bench's template order (priced by the
 * app), two lines each over the bench products, with their first history
 * entry, in one statement. Returns their ids in order.
 */
export async function createPendingOrders(pool: pg.Pool, f: RunFixtures, n: number, tag: string): Promise<number[]> {
  const prefix = `BENCH-${tag}-${Date.now().toString(36)}-${++poolSeq}-`
  const { rows } = await pool.query(
    `with t as (select * from orders where id = $1),
       ti as (select * from orders_items where _parent_id = $1),
       o as (
         insert into orders (order_number, source, status, payment_status, member_id, subtotal, discount_total, delivery_fee, service_charge,
           tax_amount, total, currency, amount_paid, amount_refunded, commission_amount, notes, created_at, updated_at)
         select $2 || g, t.source, 'pending', 'pending', t.member_id, t.subtotal, t.discount_total, t.delivery_fee, t.service_charge,
           t.tax_amount, t.total, t.currency, 0, 0, 0, 'bench order', now(), now()
         from t, generate_series(1, $3::int) g
         returning id
       ),
       i as (
         insert into orders_items (_order, _parent_id, id, product_id, quantity, title, sku, unit_price, line_total)
         select ti._order, o.id, substr(md5(o.id::text || ':' || ti._order::text || ':' || random()::text), 1, 24), p.id, ti.quantity, p.title, p.sku,
           ti.unit_price, ti.line_total
         from o cross join ti
         cross join lateral (select id, title, sku from products where id = ($4::int[])[1 + ((o.id * 2 + ti._order) % cardinality($4::int[]))]) p
       ),
       h as (insert into order_status_changes (order_id, "from", "to", note) select o.id, null, 'pending', 'Benchmark order' from o)
     select id from o order by id`,
    [f.templateOrderId, prefix, n, f.benchProductIds],
  )
  return rows.map((r) => Number(r.id))
}
