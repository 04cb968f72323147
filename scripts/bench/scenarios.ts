import type pg from 'pg'
import { createPendingOrders, type RunFixtures, type TargetName } from './fixtures'
import { checkConfirm, checkRedeem, redeemBaseline, type Answers, type InvariantCheck, type RedeemBaseline } from './invariants'
import type { BenchRequest, LoadResult } from './load'
import type { BenchOptions } from './options'

/** A target the issue sets for a scenario, judged on the API's figures. */
export type Target =
  | { kind: 'ratio'; min: number; text: string }
  | { kind: 'rps'; min: number; text: string }
  | { kind: 'p95'; maxMs: number; text: string }

export type ScenarioContext = { pool: pg.Pool; fixtures: RunFixtures; options: BenchOptions }

/** One target's run of a scenario: requests to send, and what to check afterwards. */
export type ScenarioRun = {
  /** Builds the requests of one phase; `amount` caps them (a pool of orders). */
  phase: (
    phase: 'warmup' | 'measure',
    warmup: LoadResult | null,
  ) => Promise<{ next: () => BenchRequest; amount?: number; note?: string; /** Longest this phase may run, when not the usual. */ seconds?: number }>
  /** Invariants after both phases, given what the load generator saw of them. */
  check?: (answers: Answers) => Promise<InvariantCheck[]>
}

export type Scenario = {
  id: string
  title: string
  /** The request, as the report shows it. */
  request: string
  connections: (o: BenchOptions) => number
  target: Target | null
  /** What the floor does for it (the report's notes). */
  floor: string
  /** Tables the scenario writes: vacuumed before each target's run where autovacuum is off. */
  writes?: string[]
  begin: (ctx: ScenarioContext, target: TargetName) => Promise<ScenarioRun>
}

const json = () => ({ 'content-type': 'application/json' })
const auth = (token: string) => ({ authorization: `JWT ${token}` })

/** Cycles through `items` from a random start. */
function cycle<T>(items: T[]): () => T {
  if (!items.length) throw new Error('nothing to cycle through (is the bench database seeded?)')
  let i = Math.floor(Math.random() * items.length)
  return () => items[i++ % items.length]
}

const steady = (make: () => BenchRequest): ScenarioRun => ({ phase: async () => ({ next: make }) })

export const GRAPHQL_PRODUCTS = `query BenchProducts($category: JSON, $limit: Int) {
  Products(where: { category: { equals: $category } }, limit: $limit) {
    totalDocs
    docs { id title slug sku price stockQuantity status category { id title slug } }
  }
}`

const qs = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')

export const SCENARIOS: Scenario[] = [
  {
    id: 'product-read',
    title: 'Public product read by id',
    request: 'GET /api/products/:id?depth=1 (anonymous)',
    connections: (o) => o.connections,
    target: { kind: 'ratio', min: 0.5, text: '≥ 50% of floor' },
    floor: 'one SELECT: the public product (published, active) with its attributes, images and category, and the category’s `products` join (10 newest public ids)',
    begin: async ({ fixtures, options }) => {
      const id = cycle(fixtures.productIds)
      const next = (): BenchRequest => ({ method: 'GET', path: `/api/products/${id()}?depth=1` })
      return {
        // The warm-up is one pass over every product (cache misses), so that the measured
        // phase reads a storefront's steady state: each product answered from the cache.
        phase: async (phase) =>
          phase === 'warmup'
            ? { next, amount: fixtures.productIds.length, seconds: Math.max(options.warmup, 120), note: `warm-up: one pass over the ${fixtures.productIds.length} products` }
            : { next },
      }
    },
  },
  {
    id: 'product-list',
    title: 'Product list page (10, by category)',
    request: 'GET /api/products?where[category][equals]=:c&limit=10&depth=1 (anonymous)',
    connections: (o) => o.connections,
    target: null,
    floor: 'one SELECT: a page of 10 public products of the category, newest first, with attributes, images and the populated category, plus the total count',
    begin: async ({ fixtures }) => {
      const category = cycle(fixtures.categoryIds)
      return steady(() => ({ method: 'GET', path: `/api/products?${qs({ 'where[category][equals]': category(), limit: 10, depth: 1 })}` }))
    },
  },
  {
    id: 'graphql-list',
    title: 'GraphQL product list (10, by category)',
    request: 'POST /api/graphql Products(where: {category}, limit: 10) { totalDocs docs { … category { id title slug } } }',
    connections: (o) => o.connections,
    target: null,
    floor: 'the product list’s SELECT, shaped as the query selects (no GraphQL parsing)',
    begin: async ({ fixtures }) => {
      const category = cycle(fixtures.categoryIds)
      return steady(() => ({
        method: 'POST',
        path: '/api/graphql',
        headers: json(),
        body: JSON.stringify({ query: GRAPHQL_PRODUCTS, variables: { category: category(), limit: 10 } }),
      }))
    },
  },
  {
    id: 'me',
    title: 'Member `me` (JWT)',
    request: 'GET /api/members/me (member JWT)',
    connections: (o) => o.connections,
    target: { kind: 'ratio', min: 0.3, text: '≥ 30% of floor' },
    floor: 'HS256 check of the same JWT (node:crypto), then one SELECT of the member with its sessions (the session id must be there)',
    begin: async ({ fixtures }) => {
      const member = cycle(fixtures.readers)
      return steady(() => ({ method: 'GET', path: '/api/members/me', headers: auth(member().token) }))
    },
  },
  {
    id: 'ledger',
    title: 'Member’s ledger page (10)',
    request: 'GET /api/point-transactions?limit=10&sort=-createdAt&depth=0 (member JWT)',
    connections: (o) => o.connections,
    target: null,
    floor: 'JWT check and member SELECT as for `me`, then one SELECT of the member’s 10 newest entries with the total',
    begin: async ({ fixtures }) => {
      const member = cycle(fixtures.readers)
      return steady(() => ({ method: 'GET', path: `/api/point-transactions?${qs({ limit: 10, sort: '-createdAt', depth: 0 })}`, headers: auth(member().token) }))
    },
  },
  {
    id: 'orders-stats',
    title: 'Order stats (last 30 days, by day)',
    request: 'GET /api/orders/stats (staff JWT)',
    connections: (o) => o.statsConnections,
    target: { kind: 'p95', maxMs: 50, text: 'p95 ≤ 50 ms' },
    floor: 'JWT check and staff SELECT, then the same aggregate SQL as src/services/commerce/stats.ts (the service’s own query builders, run on the raw pg pool)',
    begin: async ({ fixtures }) => steady(() => ({ method: 'GET', path: '/api/orders/stats', headers: auth(fixtures.admin.token) })),
  },
  {
    id: 'ledger-stats',
    title: 'Points ledger stats (last 30 days, by day)',
    request: 'GET /api/point-transactions/stats (staff JWT)',
    connections: (o) => o.statsConnections,
    target: { kind: 'p95', maxMs: 50, text: 'p95 ≤ 50 ms' },
    floor: 'JWT check and staff SELECT, then the same aggregate SQL as src/services/loyalty/stats.ts (the service’s own query builders, run on the raw pg pool)',
    begin: async ({ fixtures }) => steady(() => ({ method: 'GET', path: '/api/point-transactions/stats', headers: auth(fixtures.admin.token) })),
  },
  {
    id: 'redeem',
    title: 'Redeem a voucher (50 clients)',
    request: 'POST /api/redemptions/redeem {voucher} (member JWT; one voucher, 100 members)',
    connections: (o) => o.redeemConnections,
    target: { kind: 'rps', min: 300, text: '≥ 300/s, 0 violations' },
    writes: ['members', 'vouchers', 'redemptions', 'point_transactions'],
    floor:
      'JWT check and member SELECT, then one transaction: one statement locks the member and reads the voucher with the member’s count of it, the same rule check, one statement inserts the redemption, updates the balance and tier, appends the ledger entry and takes a unit of stock (conditional update); no admission gate',
    begin: async ({ pool, fixtures }, target) => {
      const voucher = fixtures.vouchers[target]
      const member = cycle(fixtures.redeemers)
      const body = JSON.stringify({ voucher })
      let baseline: RedeemBaseline | null = await redeemBaseline(
        pool,
        voucher,
        fixtures.redeemers.map((m) => m.id),
      )
      return {
        phase: async () => ({ next: () => ({ method: 'POST', path: '/api/redemptions/redeem', headers: { ...json(), ...auth(member().token) }, body }) }),
        check: async (answers) => {
          const checks = await checkRedeem(pool, baseline!, answers)
          baseline = null
          return checks
        },
      }
    },
  },
  {
    id: 'confirm',
    title: 'Order transition: confirm',
    request: 'POST /api/orders/:id/transition {status: confirmed} (staff JWT; a distinct pending order each time)',
    connections: (o) => o.connections,
    target: null,
    writes: ['orders', 'products', 'stock_movements', 'order_status_changes', 'low_stock_alerts'],
    floor:
      'JWT check and staff SELECT, then one transaction: lock the order, check the move, per line the conditional stock update, the movement and the low-stock alert reconcile, stamp the order, append its history; then read the order back',
    begin: async ({ pool, fixtures, options }, target) => {
      const orders: number[] = []
      return {
        phase: async (phase, warmup) => {
          // Enough distinct pending orders for the phase: sized from the warm-up's rate (generous guess before it).
          const seconds = phase === 'warmup' ? options.warmup : options.duration
          const rate = warmup && warmup.rps > 0 ? warmup.rps * 1.6 : target === 'floor' ? 2500 : 800
          const n = Math.max(200, Math.ceil(rate * seconds) + 4 * options.connections)
          const ids = await createPendingOrders(pool, fixtures, n, `${target}-${phase}`)
          orders.push(...ids)
          let i = 0
          const body = JSON.stringify({ status: 'confirmed' })
          return {
            amount: ids.length,
            note: `${ids.length} pending orders prepared`,
            next: () => ({ method: 'POST', path: `/api/orders/${ids[i++ % ids.length]}/transition`, headers: { ...json(), ...auth(fixtures.admin.token) }, body }),
          }
        },
        check: async (answers) => checkConfirm(pool, fixtures.benchProductIds, orders, answers),
      }
    },
  },
]
