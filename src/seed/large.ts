import crypto from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import copyStreams from 'pg-copy-streams'
import { DEFAULT_RULES, type LoyaltyRules, type TierBasis } from '../domain/loyalty'
import {
  LARGE_EMAIL_DOMAIN,
  LARGE_PREFIX,
  planLarge,
  scrambledCode,
  type LargePlan,
  type LargeSettings,
  type PlanEntry,
  type PlanOrder,
} from './large-plan'
import { demoPassword } from './password'

export { countsFor, FULL_SIZE, LARGE_EMAIL_DOMAIN, LARGE_PREFIX, type LargeCounts, type LargeSettings } from './large-plan'

/**
 * `npm run seed:large`: a data set the size of a busy shop (at scale 1: 50,000
 * members, 1,000,000 ledger entries, 200 vouchers, 100,000 redemptions, 5,000
 * products, 200 resellers with 10,000 clients, 200,000 orders with their
 * items, history, payments and stock movements) for load tests, statistics
 * and the admin panel at scale.
 *
 * Payload's per-document path would take hours, so the data set is planned in
 * memory (src/seed/large-plan.ts replays every member's, order's and product's
 * history through the domain rules) and written with COPY, in one transaction:
 * it is all there or none of it. Every invariant the services keep holds:
 * balances equal ledger sums and never go below zero, voucher stock is its
 * starting stock less the redemptions holding a unit, product stock is the sum
 * of its movements, a reseller's balance is what its transactions say, order
 * totals are priceOrder's.
 *
 * Its rows are found again by their markers: members and resellers at
 * `@large.patron.local`, products and vouchers `LG-…`, categories `lg-…`.
 * A second run refuses while they exist; `reset` deletes them (and only them)
 * first. Refused when NODE_ENV=production unless forced.
 */

export type LargeSeedOptions = {
  databaseUrl: string
  /** 1 = full size (the default); tests use e.g. 0.002. */
  scale?: number
  /** Seed of the generator (default 1): the same seed and scale give the same data. */
  seed?: number
  onProgress?: (phase: string, done: number, total: number) => void
  /** Delete a previous large seed's rows first. */
  reset?: boolean
  /** Run even when NODE_ENV=production. */
  force?: boolean
  /**
   * Password of every large-seed member: the demo password by default (they
   * can then log in, e.g. for load tests); null gives them a hash no password
   * matches (the default in production).
   */
  memberPassword?: string | null
  /** The moment the history ends (default: now). */
  now?: Date
}

export type LargeSeedPhase = { phase: string; ms: number; rows: number }

export type LargeSeedSummary = {
  scale: number
  seed: number
  now: string
  /** Rows written, per table. */
  counts: Record<string, number>
  phases: LargeSeedPhase[]
  totalMs: number
  /** What the reset deleted first, per table (null without reset). */
  reset: { deleted: Record<string, number>; ms: number } | null
  /** pg_database_size after the seed. */
  databaseBytes: number
  settings: LargeSettings
  rules: Pick<LoyaltyRules, 'pointsPerCurrencyUnit' | 'tiers' | 'tierBasis' | 'pointsExpiryDays' | 'signupBonus' | 'redemptionValidityDays' | 'returnPointsOnRedemptionExpiry'>
  /** Stock each voucher started with (its stock now plus the redemptions that still hold a unit). */
  voucherInitialStock: Record<string, number>
  memberLogin: 'demo-password' | 'disabled'
}

/** Why a seed was not run (nothing was written). */
export class LargeSeedRefused extends Error {
  constructor(
    readonly reason: 'EXISTS' | 'PRODUCTION',
    message: string,
  ) {
    super(message)
    this.name = 'LargeSeedRefused'
  }
}

/** Serialises seeds and resets of one database. */
const LOCK = `select pg_advisory_xact_lock(hashtext('patron:seed-large'))`

const TABLES_ANALYZED = [
  'categories',
  'products',
  '_products_v',
  'stock_movements',
  'low_stock_alerts',
  'resellers',
  'reseller_clients',
  'members',
  'vouchers',
  'redemptions',
  'point_transactions',
  'orders',
  'orders_items',
  'order_status_changes',
  'transactions',
]

/** Tables whose append-only trigger a reset has to lift (in its own transaction) to delete the seed's rows. */
const APPEND_ONLY = [
  ['point_transactions', 'point_transactions_append_only'],
  ['stock_movements', 'stock_movements_append_only'],
  ['transactions', 'transactions_append_only'],
  ['order_status_changes', 'order_status_changes_append_only'],
] as const

export async function seedLarge(opts: LargeSeedOptions): Promise<LargeSeedSummary> {
  const scale = opts.scale ?? 1
  const seed = opts.seed ?? 1
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative whole number, got ${seed}`)
  if (process.env.NODE_ENV === 'production' && !opts.force) {
    throw new LargeSeedRefused('PRODUCTION', 'refusing to write the large seed with NODE_ENV=production (pass --force if this really is a throw-away database)')
  }
  const started = Date.now()
  const phases: LargeSeedPhase[] = []
  const progress = opts.onProgress ?? (() => {})
  let phaseStart = Date.now()
  const endPhase = (phase: string, rows: number) => {
    const now = Date.now()
    phases.push({ phase, ms: now - phaseStart, rows })
    phaseStart = now
  }

  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'patron seed:large' })
  await client.connect()
  try {
    let reset: LargeSeedSummary['reset'] = null
    if (opts.reset) {
      const t = Date.now()
      const deleted = await resetLargeWith(client, (done, total) => progress('reset', done, total))
      reset = { deleted, ms: Date.now() - t }
      endPhase('reset', Object.values(deleted).reduce((a, b) => a + b, 0))
    }
    await refuseWhenPresent(client)

    const settings = await readSettings(client)
    const rules = await readRules(client)
    const password = opts.memberPassword === undefined ? (process.env.NODE_ENV === 'production' ? null : demoPassword()) : opts.memberPassword
    const login = await passwordHash(password)
    endPhase('prepare', 0)

    const now = (opts.now ?? new Date()).getTime()
    const plan = planLarge({ scale, seed, now, settings, rules, onProgress: (done, total) => progress('plan', done, total) })
    endPhase('plan', plan.ledgerEntries + plan.orders.length)

    const counts: Record<string, number> = {}
    await client.query('begin')
    try {
      await client.query(LOCK)
      // A long COPY must not trip the server's timeouts; both settings end with the transaction.
      await client.query(`set local statement_timeout = 0`)
      await client.query(`set local idle_in_transaction_session_timeout = 0`)
      await refuseWhenPresent(client)
      const writer = new Writer(client, plan, settings, login, seed, progress, counts)
      for (const [phase, step] of writer.steps()) {
        await step()
        endPhase(phase, writer.rowsSinceLastPhase())
      }
      progress('commit', 0, 1)
      await client.query('commit')
      progress('commit', 1, 1)
      endPhase('commit', 0)
    } catch (err) {
      await client.query('rollback').catch(() => undefined)
      throw err
    }

    progress('analyze', 0, 1)
    // VACUUM as well: bulk-loaded rows get their visibility map set (index-only scans)
    // even where autovacuum is off, as on CI servers.
    await client.query(`vacuum (analyze) ${TABLES_ANALYZED.map((t) => client.escapeIdentifier(t)).join(', ')}`)
    progress('analyze', 1, 1)
    endPhase('analyze', 0)
    const { rows } = await client.query<{ size: string }>('select pg_database_size(current_database()) as size')

    return {
      scale,
      seed,
      now: new Date(now).toISOString(),
      counts,
      phases,
      totalMs: Date.now() - started,
      reset,
      databaseBytes: Number(rows[0].size),
      settings,
      rules: {
        pointsPerCurrencyUnit: rules.pointsPerCurrencyUnit,
        tiers: rules.tiers,
        tierBasis: rules.tierBasis,
        pointsExpiryDays: rules.pointsExpiryDays,
        signupBonus: rules.signupBonus,
        redemptionValidityDays: rules.redemptionValidityDays,
        returnPointsOnRedemptionExpiry: rules.returnPointsOnRedemptionExpiry,
      },
      voucherInitialStock: Object.fromEntries(plan.vouchers.map((v) => [v.code, v.initialStock])),
      memberLogin: password === null ? 'disabled' : 'demo-password',
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * Deletes every row of a previous large seed (found by its markers), and what
 * was made on top of it (orders of its members, resellers or products, carts,
 * reviews, alerts), in one transaction. The append-only guards of the ledger,
 * stock movements, transactions and order history are lifted for that
 * transaction only (ALTER TABLE is transactional, so other sessions never see
 * them off); that needs the tables' owner, which is who runs the migrations.
 */
export async function resetLarge(databaseUrl: string, onProgress?: (done: number, total: number) => void): Promise<Record<string, number>> {
  if (process.env.NODE_ENV === 'production') throw new LargeSeedRefused('PRODUCTION', 'refusing to delete data with NODE_ENV=production')
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'patron seed:large' })
  await client.connect()
  try {
    return await resetLargeWith(client, onProgress)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** How many rows of a previous large seed there are, by kind (all zero: none). */
export async function largeSeedPresence(client: pg.Client | pg.Pool): Promise<Record<'members' | 'products' | 'vouchers' | 'resellers' | 'categories', number>> {
  const { rows } = await client.query(
    `select (select count(*) from members where email like $1)::int as members,
            (select count(*) from products where sku like $2)::int as products,
            (select count(*) from vouchers where code like $2)::int as vouchers,
            (select count(*) from resellers where email like $1)::int as resellers,
            (select count(*) from categories where slug like $3)::int as categories`,
    [`%@${LARGE_EMAIL_DOMAIN}`, `${LARGE_PREFIX}%`, `${LARGE_PREFIX.toLowerCase()}%`],
  )
  return rows[0]
}

async function refuseWhenPresent(client: pg.Client) {
  const present = await largeSeedPresence(client)
  const found = Object.entries(present).filter(([, n]) => n > 0)
  if (found.length) {
    throw new LargeSeedRefused(
      'EXISTS',
      `this database already holds a large seed (${found.map(([k, n]) => `${n} ${k}`).join(', ')}); run again with --reset to replace it`,
    )
  }
}

async function resetLargeWith(client: pg.Client, onProgress?: (done: number, total: number) => void): Promise<Record<string, number>> {
  const q = (text: string, values?: unknown[]) => client.query(text, values)
  const deleted: Record<string, number> = {}
  const steps: Array<[table: string, sql: string]> = [
    ['transactions', `delete from transactions where order_id in (select id from lg_orders) or member_id in (select id from lg_members) or reseller_id in (select id from lg_resellers)`],
    ['order_status_changes', `delete from order_status_changes where order_id in (select id from lg_orders) or by_member_id in (select id from lg_members)`],
    ['carts_items', `delete from carts_items where product_id in (select id from lg_products) or _parent_id in (select id from carts where member_id in (select id from lg_members))`],
    ['carts', `delete from carts where member_id in (select id from lg_members)`],
    ['orders', `delete from orders where id in (select id from lg_orders)`],
    ['reviews', `delete from reviews where product_id in (select id from lg_products) or member_id in (select id from lg_members)`],
    ['low_stock_alerts', `delete from low_stock_alerts where product_id in (select id from lg_products)`],
    ['stock_movements', `delete from stock_movements where product_id in (select id from lg_products)`],
    ['_products_v', `delete from _products_v where parent_id in (select id from lg_products)`],
    ['products', `delete from products where id in (select id from lg_products)`],
    ['categories', `delete from categories where id in (select id from lg_categories)`],
    ['point_transactions', `delete from point_transactions where member_id in (select id from lg_members)`],
    ['redemptions', `delete from redemptions where member_id in (select id from lg_members) or voucher_id in (select id from lg_vouchers)`],
    ['reseller_clients', `delete from reseller_clients where reseller_id in (select id from lg_resellers)`],
    ['members', `delete from members where id in (select id from lg_members)`],
    ['vouchers', `delete from vouchers where id in (select id from lg_vouchers)`],
    ['resellers', `delete from resellers where id in (select id from lg_resellers)`],
  ]
  await q('begin')
  try {
    await q(LOCK)
    await q(`set local statement_timeout = 0`)
    // Deleting a redemption or order sets references to it to null: flagged, so the guard triggers let that through.
    await q(`select set_config('patron.computed_write', 'on', true)`)
    const email = `%@${LARGE_EMAIL_DOMAIN}`
    await q(`create temp table lg_members on commit drop as select id from members where email like $1`, [email])
    await q(`create temp table lg_resellers on commit drop as select id from resellers where email like $1`, [email])
    await q(`create temp table lg_products on commit drop as select id from products where sku like $1`, [`${LARGE_PREFIX}%`])
    await q(`create temp table lg_vouchers on commit drop as select id from vouchers where code like $1`, [`${LARGE_PREFIX}%`])
    await q(`create temp table lg_categories on commit drop as select id from categories where slug like $1`, [`${LARGE_PREFIX.toLowerCase()}%`])
    await q(`create temp table lg_orders on commit drop as
      select id from orders where member_id in (select id from lg_members) or reseller_id in (select id from lg_resellers)
      union select _parent_id from orders_items where product_id in (select id from lg_products)`)
    for (const t of ['lg_members', 'lg_resellers', 'lg_products', 'lg_vouchers', 'lg_categories', 'lg_orders']) await q(`create index on ${t} (id)`)
    await q(`analyze lg_members, lg_resellers, lg_products, lg_vouchers, lg_categories, lg_orders`)
    try {
      for (const [table, trigger] of APPEND_ONLY) await q(`alter table ${client.escapeIdentifier(table)} disable trigger ${client.escapeIdentifier(trigger)}`)
    } catch (err) {
      if ((err as { code?: string }).code === '42501') {
        throw new Error('--reset must lift the append-only guards for its own transaction, which needs the owner of the tables (the user that runs the migrations); or drop the database instead', { cause: err })
      }
      throw err
    }
    let done = 0
    for (const [table, sql] of steps) {
      onProgress?.(done, steps.length)
      const res = await q(sql)
      deleted[table] = (deleted[table] ?? 0) + (res.rowCount ?? 0)
      done++
    }
    for (const [table, trigger] of APPEND_ONLY) await q(`alter table ${client.escapeIdentifier(table)} enable trigger ${client.escapeIdentifier(trigger)}`)
    await q('commit')
    onProgress?.(steps.length, steps.length)
  } catch (err) {
    await q('rollback').catch(() => undefined)
    throw err
  }
  return deleted
}

async function readSettings(client: pg.Client): Promise<LargeSettings> {
  const { rows } = await client.query(`select currency, delivery_fee, tax_rate, service_charge, default_reorder_threshold from settings order by id limit 1`)
  const s = rows[0] as Record<string, string> | undefined
  // No row yet: the Settings global's defaults (what Payload would answer).
  return {
    currency: String(s?.currency ?? 'USD').toUpperCase(),
    deliveryFee: Number(s?.delivery_fee ?? 0),
    taxRate: Number(s?.tax_rate ?? 0),
    serviceCharge: Number(s?.service_charge ?? 0),
    defaultReorderThreshold: Number(s?.default_reorder_threshold ?? 5),
  }
}

/** The loyalty rules as loadRules reads them (src/services/loyalty/rules.ts), straight from the global's tables. */
async function readRules(client: pg.Client): Promise<LoyaltyRules> {
  const { rows } = await client.query(
    `select id, points_per_currency_unit, tier_basis, points_expiry_days, signup_bonus, redemption_validity_days, return_points_on_redemption_expiry
     from loyalty order by id limit 1`,
  )
  const g = rows[0] as Record<string, string | boolean | null> | undefined
  if (!g) return DEFAULT_RULES
  const tiers = await client.query<{ name: string; threshold: string; multiplier: string }>(
    `select name, threshold, multiplier from loyalty_tiers where _parent_id = $1 order by _order`,
    [g.id],
  )
  const num = (v: unknown, fallback: number) => (v === null || v === undefined ? fallback : Number(v))
  return {
    pointsPerCurrencyUnit: num(g.points_per_currency_unit, DEFAULT_RULES.pointsPerCurrencyUnit),
    tiers: tiers.rows.length ? tiers.rows.map((t) => ({ name: t.name, threshold: Number(t.threshold), multiplier: Number(t.multiplier) })) : DEFAULT_RULES.tiers,
    tierBasis: (g.tier_basis as TierBasis | null) ?? DEFAULT_RULES.tierBasis,
    pointsExpiryDays: num(g.points_expiry_days, DEFAULT_RULES.pointsExpiryDays),
    signupBonus: num(g.signup_bonus, DEFAULT_RULES.signupBonus),
    redemptionValidityDays: num(g.redemption_validity_days, DEFAULT_RULES.redemptionValidityDays),
    returnPointsOnRedemptionExpiry: g.return_points_on_redemption_expiry === null ? DEFAULT_RULES.returnPointsOnRedemptionExpiry : Boolean(g.return_points_on_redemption_expiry),
  }
}

type Login = { salt: string; hash: string }

/** One PBKDF2 hash in Payload's format (payload/dist/auth/strategies/local/generatePasswordSaltHash.js), shared by every member. */
async function passwordHash(password: string | null): Promise<Login> {
  const salt = crypto.randomBytes(32).toString('hex')
  if (password === null) return { salt, hash: `pbkdf2-sha256-v1:${crypto.randomBytes(32).toString('hex')}` }
  const raw = await new Promise<Buffer>((resolve, reject) =>
    crypto.pbkdf2(password, salt, 600_000, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key))),
  )
  return { salt, hash: `pbkdf2-sha256-v1:${raw.toString('hex')}` }
}

// ---------------------------------------------------------------------------
// Writing

type Cell = string | number | boolean | null | undefined

/** One value in COPY's text format. */
function cell(v: Cell): string {
  if (v === null || v === undefined) return '\\N'
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? 't' : 'f'
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v
}

const ts = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString())

/** Streams `count` rows into `table` with COPY, reporting progress every few thousand rows. */
async function copyRows(
  client: pg.Client,
  table: string,
  columns: readonly string[],
  count: number,
  row: (i: number) => Cell[],
  onRows: (done: number) => void,
): Promise<number> {
  if (count === 0) return 0
  const sql = `copy ${client.escapeIdentifier(table)} (${columns.map((c) => client.escapeIdentifier(c)).join(', ')}) from stdin`
  const target = client.query(copyStreams.from(sql))
  const CHUNK = 2000
  async function* lines() {
    for (let i = 0; i < count; i += CHUNK) {
      let buf = ''
      const end = Math.min(count, i + CHUNK)
      for (let k = i; k < end; k++) buf += row(k).map(cell).join('\t') + '\n'
      yield buf
      onRows(end)
    }
  }
  await pipeline(Readable.from(lines()), target)
  return count
}

/** Reserves `n` ids from a table's sequence (other sessions may insert meanwhile: the ids are ours alone). */
async function reserveIds(client: pg.Client, table: string, n: number): Promise<number[]> {
  if (n === 0) return []
  // One array in one row: far cheaper to read than a row per id.
  const { rows } = await client.query<{ ids: number[] }>(
    `select array(select nextval(pg_get_serial_sequence($1, 'id'))::int from generate_series(1, $2::int)) as ids`,
    [table, n],
  )
  return rows[0].ids.map(Number).sort((a, b) => a - b)
}

/** Payload-style array row ids (24 hex characters), unique per order line. */
const itemId = (salt: string, orderIndex: number, line: number) => `${salt}${orderIndex.toString(16).padStart(10, '0')}${line.toString(16).padStart(6, '0')}`

class Writer {
  readonly ids: Record<'categories' | 'products' | 'resellers' | 'clients' | 'members' | 'vouchers' | 'redemptions' | 'orders' | 'transactions', number[]> = {
    categories: [],
    products: [],
    resellers: [],
    clients: [],
    members: [],
    vouchers: [],
    redemptions: [],
    orders: [],
    transactions: [],
  }
  private written = 0
  private readonly itemSalt: string

  constructor(
    private readonly client: pg.Client,
    private readonly plan: LargePlan,
    private readonly settings: LargeSettings,
    private readonly login: Login,
    private readonly seed: number,
    private readonly progress: (phase: string, done: number, total: number) => void,
    private readonly counts: Record<string, number>,
  ) {
    this.itemSalt = crypto.createHash('sha256').update(`patron-large:${seed}:items`).digest('hex').slice(0, 8)
  }

  rowsSinceLastPhase(): number {
    const n = this.written
    this.written = 0
    return n
  }

  steps(): Array<[string, () => Promise<void>]> {
    return [
      ['reserve ids', () => this.reserve()],
      ['catalogue', () => this.catalogue()],
      ['resellers', () => this.resellers()],
      ['members', () => this.members()],
      ['vouchers', () => this.vouchers()],
      ['redemptions', () => this.redemptions()],
      ['ledger', () => this.ledger()],
      ['orders', () => this.orders()],
      ['order items', () => this.orderItems()],
      ['order history', () => this.orderHistory()],
      ['transactions', () => this.transactions()],
      ['stock movements', () => this.stock()],
    ]
  }

  private async copy(phase: string, table: string, columns: readonly string[], count: number, row: (i: number) => Cell[], offset = 0, total = count) {
    this.progress(phase, offset, total)
    await copyRows(this.client, table, columns, count, row, (done) => this.progress(phase, offset + done, total))
    this.counts[table] = (this.counts[table] ?? 0) + count
    this.written += count
  }

  /** Ids for every row that others point at, from the tables' own sequences, in the plan's (time) order. */
  private async reserve() {
    const p = this.plan
    const plan: Array<[keyof Writer['ids'], string, number]> = [
      ['categories', 'categories', p.categories.length],
      ['products', 'products', p.products.length],
      ['resellers', 'resellers', p.resellers.length],
      ['clients', 'reseller_clients', p.clients.length],
      ['members', 'members', p.members.length],
      ['vouchers', 'vouchers', p.vouchers.length],
      ['redemptions', 'redemptions', p.redemptions.length],
      ['orders', 'orders', p.orders.length],
      ['transactions', 'transactions', p.transactions.length],
    ]
    const total = plan.reduce((s, [, , n]) => s + n, 0)
    let done = 0
    for (const [key, table, n] of plan) {
      this.progress('reserve ids', done, total)
      this.ids[key] = await reserveIds(this.client, table, n)
      done += n
    }
    this.progress('reserve ids', total, total)
  }

  private async catalogue() {
    const { categories, products } = this.plan
    const total = categories.length + 2 * products.length
    await this.copy('catalogue', 'categories', ['id', 'title', 'slug', 'parent_id', 'updated_at', 'created_at'], categories.length, (i) => {
      const c = categories[i]
      return [this.ids.categories[i], c.title, c.slug, null, ts(c.createdAt), ts(c.createdAt)]
    }, 0, total)
    await this.copy(
      'catalogue',
      'products',
      ['id', 'title', 'slug', 'sku', 'category_id', 'price', 'status', 'stock_quantity', 'reorder_threshold', 'rating_count', 'updated_at', 'created_at', '_status'],
      products.length,
      (i) => {
        const p = products[i]
        return [this.ids.products[i], p.title, p.slug, p.sku, this.ids.categories[p.category], p.price, p.status, p.stock, p.reorderThreshold, 0, ts(p.updatedAt), ts(p.createdAt), 'published']
      },
      categories.length,
      total,
    )
    // Payload's admin list and edit view read drafts-enabled collections from the versions table (latest = true).
    await this.copy(
      'catalogue',
      '_products_v',
      [
        'parent_id',
        'version_title',
        'version_slug',
        'version_sku',
        'version_category_id',
        'version_price',
        'version_status',
        'version_stock_quantity',
        'version_reorder_threshold',
        'version_rating_count',
        'version_updated_at',
        'version_created_at',
        'version__status',
        'created_at',
        'updated_at',
        'latest',
      ],
      products.length,
      (i) => {
        const p = products[i]
        return [
          this.ids.products[i],
          p.title,
          p.slug,
          p.sku,
          this.ids.categories[p.category],
          p.price,
          p.status,
          p.stock,
          p.reorderThreshold,
          0,
          ts(p.updatedAt),
          ts(p.createdAt),
          'published',
          ts(p.updatedAt),
          ts(p.updatedAt),
          true,
        ]
      },
      categories.length + products.length,
      total,
    )
  }

  private async resellers() {
    const { resellers, clients } = this.plan
    const total = resellers.length + clients.length
    await this.copy(
      'resellers',
      'resellers',
      ['id', 'business_name', 'contact_person', 'email', 'phone', 'address', 'city', 'state', 'country', 'status', 'credit_limit', 'current_balance', 'commission_rate', 'updated_at', 'created_at'],
      resellers.length,
      (i) => {
        const r = resellers[i]
        return [this.ids.resellers[i], r.businessName, r.contactPerson, r.email, r.phone, r.address, r.city, r.state, r.country, r.status, r.creditLimit, r.balance, r.commissionRate, ts(Math.max(r.updatedAt, r.suspendedAt ?? 0)), ts(r.createdAt)]
      },
      0,
      total,
    )
    await this.copy(
      'resellers',
      'reseller_clients',
      ['id', 'reseller_id', 'name', 'email', 'phone', 'plan_type', 'status', 'monthly_limit', 'current_usage', 'updated_at', 'created_at'],
      clients.length,
      (i) => {
        const c = clients[i]
        return [this.ids.clients[i], this.ids.resellers[c.reseller], c.name, c.email, c.phone, c.planType, c.status, c.monthlyLimit, c.usage, ts(c.updatedAt), ts(c.createdAt)]
      },
      resellers.length,
      total,
    )
  }

  private async members() {
    const { members } = this.plan
    await this.copy(
      'members',
      'members',
      [
        'id',
        'member_code',
        'name',
        'phone',
        'address',
        'city',
        'state',
        'postal_code',
        'country',
        'date_of_birth',
        'id_document_type',
        'id_document_number',
        'marketing_opt_in',
        'status',
        'tier',
        'points_balance',
        'lifetime_points',
        'lifetime_spend',
        'join_date',
        'updated_at',
        'created_at',
        'email',
        'salt',
        'hash',
        'login_attempts',
      ],
      members.length,
      (i) => {
        const m = members[i]
        const r = m.result
        return [
          this.ids.members[i],
          m.code,
          m.name,
          m.phone,
          m.address,
          m.city,
          m.state,
          m.postalCode,
          m.country,
          ts(m.dateOfBirth),
          m.idDocumentType,
          m.idDocumentNumber,
          m.marketingOptIn,
          m.status,
          r.tier,
          r.balance,
          r.lifetimePoints,
          r.lifetimeSpend,
          ts(m.joinAt),
          ts(Math.max(r.updatedAt, m.joinAt)),
          ts(m.joinAt),
          m.email,
          this.login.salt,
          this.login.hash,
          0,
        ]
      },
    )
  }

  private async vouchers() {
    const { vouchers } = this.plan
    await this.copy(
      'vouchers',
      'vouchers',
      ['id', 'code', 'name', 'discount_type', 'discount_value', 'points_cost', 'stock', 'per_member_limit', 'min_tier', 'valid_from', 'valid_to', 'status', 'updated_at', 'created_at'],
      vouchers.length,
      (i) => {
        const v = vouchers[i]
        return [this.ids.vouchers[i], v.code, v.name, v.discountType, v.discountValue, v.pointsCost, v.stock, v.perMemberLimit, v.minTier, ts(v.validFrom), ts(v.validTo), v.status, ts(v.updatedAt), ts(v.createdAt)]
      },
    )
  }

  private redemptionCode(index: number) {
    return scrambledCode('RD', index, 8, this.seed * 7 + 3)
  }

  private async redemptions() {
    const { redemptions } = this.plan
    await this.copy(
      'redemptions',
      'redemptions',
      ['id', 'redemption_code', 'member_id', 'voucher_id', 'points_used', 'status', 'redeemed_at', 'used_at', 'expires_at', 'cancelled_at', 'updated_at', 'created_at'],
      redemptions.length,
      (i) => {
        const r = redemptions[i]
        return [
          this.ids.redemptions[i],
          this.redemptionCode(i),
          this.ids.members[r.member],
          this.ids.vouchers[r.voucher],
          r.cost,
          r.status,
          ts(r.at),
          ts(r.usedAt),
          ts(r.expiresAt),
          ts(r.cancelledAt),
          ts(r.updatedAt),
          ts(r.at),
        ]
      },
    )
  }

  private async ledger() {
    const { members, orders } = this.plan
    // Every member's entries, in time order over all members (ids then follow time, as in the app).
    const entries: PlanEntry[] = []
    const owner: number[] = []
    members.forEach((m, i) => {
      for (const e of m.result.entries) {
        entries.push(e)
        owner.push(i)
      }
    })
    const order = new Uint32Array(entries.length)
    for (let k = 0; k < order.length; k++) order[k] = k
    order.sort((a, b) => entries[a].t - entries[b].t || a - b)
    const key = (e: PlanEntry, memberId: number): string | null => {
      switch (e.key) {
        case 'signup':
          return `signup:${memberId}`
        case 'order':
          return `order-earn:${this.ids.orders[e.order]}`
        case 'redeem':
          return `redeem:${this.ids.redemptions[e.redemption!.index]}`
        case 'cancel':
          return `cancel:${this.ids.redemptions[e.redemption!.index]}`
        case 'redemption-expired':
          return `redemption-expired:${this.ids.redemptions[e.redemption!.index]}`
        case 'expire':
          return `expire:${memberId}:${e.keyLots}:${e.keyDebits}`
        default:
          return null
      }
    }
    const reason = (e: PlanEntry): string | null => {
      if (e.reason !== null) return e.reason
      if (e.key === 'order') return `Order ${orders[e.order].number}`
      if (e.key === 'cancel') return `Redemption ${this.redemptionCode(e.redemption!.index)} cancelled`
      if (e.key === 'redemption-expired') return `Redemption ${this.redemptionCode(e.redemption!.index)} expired`
      return null
    }
    await this.copy(
      'ledger',
      'point_transactions',
      ['member_id', 'type', 'points', 'balance_after', 'reason', 'redemption_id', 'spend_amount', 'expires_at', 'idempotency_key', 'updated_at', 'created_at'],
      entries.length,
      (k) => {
        const e = entries[order[k]]
        const memberId = this.ids.members[owner[order[k]]]
        return [
          memberId,
          e.type,
          e.points,
          e.balanceAfter,
          reason(e),
          e.redemption ? this.ids.redemptions[e.redemption.index] : null,
          e.spend,
          ts(e.expiresAt),
          key(e, memberId),
          ts(e.t),
          ts(e.t),
        ]
      },
    )
  }

  private async orders() {
    const { orders } = this.plan
    const ref = (list: number[], i: number) => (i >= 0 ? list[i] : null)
    await this.copy(
      'orders',
      'orders',
      [
        'id',
        'order_number',
        'source',
        'status',
        'payment_status',
        'member_id',
        'reseller_id',
        'reseller_client_id',
        'redemption_id',
        'subtotal',
        'discount_total',
        'delivery_fee',
        'service_charge',
        'tax_amount',
        'total',
        'currency',
        'amount_paid',
        'amount_refunded',
        'commission_amount',
        'delivery_address_name',
        'delivery_address_phone',
        'delivery_address_line1',
        'delivery_address_line2',
        'delivery_address_city',
        'delivery_address_postal_code',
        'delivery_address_country',
        'courier',
        'tracking_number',
        'customer_note',
        'notes',
        'confirmed_at',
        'dispatched_at',
        'delivered_at',
        'completed_at',
        'cancelled_at',
        'updated_at',
        'created_at',
      ],
      orders.length,
      (i) => {
        const o = orders[i]
        const t = o.totals
        const a = o.address
        return [
          this.ids.orders[i],
          o.number,
          o.source,
          o.status,
          o.paymentStatus,
          ref(this.ids.members, o.member),
          ref(this.ids.resellers, o.reseller),
          ref(this.ids.clients, o.client),
          o.redemption ? this.ids.redemptions[o.redemption.index] : null,
          t.subtotal,
          t.discountTotal,
          t.deliveryFee,
          t.serviceCharge,
          t.taxAmount,
          t.total,
          this.settings.currency,
          o.amountPaid,
          o.amountRefunded,
          o.commission,
          a.name,
          a.phone,
          a.line1,
          a.line2,
          a.city,
          a.postalCode,
          a.country,
          o.courier,
          o.trackingNumber,
          o.customerNote,
          o.notes,
          ts(o.times.confirmed),
          ts(o.times.dispatched),
          ts(o.times.delivered),
          ts(o.times.completed),
          ts(o.times.cancelled),
          ts(o.updatedAt),
          ts(o.placedAt),
        ]
      },
    )
  }

  private async orderItems() {
    const { orders, products } = this.plan
    const lineOf: Array<[order: number, line: number]> = []
    orders.forEach((o, i) => o.lines.forEach((_, k) => lineOf.push([i, k])))
    await this.copy(
      'order items',
      'orders_items',
      ['_order', '_parent_id', 'id', 'product_id', 'quantity', 'title', 'sku', 'unit_price', 'line_total'],
      lineOf.length,
      (n) => {
        const [i, k] = lineOf[n]
        const l = orders[i].lines[k]
        const p = products[l.product]
        return [k + 1, this.ids.orders[i], itemId(this.itemSalt, i, k), this.ids.products[l.product], l.quantity, p.title, p.sku, l.unitPrice, l.lineTotal]
      },
    )
  }

  private async orderHistory() {
    const { orders } = this.plan
    type Change = { t: number; order: number; from: string | null; to: string; byMember: boolean; note: string | null }
    const changes: Change[] = []
    const placeNote = 'Order placed'
    for (let i = 0; i < orders.length; i++) {
      const o: PlanOrder = orders[i]
      changes.push({ t: o.placedAt, order: i, from: null, to: 'pending', byMember: o.kind === 'member', note: placeNote })
      let from = 'pending'
      for (const step of ['confirmed', 'dispatched', 'delivered', 'completed', 'cancelled'] as const) {
        const t = o.times[step]
        if (t === undefined) continue
        const byMember = step === 'cancelled' && o.cancelledByMember
        const note = step === 'cancelled' ? (byMember ? 'Changed my mind' : 'Cancelled at the customer’s request') : step === 'dispatched' ? `Sent with ${o.courier}` : null
        changes.push({ t, order: i, from, to: step, byMember, note })
        from = step
      }
    }
    changes.sort((a, b) => a.t - b.t || a.order - b.order)
    await this.copy('order history', 'order_status_changes', ['order_id', 'from', 'to', 'by_member_id', 'note', 'updated_at', 'created_at'], changes.length, (n) => {
      const c = changes[n]
      const o = orders[c.order]
      return [this.ids.orders[c.order], c.from, c.to, c.byMember && o.member >= 0 ? this.ids.members[o.member] : null, c.note, ts(c.t), ts(c.t)]
    })
  }

  private async transactions() {
    const { transactions } = this.plan
    const ref = (list: number[], i: number) => (i >= 0 ? list[i] : null)
    await this.copy(
      'transactions',
      'transactions',
      ['id', 'transaction_id', 'type', 'status', 'order_id', 'member_id', 'reseller_id', 'amount', 'currency', 'method', 'gateway', 'refund_of_id', 'reason', 'processed_at', 'updated_at', 'created_at'],
      transactions.length,
      (i) => {
        const t = transactions[i]
        return [
          this.ids.transactions[i],
          scrambledCode('TX', i, 10, this.seed * 7 + 4),
          t.type,
          t.status,
          ref(this.ids.orders, t.order),
          ref(this.ids.members, t.member),
          ref(this.ids.resellers, t.reseller),
          t.amount,
          this.settings.currency,
          t.method,
          'manual',
          t.refundOf ? this.ids.transactions[t.refundOf.index] : null,
          t.reason,
          // Every one of them completed when made (a credit charge is cancelled later, when its order is).
          ts(t.at),
          ts(t.updatedAt),
          ts(t.at),
        ]
      },
    )
  }

  private async stock() {
    const { movements, alerts, orders } = this.plan
    const total = movements.length + alerts.length
    await this.copy(
      'stock movements',
      'stock_movements',
      ['product_id', 'delta', 'stock_after', 'reason', 'note', 'order_ref', 'updated_at', 'created_at'],
      movements.length,
      (i) => {
        const m = movements[i]
        return [this.ids.products[m.product], m.delta, m.stockAfter, m.reason, m.note, m.order >= 0 ? orders[m.order].number : null, ts(m.at), ts(m.at)]
      },
      0,
      total,
    )
    await this.copy(
      'stock movements',
      'low_stock_alerts',
      ['product_id', 'stock_at_alert', 'threshold', 'status', 'resolved_at', 'notified_at', 'updated_at', 'created_at'],
      alerts.length,
      (i) => {
        const a = alerts[i]
        return [this.ids.products[a.product], a.stockAtAlert, a.threshold, a.status, ts(a.resolvedAt), ts(a.notifiedAt), ts(a.resolvedAt ?? a.notifiedAt ?? a.at), ts(a.at)]
      },
      movements.length,
      total,
    )
  }
}

/** The summary as a few lines of text (the CLI prints it). */
export function formatLargeSeedSummary(s: LargeSeedSummary): string {
  const n = (x: number) => x.toLocaleString('en-US')
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const lines = [
    `Large seed (scale ${s.scale}, seed ${s.seed}, history up to ${s.now}) written in ${sec(s.totalMs)}.`,
    '',
    'Rows written:',
    ...Object.entries(s.counts).map(([table, count]) => `  ${table.padEnd(22)} ${n(count).padStart(11)}`),
    '',
    'Time per phase:',
    ...s.phases.map((p) => `  ${p.phase.padEnd(22)} ${sec(p.ms).padStart(9)}${p.rows ? `  ${n(p.rows)} rows${p.ms > 0 ? `, ${n(Math.round((p.rows * 1000) / p.ms))}/s` : ''}` : ''}`),
  ]
  if (s.reset) lines.push('', `Reset first deleted: ${Object.entries(s.reset.deleted).filter(([, c]) => c > 0).map(([t, c]) => `${n(c)} ${t}`).join(', ') || 'nothing'}.`)
  lines.push(
    '',
    `Database size: ${(s.databaseBytes / 1024 / 1024).toFixed(0)} MiB.`,
    s.memberLogin === 'demo-password'
      ? `Members m000001@${LARGE_EMAIL_DOMAIN} … sign in with the demo password (DEMO_PASSWORD, default patron-demo).`
      : 'Members cannot sign in (no usable password).',
  )
  return lines.join('\n')
}
