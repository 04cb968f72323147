import type { SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { Payload } from 'payload'
import pg from 'pg'
import { randomCode, requestHash } from '../../src/domain/codes'
import { tierFor, tierMeasure, type LoyaltyRules } from '../../src/domain/loyalty'
import { checkRedemption, redemptionExpiry, REFUSAL_MESSAGES } from '../../src/domain/redemption'
import { getOrderStats } from '../../src/services/commerce/stats'
import { getLedgerStats, statsPeriod } from '../../src/services/loyalty/stats'
import { payloadSigningKey, tokenFromHeader, verifySessionToken } from './jwt'

/**
 * The floor: what each benchmarked request costs with nothing but Node's http
 * and a pg Pool. Every handler runs the SQL the app's path runs for the same
 * request (same tables, joins, filters, locks and writes, in one round trip
 * where plain SQL allows it), verifies the same JWT, and answers a JSON body of
 * the same shape, without Payload's request pipeline, access evaluation,
 * hooks or field traversal. See scripts/bench/README.md for the mapping.
 */

export type FloorGlobals = {
  settings: { timezone: string; currency: string; defaultReorderThreshold: number }
  rules: LoyaltyRules
}

export type FloorContext = {
  pool: pg.Pool
  key: Buffer
  globals: FloorGlobals
  /** A stand-in for `payload` that the stats services accept: raw pg underneath. */
  statsPayload: Payload
}

export type FloorRequest = { method: string; url: URL; headers: Record<string, string | string[] | undefined>; body: unknown }
export type FloorResponse = { status: number; body: unknown }

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const PUBLIC_PRODUCT = `p._status = 'published' and p.status = 'active'`

export function createFloorContext(databaseUrl: string, poolMax: number, secret: string, globals: FloorGlobals): FloorContext {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax, connectionTimeoutMillis: 15_000 })
  pool.on('error', () => undefined)
  const dialect = new PgDialect()
  // Drizzle's node-postgres driver hands timestamps back as text; so do we, so the stats services shape identical answers.
  const asText = (value: string) => value
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      [1184, 1114, 1082, 1186].includes(oid) ? asText : pg.types.getTypeParser(oid, format ?? 'text'),
  }
  const db = {
    execute: async (query: SQL) => {
      const { sql: text, params } = dialect.sqlToQuery(query)
      const result = await pool.query({ text, values: params as unknown[], types })
      return { rows: result.rows as unknown[], rowCount: result.rowCount }
    },
  }
  const statsPayload = {
    db: { drizzle: db },
    findGlobal: async ({ slug }: { slug: string }) => (slug === 'settings' ? globals.settings : slug === 'loyalty' ? globals.rules : {}),
  } as unknown as Payload
  return { pool, key: payloadSigningKey(secret), globals, statsPayload }
}

// ---------------------------------------------------------------- helpers

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date).toISOString())
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))

function paginated<T>(docs: T[], total: number, limit: number, page: number) {
  const totalPages = Math.max(1, Math.ceil(total / limit))
  return {
    docs,
    hasNextPage: page < totalPages,
    hasPrevPage: page > 1,
    limit,
    nextPage: page < totalPages ? page + 1 : null,
    page,
    pagingCounter: (page - 1) * limit + 1,
    prevPage: page > 1 ? page - 1 : null,
    totalDocs: total,
    totalPages,
  }
}

function intParam(url: URL, name: string, fallback: number, max = 1000): number {
  const raw = url.searchParams.get(name)
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, 'VALIDATION_ERROR', `${name} must be a whole number from 1 to ${max}.`)
  return n
}

function positiveId(raw: string | undefined | null): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(404, 'NOT_FOUND', 'Not found.')
  return n
}

type Caller = { kind: 'member'; member: Record<string, unknown>; token: string; exp: number | undefined } | { kind: 'staff'; id: number; role: string }

const MEMBER_SELECT = `
  select m.id, m.member_code, m.name, m.phone, m.address, m.city, m.state, m.postal_code, m.country, m.date_of_birth,
    m.marketing_opt_in, m.status, m.tier, m.points_balance, m.lifetime_points, m.lifetime_spend, m.join_date,
    m.updated_at, m.created_at, m.email,
    coalesce((select json_agg(json_build_object('id', s.id, 'createdAt', s.created_at, 'expiresAt', s.expires_at) order by s._order)
              from members_sessions s where s._parent_id = m.id), '[]'::json) as sessions
  from members m where m.id = $1`

function memberDoc(r: Record<string, unknown>) {
  return {
    id: r.id,
    memberCode: r.member_code,
    name: r.name,
    phone: r.phone,
    address: r.address,
    city: r.city,
    state: r.state,
    postalCode: r.postal_code,
    country: r.country,
    dateOfBirth: iso(r.date_of_birth),
    marketingOptIn: r.marketing_opt_in,
    status: r.status,
    tier: r.tier,
    pointsBalance: num(r.points_balance),
    lifetimePoints: num(r.lifetime_points),
    lifetimeSpend: num(r.lifetime_spend),
    joinDate: iso(r.join_date),
    updatedAt: iso(r.updated_at),
    createdAt: iso(r.created_at),
    email: r.email,
    sessions: (r.sessions as Array<{ id: string; createdAt: string | null; expiresAt: string }>).map((s) => ({
      id: s.id,
      createdAt: iso(s.createdAt),
      expiresAt: iso(s.expiresAt),
    })),
  }
}

/** As Payload's JWT strategy: a valid token, an existing account, and the token's session still on it. */
async function authenticate(ctx: FloorContext, req: FloorRequest): Promise<Caller | null> {
  const header = req.headers.authorization
  const token = tokenFromHeader(Array.isArray(header) ? header[0] : header)
  if (!token) return null
  const claims = verifySessionToken(token, ctx.key)
  if (!claims || !claims.sid) return null
  if (claims.collection === 'members') {
    const { rows } = await ctx.pool.query(MEMBER_SELECT, [claims.id])
    const m = rows[0] as Record<string, unknown> | undefined
    if (!m || !(m.sessions as Array<{ id: string }>).some((s) => s.id === claims.sid)) return null
    return { kind: 'member', member: m, token, exp: claims.exp }
  }
  if (claims.collection === 'users') {
    const { rows } = await ctx.pool.query(
      `select u.id, u.role, exists(select 1 from users_sessions s where s._parent_id = u.id and s.id = $2) as has_session from users u where u.id = $1`,
      [claims.id, claims.sid],
    )
    const u = rows[0] as { id: number; role: string; has_session: boolean } | undefined
    if (!u || !u.has_session) return null
    return { kind: 'staff', id: u.id, role: u.role }
  }
  return null
}

async function requireMember(ctx: FloorContext, req: FloorRequest) {
  const caller = await authenticate(ctx, req)
  if (!caller) throw new HttpError(401, 'UNAUTHORIZED', 'Sign in first.')
  if (caller.kind !== 'member') throw new HttpError(403, 'FORBIDDEN', 'Members only.')
  return caller
}

async function requireStaff(ctx: FloorContext, req: FloorRequest, roles: string[]) {
  const caller = await authenticate(ctx, req)
  if (!caller) throw new HttpError(401, 'UNAUTHORIZED', 'Sign in first.')
  if (caller.kind !== 'staff' || !roles.includes(caller.role)) throw new HttpError(403, 'FORBIDDEN', 'You are not allowed to perform this action.')
  return caller
}

/** With a client of the pool in one transaction; retried on deadlocks and serialization failures like the app's inTransaction. */
async function inTransaction<T>(ctx: FloorContext, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await ctx.pool.connect()
    try {
      await client.query('begin')
      const result = await fn(client)
      await client.query('commit')
      return result
    } catch (err) {
      await client.query('rollback').catch(() => undefined)
      const code = (err as { code?: string }).code
      if ((code === '40001' || code === '40P01') && attempt < 5) continue
      throw err
    } finally {
      client.release()
    }
  }
}

// ---------------------------------------------------------------- catalogue

/** A product row with what Payload's depth-1 read adds: its attributes, its images (media docs) and its category (with the category's `products` join). */
const PRODUCT_COLUMNS = `
  p.id, p.title, p.slug, p.sku, p.description, p.price, p.status, p.stock_quantity, p.reorder_threshold,
  p.rating_average, p.rating_count, p.updated_at, p.created_at, p._status, p.category_id,
  coalesce((select json_agg(json_build_object('id', a.id, 'name', a.name, 'value', a.value) order by a._order)
            from products_attributes a where a._parent_id = p.id), '[]'::json) as attributes,
  coalesce((select json_agg(json_build_object('id', md.id, 'alt', md.alt, 'url', md.url, 'thumbnailURL', md.thumbnail_u_r_l,
              'filename', md.filename, 'mimeType', md.mime_type, 'filesize', md.filesize, 'width', md.width, 'height', md.height,
              'focalX', md.focal_x, 'focalY', md.focal_y,
              'sizes', json_build_object(
                'thumbnail', json_build_object('url', md.sizes_thumbnail_url, 'width', md.sizes_thumbnail_width, 'height', md.sizes_thumbnail_height,
                  'mimeType', md.sizes_thumbnail_mime_type, 'filesize', md.sizes_thumbnail_filesize, 'filename', md.sizes_thumbnail_filename),
                'card', json_build_object('url', md.sizes_card_url, 'width', md.sizes_card_width, 'height', md.sizes_card_height,
                  'mimeType', md.sizes_card_mime_type, 'filesize', md.sizes_card_filesize, 'filename', md.sizes_card_filename)),
              'updatedAt', md.updated_at, 'createdAt', md.created_at) order by r."order")
            from products_rels r join media md on md.id = r.media_id where r.parent_id = p.id and r.path = 'images'), '[]'::json) as images`

const CATEGORY_COLUMNS = `
  c.id as c_id, c.title as c_title, c.slug as c_slug, c.parent_id as c_parent, c.updated_at as c_updated_at, c.created_at as c_created_at,
  array(select j.id from products j where j.category_id = c.id and j._status = 'published' and j.status = 'active'
        order by j.created_at desc limit 11) as c_product_ids`

function categoryDoc(r: Record<string, unknown>) {
  if (r.c_id === null || r.c_id === undefined) return r.category_id ?? null
  const ids = (r.c_product_ids as number[]) ?? []
  return {
    id: r.c_id,
    title: r.c_title,
    slug: r.c_slug,
    parent: r.c_parent,
    products: { docs: ids.slice(0, 10), hasNextPage: ids.length > 10 },
    updatedAt: iso(r.c_updated_at),
    createdAt: iso(r.c_created_at),
  }
}

function productDoc(r: Record<string, unknown>, category: unknown) {
  return {
    id: r.id,
    title: r.title,
    slug: r.slug,
    sku: r.sku,
    description: r.description,
    images: r.images,
    category,
    price: num(r.price),
    attributes: r.attributes,
    status: r.status,
    stockQuantity: num(r.stock_quantity),
    reorderThreshold: num(r.reorder_threshold),
    ratingAverage: num(r.rating_average),
    ratingCount: num(r.rating_count),
    updatedAt: iso(r.updated_at),
    createdAt: iso(r.created_at),
    _status: r._status,
  }
}

async function productById(ctx: FloorContext, id: number) {
  const { rows } = await ctx.pool.query(
    `select ${PRODUCT_COLUMNS}, ${CATEGORY_COLUMNS}
     from products p left join categories c on c.id = p.category_id
     where p.id = $1 and ${PUBLIC_PRODUCT}`,
    [id],
  )
  const r = rows[0] as Record<string, unknown> | undefined
  if (!r) throw new HttpError(404, 'NOT_FOUND', 'Not Found')
  return productDoc(r, categoryDoc(r))
}

/** A page of public products of one category, newest first, with the total: one round trip. */
async function productPage(ctx: FloorContext, category: number, limit: number, page: number) {
  const { rows } = await ctx.pool.query(
    `with page as (select * from products p where p.category_id = $1 and ${PUBLIC_PRODUCT} order by p.created_at desc limit $2 offset $3),
          total as (select count(*)::int as n from products p where p.category_id = $1 and ${PUBLIC_PRODUCT})
     select (select n from total) as total, ${PRODUCT_COLUMNS}, ${CATEGORY_COLUMNS}
     from page p left join categories c on c.id = p.category_id
     order by p.created_at desc`,
    [category, limit, (page - 1) * limit],
  )
  let total = rows.length ? Number((rows[0] as { total: number }).total) : 0
  if (!rows.length && page > 1) {
    const { rows: t } = await ctx.pool.query(`select count(*)::int as n from products p where p.category_id = $1 and ${PUBLIC_PRODUCT}`, [category])
    total = Number(t[0].n)
  }
  return { rows: rows as Array<Record<string, unknown>>, total }
}

function categoryFilter(url: URL): number {
  const raw = url.searchParams.get('where[category][equals]')
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, 'VALIDATION_ERROR', 'The floor serves the bench list: where[category][equals]=<id>.')
  return n
}

async function productList(ctx: FloorContext, url: URL) {
  const limit = intParam(url, 'limit', 10)
  const page = intParam(url, 'page', 1, 1_000_000)
  const { rows, total } = await productPage(ctx, categoryFilter(url), limit, page)
  return paginated(
    rows.map((r) => productDoc(r, categoryDoc(r))),
    total,
    limit,
    page,
  )
}

/** The bench's GraphQL query (scenarios.ts GRAPHQL_PRODUCTS): the list's SQL, shaped as the query selects. */
async function graphqlProducts(ctx: FloorContext, body: unknown) {
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: { category?: unknown; limit?: unknown } }
  if (typeof query !== 'string' || !query.includes('Products(')) throw new HttpError(400, 'VALIDATION_ERROR', 'The floor answers only the bench GraphQL query.')
  const category = Number(variables?.category)
  const limit = Number(variables?.limit ?? 10)
  if (!Number.isInteger(category) || category <= 0 || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new HttpError(400, 'VALIDATION_ERROR', 'Bad variables.')
  }
  const { rows, total } = await productPage(ctx, category, limit, 1)
  return {
    data: {
      Products: {
        totalDocs: total,
        docs: rows.map((r) => ({
          id: r.id,
          title: r.title,
          slug: r.slug,
          sku: r.sku,
          price: num(r.price),
          stockQuantity: num(r.stock_quantity),
          status: r.status,
          category: r.c_id === null ? null : { id: r.c_id, title: r.c_title, slug: r.c_slug },
        })),
      },
    },
  }
}

// ---------------------------------------------------------------- members and ledger

function me(caller: Extract<Caller, { kind: 'member' }>) {
  return {
    user: { ...memberDoc(caller.member), collection: 'members', _strategy: 'local-jwt' },
    collection: 'members',
    strategy: 'local-jwt',
    exp: caller.exp,
    token: caller.token,
    message: 'Account',
  }
}

async function ledgerPage(ctx: FloorContext, memberId: number, url: URL) {
  const limit = intParam(url, 'limit', 10)
  const page = intParam(url, 'page', 1, 1_000_000)
  const { rows } = await ctx.pool.query(
    `select (select count(*)::int from point_transactions where member_id = $1) as total,
       t.id, t.member_id, t.type, t.points, t.balance_after, t.reason, t.redemption_id, t.spend_amount, t.expires_at,
       t.idempotency_key, t.created_by_id, t.updated_at, t.created_at
     from point_transactions t where t.member_id = $1 order by t.created_at desc limit $2 offset $3`,
    [memberId, limit, (page - 1) * limit],
  )
  const total = rows.length ? Number(rows[0].total) : 0
  return paginated(
    rows.map((r) => ({
      id: r.id,
      member: r.member_id,
      type: r.type,
      points: num(r.points),
      balanceAfter: num(r.balance_after),
      reason: r.reason,
      redemption: r.redemption_id,
      spendAmount: num(r.spend_amount),
      expiresAt: iso(r.expires_at),
      idempotencyKey: r.idempotency_key,
      createdBy: r.created_by_id,
      updatedAt: iso(r.updated_at),
      createdAt: iso(r.created_at),
    })),
    total,
    limit,
    page,
  )
}

// ---------------------------------------------------------------- redeem

function redemptionDoc(r: Record<string, unknown>) {
  return {
    id: r.id,
    redemptionCode: r.redemption_code,
    member: r.member_id,
    voucher: r.voucher_id,
    pointsUsed: Number(r.points_used),
    status: r.status,
    redeemedAt: iso(r.redeemed_at),
    usedAt: iso(r.used_at),
    expiresAt: iso(r.expires_at),
    cancelledAt: iso(r.cancelled_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }
}

/**
 * POST /redemptions/redeem in plain SQL, the same transaction as
 * src/services/loyalty/redemptions.ts: one statement locks the member and
 * reads the voucher with the member's count of it, the rules are checked (the
 * same pure checkRedemption), and one statement writes the redemption, the
 * member's balance and tier, the ledger entry and the voucher's unit. No
 * admission gate: every request goes straight to the database.
 */
async function redeem(ctx: FloorContext, memberId: number, body: unknown) {
  const voucher = (body as { voucher?: unknown } | null)?.voucher
  if (!(typeof voucher === 'string' && voucher.trim()) && !(typeof voucher === 'number' && Number.isInteger(voucher) && voucher > 0)) {
    throw new HttpError(400, 'VALIDATION_ERROR', '`voucher` (an id or a code) is required.')
  }
  const rules = ctx.globals.rules
  const hash = requestHash({ member: memberId, voucher })
  return inTransaction(ctx, async (c) => {
    const byId = typeof voucher === 'number' || /^\d+$/.test(String(voucher))
    const f = (
      await c.query(
        `select m.id, m.status, m.tier, m.points_balance, m.lifetime_points,
           v.id as voucher_id, v.code, v.status as voucher_status, v.points_cost, v.stock, v.per_member_limit, v.min_tier, v.valid_from, v.valid_to,
           (select count(*)::int from redemptions r where r.member_id = m.id and r.voucher_id = v.id and r.status <> 'cancelled') as mine,
           set_config('patron.computed_write', 'on', true) as computed_writes
         from members m left join vouchers v on ${byId ? 'v.id' : 'v.code'} = $2
         where m.id = $1
         for update of m`,
        [memberId, byId ? Number(voucher) : String(voucher).trim().toUpperCase()],
      )
    ).rows[0]
    if (!f) throw new HttpError(404, 'NOT_FOUND', 'Member not found.')
    if (f.voucher_id === null) throw new HttpError(404, 'NOT_FOUND', 'Voucher not found.')
    const now = new Date()
    const refusal = checkRedemption({
      now,
      member: { status: f.status, tier: f.tier, pointsBalance: Number(f.points_balance) },
      voucher: {
        status: f.voucher_status,
        pointsCost: Number(f.points_cost),
        stock: Number(f.stock),
        perMemberLimit: f.per_member_limit === null ? null : Number(f.per_member_limit),
        minTier: f.min_tier,
        validFrom: f.valid_from ? new Date(f.valid_from) : null,
        validTo: f.valid_to ? new Date(f.valid_to) : null,
      },
      memberRedemptionsOfVoucher: f.mine,
      tiers: rules.tiers,
    })
    if (refusal) throw new HttpError(refusal === 'MEMBER_INACTIVE' ? 403 : 409, refusal, REFUSAL_MESSAGES[refusal])
    const cost = Number(f.points_cost)
    const balanceAfter = Number(f.points_balance) - cost
    if (balanceAfter < 0) throw new HttpError(409, 'INSUFFICIENT_POINTS', 'Not enough points.')
    const lifetimePoints = Number(f.lifetime_points)
    let rollingSpend = 0
    if (rules.tierBasis === 'rolling_spend') {
      const s = (
        await c.query(`select coalesce(sum(spend_amount), 0) as s from point_transactions where member_id = $1 and created_at > now() - interval '365 days'`, [f.id])
      ).rows[0]
      rollingSpend = Number(s.s)
    }
    const tier = tierFor(tierMeasure(rules.tierBasis, { lifetimePoints, rollingSpend }), rules.tiers)
    const r = (
      await c.query(
        `with r as (
           insert into redemptions (redemption_code, member_id, voucher_id, points_used, status, redeemed_at, expires_at, idempotency_key, request_hash)
           values ($1, $2, $3, $4, 'pending', $5, $6, null, $7) returning *),
         m as (update members set points_balance = $8, lifetime_points = $9, lifetime_spend = lifetime_spend + 0, tier = $10, updated_at = now() where id = $2),
         e as (insert into point_transactions (member_id, type, points, balance_after, reason, redemption_id, spend_amount, expires_at, idempotency_key, created_by_id, created_at, updated_at)
               values ($2, 'redeem', $11, $8, $12, (select id from r), null, null, 'redeem:' || (select id from r), null, now(), now()) returning id),
         v as (update vouchers set stock = stock - 1 where id = $3 and stock > 0 and status = 'active' returning stock)
         select r.*, (select stock from v) as stock_after from r`,
        [
          randomCode('RD'),
          f.id,
          f.voucher_id,
          cost,
          now.toISOString(),
          redemptionExpiry(now, rules.redemptionValidityDays)?.toISOString() ?? null,
          hash,
          balanceAfter,
          lifetimePoints,
          tier,
          -cost,
          `Redeemed voucher ${f.code}`,
        ],
      )
    ).rows[0]
    if (r.stock_after === null) throw new HttpError(409, 'OUT_OF_STOCK', REFUSAL_MESSAGES.OUT_OF_STOCK)
    delete r.stock_after
    return { redemption: redemptionDoc(r), pointsBalance: balanceAfter }
  })
}

// ---------------------------------------------------------------- order confirm

/**
 * POST /orders/:id/transition {status: confirmed} in plain SQL, the same
 * transaction as src/services/commerce/orders.ts for a member or admin order:
 * lock the order, check the move, take stock per line in product-id order
 * with the conditional update (never below zero), record each movement and
 * reconcile the low-stock alert, stamp the order, append its history; then
 * read the order back for the answer, as the endpoint does.
 */
async function confirmOrder(ctx: FloorContext, orderId: number, staffId: number, body: unknown) {
  const to = (body as { status?: unknown } | null)?.status
  if (to !== 'confirmed') throw new HttpError(400, 'VALIDATION_ERROR', 'The floor implements the confirm move only.')
  const threshold = ctx.globals.settings.defaultReorderThreshold
  await inTransaction(ctx, async (c) => {
    const o = (await c.query(`select * from orders where id = $1 for update`, [orderId])).rows[0]
    if (!o) throw new HttpError(404, 'NOT_FOUND', 'Order not found.')
    if (o.status !== 'pending') throw new HttpError(409, 'INVALID_TRANSITION', `An order cannot move from ${o.status} to confirmed.`)
    if (o.reseller_id !== null) throw new HttpError(400, 'VALIDATION_ERROR', 'The floor confirms member and admin orders only.')
    const items = (await c.query(`select product_id, quantity from orders_items where _parent_id = $1 order by product_id`, [o.id])).rows
    await c.query(`select set_config('patron.computed_write', 'on', true)`)
    for (const item of items) {
      const delta = -Number(item.quantity)
      const moved = (
        await c.query(
          `update products set stock_quantity = stock_quantity + $2, updated_at = now()
           where id = $1 and stock_quantity + $2 >= 0 returning stock_quantity, reorder_threshold`,
          [item.product_id, delta],
        )
      ).rows[0]
      if (!moved) throw new HttpError(409, 'OUT_OF_STOCK', 'Not enough stock.')
      const stockAfter = Number(moved.stock_quantity)
      await c.query(
        `insert into stock_movements (product_id, delta, stock_after, reason, note, order_ref, created_by_id) values ($1, $2, $3, 'order', null, $4, $5)`,
        [item.product_id, delta, stockAfter, o.order_number, staffId],
      )
      const limit = moved.reorder_threshold === null ? threshold : Number(moved.reorder_threshold)
      if (stockAfter <= limit) {
        await c.query(
          `insert into low_stock_alerts (product_id, stock_at_alert, threshold, status) values ($1, $2, $3, 'open')
           on conflict (product_id) where status = 'open' do nothing`,
          [item.product_id, stockAfter, limit],
        )
      } else {
        await c.query(`update low_stock_alerts set status = 'resolved', resolved_at = now(), updated_at = now() where product_id = $1 and status = 'open'`, [
          item.product_id,
        ])
      }
    }
    await c.query(`update orders set status = 'confirmed', confirmed_at = now(), tracking_number = tracking_number, updated_at = now() where id = $1`, [o.id])
    await c.query(`insert into order_status_changes (order_id, "from", "to", by_id, by_member_id, note) values ($1, 'pending', 'confirmed', $2, null, null)`, [
      o.id,
      staffId,
    ])
  })
  const { rows } = await ctx.pool.query(
    `select o.*,
       coalesce((select json_agg(json_build_object('id', i.id, 'product', i.product_id, 'quantity', i.quantity, 'title', i.title, 'sku', i.sku,
                  'unitPrice', i.unit_price, 'lineTotal', i.line_total) order by i._order) from orders_items i where i._parent_id = o.id), '[]'::json) as items,
       array(select h.id from order_status_changes h where h.order_id = o.id order by h.created_at limit 11) as status_history,
       array(select t.id from transactions t where t.order_id = o.id order by t.created_at limit 11) as transactions
     from orders o where o.id = $1`,
    [orderId],
  )
  const o = rows[0] as Record<string, unknown>
  const ids = (v: unknown) => ({ docs: (v as number[]).slice(0, 10), hasNextPage: (v as number[]).length > 10 })
  const order = {
    id: o.id,
    orderNumber: o.order_number,
    source: o.source,
    status: o.status,
    paymentStatus: o.payment_status,
    member: o.member_id,
    reseller: o.reseller_id,
    resellerClient: o.reseller_client_id,
    items: (o.items as Array<Record<string, unknown>>).map((i) => ({ ...i, quantity: num(i.quantity), unitPrice: num(i.unitPrice), lineTotal: num(i.lineTotal) })),
    redemption: o.redemption_id,
    subtotal: num(o.subtotal),
    discountTotal: num(o.discount_total),
    deliveryFee: num(o.delivery_fee),
    serviceCharge: num(o.service_charge),
    taxAmount: num(o.tax_amount),
    total: num(o.total),
    currency: o.currency,
    amountPaid: num(o.amount_paid),
    amountRefunded: num(o.amount_refunded),
    commissionAmount: num(o.commission_amount),
    deliveryAddress: {
      name: o.delivery_address_name,
      phone: o.delivery_address_phone,
      line1: o.delivery_address_line1,
      line2: o.delivery_address_line2,
      city: o.delivery_address_city,
      postalCode: o.delivery_address_postal_code,
      country: o.delivery_address_country,
    },
    assignee: o.assignee_id,
    courier: o.courier,
    trackingNumber: o.tracking_number,
    customerNote: o.customer_note,
    notes: o.notes,
    confirmedAt: iso(o.confirmed_at),
    dispatchedAt: iso(o.dispatched_at),
    deliveredAt: iso(o.delivered_at),
    completedAt: iso(o.completed_at),
    cancelledAt: iso(o.cancelled_at),
    statusHistory: ids(o.status_history),
    transactions: ids(o.transactions),
    updatedAt: iso(o.updated_at),
    createdAt: iso(o.created_at),
  }
  return { order }
}

// ---------------------------------------------------------------- routing

const LOYALTY_STATS_ROLES = ['super-admin', 'admin', 'moderator', 'support']
const ORDER_HANDLERS = ['super-admin', 'admin', 'moderator']

export async function route(ctx: FloorContext, req: FloorRequest): Promise<FloorResponse> {
  const path = req.url.pathname
  const query = Object.fromEntries(req.url.searchParams)
  if (req.method === 'GET') {
    if (path === '/api/health') return { status: 200, body: { status: 'ok', floor: true } }
    if (path === '/api/products') return { status: 200, body: await productList(ctx, req.url) }
    const match = /^\/api\/products\/([^/]+)$/.exec(path)
    if (match) return { status: 200, body: await productById(ctx, positiveId(match[1])) }
    if (path === '/api/members/me') {
      const caller = await authenticate(ctx, req)
      if (!caller || caller.kind !== 'member') return { status: 200, body: { user: null, message: 'Account' } }
      return { status: 200, body: me(caller) }
    }
    if (path === '/api/point-transactions') {
      const caller = await requireMember(ctx, req)
      return { status: 200, body: await ledgerPage(ctx, Number(caller.member.id), req.url) }
    }
    if (path === '/api/orders/stats') {
      await requireStaff(ctx, req, LOYALTY_STATS_ROLES)
      return { status: 200, body: await getOrderStats(ctx.statsPayload, await statsPeriod(ctx.statsPayload, query)) }
    }
    if (path === '/api/point-transactions/stats') {
      await requireStaff(ctx, req, LOYALTY_STATS_ROLES)
      return { status: 200, body: await getLedgerStats(ctx.statsPayload, await statsPeriod(ctx.statsPayload, query)) }
    }
  }
  if (req.method === 'POST') {
    if (path === '/api/graphql') return { status: 200, body: await graphqlProducts(ctx, req.body) }
    if (path === '/api/redemptions/redeem') {
      const caller = await requireMember(ctx, req)
      return { status: 201, body: await redeem(ctx, Number(caller.member.id), req.body) }
    }
    const match = /^\/api\/orders\/([^/]+)\/transition$/.exec(path)
    if (match) {
      const caller = await requireStaff(ctx, req, ORDER_HANDLERS)
      return { status: 200, body: await confirmOrder(ctx, positiveId(match[1]), caller.id, req.body) }
    }
  }
  throw new HttpError(404, 'NOT_FOUND', 'The floor does not serve this route.')
}
