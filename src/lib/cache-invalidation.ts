import cluster from 'node:cluster'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { Payload } from 'payload'
import { MemoryGenerationalCache, RedisGenerationalCache, type GenerationalCache } from './cache'
import { log, warnOnce } from './log'
import { getRedis } from './redis'

/**
 * Cache invalidation by data area (a table and its satellites: `products`,
 * `vouchers`, `orders`…), shared by the REST response cache and the stats cache.
 *
 * - The database says what changed: statement-level triggers on the watched
 *   tables (migration 20261122_070000_cache_notify) send
 *   `NOTIFY patron_cache, '<area>'`. PostgreSQL delivers a notification only
 *   after its transaction commits, whoever wrote (REST, local API, services'
 *   raw SQL, jobs, scripts, another process).
 * - Every app process LISTENs on one dedicated connection and bumps the area's
 *   generation in the cache store (Redis, or this process's memory without
 *   REDIS_URL). Cache entries are filed under the generations they read, so a
 *   bump makes them unreachable.
 * - A writer in this process does not return before its own invalidation is
 *   through: after each transaction commits, and after each non-GET API
 *   request, it waits for a fence — a notification on this process's own
 *   channel. Notifications arrive in commit order, so once the fence arrives
 *   every change committed before it has been bumped.
 * - Whenever invalidation cannot be trusted (listener (re)connecting, a bump
 *   that failed because Redis was away), this process serves nothing from the
 *   cache until a bump of every area succeeds.
 */

export const CACHE_CHANNEL = 'patron_cache'
/** Longest a writer waits for its fence; past it every area is bumped instead. */
const FENCE_TIMEOUT_MS = 2_000
const RECONNECT_MAX_MS = 5_000
const REPAIR_INTERVAL_MS = 1_000

type Fence = { token: string; promise: Promise<void>; resolve: () => void }

type State = {
  payload: Payload | null
  client: pg.Client | null
  starting: Promise<boolean> | null
  ready: boolean
  stopped: boolean
  namespace: string | null
  /** Areas that have a notify trigger in this database. */
  watched: Set<string>
  fenceChannel: string
  fences: Map<string, () => void>
  nextFence: Fence | null
  /** Bumps and fence arrivals, processed in the order the notifications came. */
  chain: Promise<void>
  pending: Set<string>
  flushQueued: boolean
  /** A bump failed: the cache is not trusted until every area is bumped again. */
  dirty: boolean
  /** Failed store operations so far; a full bump clears `dirty` only if none failed while it ran. */
  failures: number
  repairTimer: NodeJS.Timeout | null
  reconnectTimer: NodeJS.Timeout | null
  attempts: number
  defaultBackend: GenerationalCache | null | undefined
  override: GenerationalCache | null | undefined
  /** Undoes the commit hook installed on the database adapter. */
  unhook: (() => void) | null
  /** Misses being computed now, so that concurrent readers of one key compute once. */
  flights: Map<string, Promise<{ value: unknown; raw: string | null }>>
  /** Changes seen by this process's listener, per area (in-process memos, process-memo.ts). */
  seen: Map<string, number>
  /** Moves on whenever the listener (re)connects: changes made meanwhile were not seen. */
  epoch: number
}

const fresh = (): State => ({
  payload: null,
  client: null,
  starting: null,
  ready: false,
  stopped: false,
  namespace: null,
  watched: new Set(),
  fenceChannel: `patron_cache_fence_${randomUUID().replace(/-/g, '')}`,
  fences: new Map(),
  nextFence: null,
  chain: Promise.resolve(),
  pending: new Set(),
  flushQueued: false,
  dirty: false,
  failures: 0,
  repairTimer: null,
  reconnectTimer: null,
  attempts: 0,
  defaultBackend: undefined,
  override: undefined,
  unhook: null,
  flights: new Map(),
  seen: new Map(),
  epoch: 0,
})

// One state per process, even when Next.js bundles this module more than once.
const holder = globalThis as typeof globalThis & { __patronCacheInvalidation?: State; __patronCacheEpochs?: number }
const state = (): State => (holder.__patronCacheInvalidation ??= fresh())
/** Epochs count across states, so a listener started again after a stop never repeats an old stamp. */
const nextEpoch = () => (holder.__patronCacheEpochs = (holder.__patronCacheEpochs ?? 0) + 1)

// ------------------------------------------------------------------ backend

/**
 * Replaces the cache store (tests: a Redis on another address, a dead Redis).
 * `undefined` goes back to the default: Redis when REDIS_URL is set, else memory.
 */
export function setCacheBackend(backend: GenerationalCache | null | undefined): void {
  state().override = backend
}

function backend(): GenerationalCache | null {
  const s = state()
  if (s.override !== undefined) return s.override
  if (!s.namespace) return null
  if (s.defaultBackend === undefined) {
    if (process.env.DATABASE_READ_REPLICAS) {
      // A reader could compute from a replica that has not caught up with a change
      // yet, after its invalidation, and keep the old data for the TTL.
      warnOnce('cache-replicas', 'DATABASE_READ_REPLICAS is set: API responses and statistics are not cached')
      s.defaultBackend = null
    } else if (getRedis()) s.defaultBackend = new RedisGenerationalCache(`patron:${s.namespace}:`)
    else if (cluster.isWorker) {
      // Processes of a cluster share no memory: one could serve what another changed.
      warnOnce('cache-cluster', 'REDIS_URL is not set: API responses are not cached in a cluster of processes')
      s.defaultBackend = null
    } else s.defaultBackend = new MemoryGenerationalCache()
  }
  return s.defaultBackend
}

/**
 * The cache to read from, or null when it must not be used now: no store,
 * listener not connected, or an invalidation that may have been lost.
 */
export function trustedCache(): GenerationalCache | null {
  const s = state()
  if (!s.ready || s.dirty || s.stopped) return null
  return backend()
}

/** Marks the cache untrusted (a store operation failed) until every area is bumped again. */
export function distrustCache(): void {
  const s = state()
  s.failures++
  s.dirty = true
  scheduleRepair()
}

function scheduleRepair(): void {
  const s = state()
  if (s.repairTimer || s.stopped) return
  s.repairTimer = setTimeout(() => {
    s.repairTimer = null
    void bumpAll().then((ok) => {
      if (!ok) scheduleRepair()
    })
  }, REPAIR_INTERVAL_MS)
  s.repairTimer.unref()
}

// ------------------------------------------------------------------ bumps

/** Bumps `areas` now. On failure the cache is distrusted until a full bump succeeds. */
export async function bumpAreas(areas: readonly string[]): Promise<boolean> {
  const b = backend()
  if (!b || areas.length === 0) return true
  const ok = await b.bump(areas).catch(() => false)
  if (!ok) distrustCache()
  return ok
}

/** Bumps every watched area; clears the distrust when it succeeds. */
export async function bumpAll(): Promise<boolean> {
  const s = state()
  const b = backend()
  if (!b) return true
  const failures = s.failures
  const ok = await b.bump([...s.watched]).catch(() => false)
  if (!ok) distrustCache()
  // A bump that failed meanwhile may be for a change this one did not cover (it ran before that commit).
  else if (s.failures === failures) s.dirty = false
  return ok
}

/**
 * What this process has seen of `areas` so far, as a string that changes with
 * every committed change to any of them (notifications counted as they arrive,
 * and the listener's connection epoch); null when the listener is not
 * connected or an area has no notify trigger, i.e. when nothing may be
 * remembered. Read it before reading the data a memo keeps.
 */
export function localStamp(areas: readonly string[]): string | null {
  const s = state()
  // A replica may not have caught up with a change whose notification already arrived.
  if (!s.ready || s.stopped || process.env.DATABASE_READ_REPLICAS) return null
  let stamp = String(s.epoch)
  for (const area of areas) {
    if (!s.watched.has(area)) return null
    stamp += `.${s.seen.get(area) ?? 0}`
  }
  return stamp
}

/** Areas with a notify trigger in this database (known once the listener is connected). */
export function watchedAreas(): ReadonlySet<string> {
  return state().watched
}

function enqueue(task: () => Promise<void> | void): Promise<void> {
  const s = state()
  s.chain = s.chain.then(task, task).catch(() => undefined)
  return s.chain
}

function onNotification(msg: pg.Notification): void {
  const s = state()
  if (msg.channel === s.fenceChannel) {
    const token = msg.payload ?? ''
    void enqueue(() => {
      s.fences.get(token)?.()
      s.fences.delete(token)
    })
    return
  }
  if (msg.channel !== CACHE_CHANNEL || !msg.payload) return
  // Synchronously, so that a fence arriving after this notification finds it counted.
  s.seen.set(msg.payload, (s.seen.get(msg.payload) ?? 0) + 1)
  s.pending.add(msg.payload)
  if (s.flushQueued) return
  s.flushQueued = true
  void enqueue(async () => {
    s.flushQueued = false
    const areas = [...s.pending]
    s.pending.clear()
    await bumpAreas(areas)
  })
}

// ------------------------------------------------------------------ fences

/**
 * Resolves once every change committed before this call has been invalidated
 * (this process's listener has bumped its area). Never throws; when the
 * listener is not connected or too slow, bumps every area instead.
 */
export async function awaitCacheInvalidation(): Promise<void> {
  const s = state()
  if (!backend()) return
  if (!s.ready || !s.client) {
    await bumpAll()
    return
  }
  let fence = s.nextFence
  if (!fence) {
    let resolve!: () => void
    const promise = new Promise<void>((r) => (resolve = r))
    fence = { token: randomUUID(), promise, resolve }
    s.nextFence = fence
    s.fences.set(fence.token, resolve)
    // Writers finishing in the same turn share one fence.
    setImmediate(() => sendFence(fence!))
  }
  let timer: NodeJS.Timeout | undefined
  const timedOut = await Promise.race([
    fence.promise.then(() => false),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), FENCE_TIMEOUT_MS)
      timer.unref()
    }),
  ])
  clearTimeout(timer)
  if (timedOut) await bumpAll()
}

function sendFence(fence: Fence): void {
  const s = state()
  if (s.nextFence === fence) s.nextFence = null
  const client = s.client
  const fail = () => {
    s.fences.delete(fence.token)
    void bumpAll().then(fence.resolve)
  }
  if (!client || !s.ready) return fail()
  client.query('select pg_notify($1, $2)', [s.fenceChannel, fence.token]).catch(fail)
}

// ------------------------------------------------------------------ listener

/** The connection settings of Payload's pool, for the listener's own connection. */
function connectionOptions(payload: Payload): pg.ClientConfig {
  const db = payload.db as unknown as { poolOptions?: pg.PoolConfig }
  const options: pg.ClientConfig = { ...(db.poolOptions ?? {}) }
  options.connectionString ??= process.env.DATABASE_URL
  return { ...options, application_name: 'patron-cache-listener' }
}

/**
 * Starts this process's listener (once; later calls wait for the first). Resolves
 * true when connected. Until then, and whenever it reconnects, nothing is served
 * from the cache; on (re)connection every area is bumped, since changes made
 * while nobody listened were not seen.
 */
export function startCacheInvalidation(payload: Payload): Promise<boolean> {
  const s = state()
  if (s.stopped) return Promise.resolve(false)
  s.payload ??= payload
  if (s.ready) {
    hookWrites(s, payload) // again, in case the adapter replaced its Drizzle instance
    return Promise.resolve(true)
  }
  s.starting ??= connect(s).finally(() => {
    s.starting = null
  })
  return s.starting
}

async function connect(s: State): Promise<boolean> {
  const payload = s.payload
  if (!payload || s.stopped) return false
  const client = new pg.Client(connectionOptions(payload))
  const lost = (err?: Error) => {
    if (s.client !== client || s.stopped) return
    s.client = null
    s.ready = false
    s.epoch = nextEpoch()
    if (err) log.warn(`cache listener lost its database connection (${err.message}); the cache is off until it reconnects`)
    client.end().catch(() => undefined)
    // Fences sent on this connection will not arrive: bump everything instead.
    const waiting = [...s.fences.values()]
    s.fences.clear()
    if (waiting.length) void bumpAll().then(() => waiting.forEach((resolve) => resolve()))
    scheduleReconnect(s)
  }
  client.on('error', lost)
  client.on('end', () => lost())
  client.on('notification', onNotification)
  try {
    await client.connect()
    const [ns] = (await client.query<{ ns: string }>('select patron_cache_namespace() as ns')).rows
    const triggers = await client.query<{ area: string }>(
      `select distinct split_part(encode(tgargs, 'escape'), '\\000', 1) as area
         from pg_trigger where tgname = 'patron_cache_notify' and not tgisinternal`,
    )
    await client.query(`LISTEN ${CACHE_CHANNEL}`)
    await client.query(`LISTEN ${s.fenceChannel}`)
    if (s.stopped) {
      await client.end().catch(() => undefined)
      return false
    }
    // The listener alone must not keep a script or a test process alive.
    ;(client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.()
    s.client = client
    s.namespace = ns.ns
    s.watched = new Set(triggers.rows.map((r) => r.area).filter(Boolean))
    s.attempts = 0
    hookWrites(s, payload)
    s.epoch = nextEpoch()
    s.ready = true
    // Changes made while nobody listened here were not seen. If the store is not
    // reachable yet (Redis still connecting), the cache stays off until a retry succeeds.
    await bumpAll()
    return true
  } catch (err) {
    client.removeAllListeners('end')
    await client.end().catch(() => undefined)
    const message = err instanceof Error ? err.message : String(err)
    if (/patron_cache_namespace/.test(message)) warnOnce('cache-migration', 'cache: the cache_notify migration has not run; API responses are not cached until it has')
    else warnOnce('cache-listen', `cache: cannot listen for changes (${message}); API responses are not cached until it can`)
    scheduleReconnect(s)
    return false
  }
}

function scheduleReconnect(s: State): void {
  if (s.stopped || s.reconnectTimer) return
  const delay = Math.min(RECONNECT_MAX_MS, 100 * 2 ** s.attempts++)
  s.reconnectTimer = setTimeout(() => {
    s.reconnectTimer = null
    if (!s.ready && !s.starting) s.starting = connect(s).finally(() => (s.starting = null))
  }, delay)
  s.reconnectTimer.unref()
}

/** Statements that may change data (over-matching, e.g. SELECT … FOR UPDATE, only costs a fence). */
const WRITE_STATEMENT = /\b(insert|update|delete|truncate|merge)\b/i

type Hookable = Record<string, unknown> & { __patronCacheHook?: true }

/** Replaces `target[method]` with `wrap(original)` once; returns how to undo it. */
function hook(target: Hookable | undefined, method: string, wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown) {
  if (!target || target.__patronCacheHook || typeof target[method] !== 'function') return null
  const original = target[method] as (...args: unknown[]) => unknown
  const hooked = wrap(original)
  target[method] = hooked
  target.__patronCacheHook = true
  return () => {
    if (target[method] === hooked) target[method] = original
    delete target.__patronCacheHook
  }
}

/**
 * Makes this process's writes wait for their own invalidation before going on,
 * so that anything that follows them (the API's answer, the next read) sees
 * the change even through the cache:
 * - transactions: Payload's own (REST, local API, jobs) and our services'
 *   (inTransaction) all go through `drizzle.transaction`; after it commits,
 *   wait for the fence. Savepoints (`tx.transaction`) are inside their outer
 *   transaction, which is hooked;
 * - statements outside a transaction (autocommit, on the pool) that may write.
 * Writes by other processes (worker, scripts) are invalidated when their
 * notification arrives, a few milliseconds after their commit.
 */
function hookWrites(s: State, payload: Payload): void {
  const db = payload.db as unknown as { drizzle?: Hookable; pool?: Hookable }
  const undoTransaction = hook(db.drizzle, 'transaction', (original) =>
    async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args)
      await awaitCacheInvalidation()
      return result
    },
  )
  const undoQuery = hook(db.pool, 'query', (original) =>
    function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args)
      const first = args[0] as string | { text?: string } | undefined
      const text = typeof first === 'string' ? first : first?.text
      if (typeof args[args.length - 1] === 'function' || !(result instanceof Promise) || !text || !WRITE_STATEMENT.test(text)) return result
      return result.then(async (r: unknown) => {
        await awaitCacheInvalidation()
        return r
      })
    },
  )
  if (!undoTransaction && !undoQuery) return
  const previous = s.unhook
  s.unhook = () => {
    previous?.()
    undoTransaction?.()
    undoQuery?.()
  }
}

/**
 * Starts the listener if needed and waits for it at most `waitMs` (a database
 * that does not answer must not hold requests up; they are served uncached).
 */
export async function ensureCacheInvalidation(payload: Payload, waitMs = 1_000): Promise<void> {
  if (state().ready) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    startCacheInvalidation(payload),
    new Promise((resolve) => {
      timer = setTimeout(resolve, waitMs)
      timer.unref()
    }),
  ])
  clearTimeout(timer)
}

/** True once this process listens for changes. */
export function cacheInvalidationReady(): boolean {
  return state().ready
}

/**
 * Stops the listener and forgets this process's cache state (closePayload
 * calls it, so scripts and tests exit). Pending fences resolve.
 */
export async function stopCacheInvalidation(): Promise<void> {
  const s = holder.__patronCacheInvalidation
  if (!s) return
  s.stopped = true
  s.ready = false
  if (s.repairTimer) clearTimeout(s.repairTimer)
  if (s.reconnectTimer) clearTimeout(s.reconnectTimer)
  for (const resolve of s.fences.values()) resolve()
  s.fences.clear()
  s.unhook?.()
  const client = s.client
  s.client = null
  holder.__patronCacheInvalidation = undefined
  await s.starting?.catch(() => undefined)
  if (client) {
    client.removeAllListeners('end')
    await client.end().catch(() => undefined)
  }
}

// ------------------------------------------------------------------ read-through

/** How a value was served: from the cache, computed and stored, or computed without the cache. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS'

export type ReadThrough<T> = {
  /** Data areas the value is computed from; a change to any of them invalidates it. */
  areas: readonly string[]
  /** Identifies the value within those areas (no caller identity: callers must only cache what everyone allowed sees alike). */
  key: string
  /** How long the value may be kept; a function is asked on a miss, before computing (e.g. until data becomes visible by time alone). */
  ttlSeconds: number | (() => Promise<number>)
  compute: () => Promise<T>
  /** The value as stored, or null when this one must not be cached. */
  serialize: (value: T) => string | null
  deserialize: (raw: string) => T
}

/**
 * The cached value for `key`, or computes it, stores it under the generations
 * read before computing, and returns it. Concurrent misses of one key in this
 * process compute once. Never fails because of the cache: without a trusted
 * store it computes (BYPASS).
 */
export async function readThrough<T>(opts: ReadThrough<T>): Promise<{ value: T; cache: CacheStatus }> {
  const s = state()
  const cache = trustedCache()
  const bypass = async () => ({ value: await opts.compute(), cache: 'BYPASS' as const })
  if (!cache || (typeof opts.ttlSeconds === 'number' && opts.ttlSeconds <= 0)) return bypass()
  const unwatched = opts.areas.filter((a) => !s.watched.has(a))
  if (unwatched.length) {
    warnOnce(`cache-unwatched:${unwatched.join(',')}`, `cache: no notify trigger for ${unwatched.join(', ')}; not caching what reads it`)
    return bypass()
  }
  const found = await cache.lookup(opts.areas, opts.key)
  if (found.status === 'hit') {
    try {
      return { value: opts.deserialize(found.value), cache: 'HIT' }
    } catch {
      return bypass()
    }
  }
  if (found.status === 'unavailable') {
    distrustCache()
    return bypass()
  }
  if (found.status === 'uninitialized') {
    void bumpAreas(opts.areas)
    return bypass()
  }
  const flightKey = `${found.stamp}:${opts.key}`
  const running = s.flights.get(flightKey)
  if (running) {
    const shared = await running.catch(() => null)
    if (shared && shared.raw !== null) return { value: shared.value as T, cache: 'HIT' }
    return bypass()
  }
  const flight = (async () => {
    const ttl = typeof opts.ttlSeconds === 'number' ? opts.ttlSeconds : await opts.ttlSeconds().catch(() => 0)
    const value = await opts.compute()
    const raw = ttl > 0 ? opts.serialize(value) : null
    if (raw !== null) await cache.store(found.stamp, opts.key, raw, ttl)
    return { value: value as unknown, raw }
  })()
  s.flights.set(flightKey, flight)
  try {
    const { value } = await flight
    return { value: value as T, cache: 'MISS' }
  } finally {
    s.flights.delete(flightKey)
  }
}
