import { localStamp } from './cache-invalidation'

/**
 * In-process memory of values read from the database, for reads that are too
 * frequent and too small to be worth a Redis round trip (the signed-in
 * account on every request, the loyalty rules and settings on every order).
 *
 * A value is kept under the stamp of its data areas taken before it was read
 * (cache-invalidation.ts localStamp): once this process's listener has seen a
 * committed change to any of those areas, the stamp differs and the value is
 * read again. Writers in this process wait for their own notification before
 * they return, so they always read their own writes. Without a connected
 * listener nothing is kept.
 */

type Entry = { stamp: string; expires: number; value: Promise<unknown> }

const MAX_ENTRIES = 20_000

const holder = globalThis as typeof globalThis & { __patronProcessMemo?: Map<string, Entry> }
const entries = (): Map<string, Entry> => (holder.__patronProcessMemo ??= new Map())

/**
 * The value remembered for `key` in `areas`, or `compute()`'s, remembered for
 * at most `ttlMs`. Concurrent callers with the same stamp share one
 * computation. Callers get the same object: they must not change it.
 */
export function memoInProcess<T>(areas: readonly string[], key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
  const stamp = ttlMs > 0 ? localStamp(areas) : null
  if (stamp === null) return compute()
  const map = entries()
  const id = `${areas.join(',')}|${key}`
  const now = Date.now()
  const found = map.get(id)
  if (found && found.stamp === stamp && found.expires > now) return found.value as Promise<T>
  const value = compute()
  const entry: Entry = { stamp, expires: now + ttlMs, value }
  map.delete(id)
  map.set(id, entry)
  // Oldest first out (Map keeps insertion order).
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string)
  value.catch(() => {
    if (map.get(id) === entry) map.delete(id)
  })
  return value
}

/** Forgets everything (tests). */
export function clearProcessMemo(): void {
  entries().clear()
}
