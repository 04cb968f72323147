import { sql, type SQL } from 'drizzle-orm'
import type { Payload, PayloadRequest } from 'payload'

export { sql }

/** What our services run SQL on: Drizzle's database or an open transaction. */
export type Db = { execute: (query: SQL) => Promise<{ rows: unknown[]; rowCount?: number | null }> }

type Adapter = {
  drizzle: Db & { transaction: <T>(fn: (tx: Db) => Promise<T>, config?: { isolationLevel?: string }) => Promise<T> }
  sessions?: Record<string | number, { db: Db } | undefined>
}

const adapter = (payload: Payload) => payload.db as unknown as Adapter

/** Runs a query and returns its rows. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = await db.execute(query)
  return result.rows as T[]
}

/** The database handle for `req`: its open Payload transaction when there is one, else the pool. */
export async function dbFor(payload: Payload, req?: Partial<PayloadRequest>): Promise<Db> {
  const id = req?.transactionID ? await req.transactionID : undefined
  return (id !== undefined && adapter(payload).sessions?.[id]?.db) || adapter(payload).drizzle
}

const RETRYABLE = new Set(['40001', '40P01']) // serialization failure, deadlock detected

/**
 * Runs `fn` in one database transaction: everything it writes commits together
 * or not at all. Inside a Payload request that already has a transaction it
 * joins that one (so a hook's writes commit with the document). Retries a few
 * times on serialization failures and deadlocks, which are safe to retry.
 */
export async function inTransaction<T>(payload: Payload, req: Partial<PayloadRequest> | undefined, fn: (db: Db) => Promise<T>): Promise<T> {
  const id = req?.transactionID ? await req.transactionID : undefined
  const joined = id !== undefined ? adapter(payload).sessions?.[id]?.db : undefined
  if (joined) return fn(joined)
  for (let attempt = 1; ; attempt++) {
    try {
      return await adapter(payload).drizzle.transaction(fn)
    } catch (err) {
      const code = pgCode(err)
      if (!code || !RETRYABLE.has(code) || attempt >= 5) throw err
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20))
    }
  }
}

/** PostgreSQL's SQLSTATE of an error, looking through Drizzle's wrapping. */
export function pgCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined
  for (let i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code
    e = e.cause as typeof e
  }
  return undefined
}

/** The constraint a unique-violation names, when it is one. */
export function uniqueViolation(err: unknown): string | undefined {
  if (pgCode(err) !== '23505') return undefined
  let e = err as { constraint?: string; cause?: unknown } | undefined
  for (let i = 0; e && i < 5; i++) {
    if (e.constraint) return e.constraint
    e = e.cause as typeof e
  }
  return 'unknown'
}

/**
 * The flag as an expression, for a service whose whole transaction is its own
 * to set it inside its first statement (saving a round trip); the flag then
 * lasts until that transaction ends.
 */
export const COMPUTED_WRITES_FOR_TRANSACTION = sql`set_config('patron.computed_write', 'on', true)`

/** Open computed-write scopes per transaction, so that nested scopes cost no round trips. */
const computedScopes = new WeakMap<object, number>()

/**
 * Runs `fn` with the transaction flagged as a computed-field writer. Database
 * triggers keep computed columns (a member's balance, tier…) unchanged on any
 * update without this flag, so only the services that own those numbers can
 * move them. `db` must be a transaction; the flag ends with it at the latest.
 * Scopes nest (an inner one neither sets nor clears the flag).
 */
export async function allowComputedWrites<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const open = computedScopes.get(db) ?? 0
  if (open > 0) {
    computedScopes.set(db, open + 1)
    try {
      return await fn()
    } finally {
      computedScopes.set(db, (computedScopes.get(db) ?? 1) - 1)
    }
  }
  await db.execute(sql`select set_config('patron.computed_write', 'on', true)`)
  computedScopes.set(db, 1)
  try {
    return await fn()
  } finally {
    computedScopes.delete(db)
    // After a failed statement the transaction is aborted and rolls back the flag itself.
    await db.execute(sql`select set_config('patron.computed_write', 'off', true)`).catch(() => undefined)
  }
}
