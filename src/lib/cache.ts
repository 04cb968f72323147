import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { getRedis } from './redis'

export interface Cache {
  get<T>(key: string): Promise<T | undefined>
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>
  del(...keys: string[]): Promise<void>
  /** Returns the cached value for `key`, or computes, stores and returns it. */
  wrap<T>(key: string, ttlSeconds: number, compute: () => Promise<T>): Promise<T>
}

/** Bounded in-process cache; entries expire by TTL and the oldest go first when full. */
export class MemoryCache implements Cache {
  private entries = new Map<string, { value: unknown; expiresAt: number }>()
  constructor(private maxEntries = 5_000) {}

  async get<T>(key: string): Promise<T | undefined> {
    const e = this.entries.get(key)
    if (!e) return undefined
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key)
      return undefined
    }
    return structuredClone(e.value) as T
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    this.entries.delete(key)
    this.entries.set(key, { value: structuredClone(value), expiresAt: Date.now() + ttlSeconds * 1000 })
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
  }

  async del(...keys: string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k)
  }

  async wrap<T>(key: string, ttlSeconds: number, compute: () => Promise<T>): Promise<T> {
    const hit = await this.get<T>(key)
    if (hit !== undefined) return hit
    const value = await compute()
    await this.set(key, value, ttlSeconds)
    return value
  }
}

/**
 * Redis-backed cache shared by every app process. When Redis is down it caches
 * nothing (reads miss, writes are dropped): an in-process copy could not be
 * invalidated by the other processes, and a stale read is worse than a slow one.
 */
export class RedisCache implements Cache {
  constructor(
    private prefix = 'patron:cache:',
    private client: () => Redis | null = getRedis,
  ) {}

  private redis() {
    const r = this.client()
    return r && r.status === 'ready' ? r : null
  }

  async get<T>(key: string): Promise<T | undefined> {
    const r = this.redis()
    if (!r) return undefined
    try {
      const raw = await r.get(this.prefix + key)
      return raw === null ? undefined : (JSON.parse(raw) as T)
    } catch {
      return undefined
    }
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    const r = this.redis()
    if (r) await r.set(this.prefix + key, JSON.stringify(value), 'EX', ttlSeconds).catch(() => undefined)
  }

  async del(...keys: string[]): Promise<void> {
    const r = this.client()
    if (!r || keys.length === 0) return
    await r.del(...keys.map((k) => this.prefix + k)).catch(() => undefined)
  }

  async wrap<T>(key: string, ttlSeconds: number, compute: () => Promise<T>): Promise<T> {
    const hit = await this.get<T>(key)
    if (hit !== undefined) return hit
    const value = await compute()
    await this.set(key, value, ttlSeconds)
    return value
  }
}

let shared: Cache | undefined
/** Redis when REDIS_URL is set (no cache while it is down), otherwise this process's memory. */
export function getCache(): Cache {
  shared ??= getRedis() ? new RedisCache() : new MemoryCache()
  return shared
}

// ------------------------------------------------------------ generational cache

/**
 * What a generational lookup found: the stored value; a miss, with the stamp to
 * store the freshly computed value under; `uninitialized` when an area has no
 * generation yet (bump it first); `unavailable` when the store cannot be used
 * (Redis down): serve without the cache.
 */
export type CacheLookup =
  | { status: 'hit'; value: string }
  | { status: 'miss'; stamp: string }
  | { status: 'uninitialized' }
  | { status: 'unavailable' }

/**
 * A cache whose entries are filed under the current generations of the data
 * areas they were computed from (e.g. `products`, `media`). Bumping an area's
 * generation makes every entry that read it unreachable at once; they expire by
 * their TTL. A reader takes the stamp before computing and stores under that
 * stamp, so a value computed from data that changed meanwhile is filed under
 * a generation nobody looks up any more.
 *
 * Generations start at the current time in microseconds and only grow (a bump
 * moves to max(now, generation + 1)), so they never repeat, even after the
 * store lost its data.
 */
export interface GenerationalCache {
  readonly kind: 'redis' | 'memory'
  lookup(areas: readonly string[], key: string): Promise<CacheLookup>
  store(stamp: string, key: string, value: string, ttlSeconds: number): Promise<void>
  /** Moves every area to a new generation; false when that failed (the caller must not trust the cache until a bump succeeds). */
  bump(areas: readonly string[]): Promise<boolean>
}

/** A fresh generation: the current time in microseconds (a safe integer until the year 2255). */
export const generationFloor = () => Date.now() * 1000

/** The generational cache in this process's memory (one app process without Redis). */
export class MemoryGenerationalCache implements GenerationalCache {
  readonly kind = 'memory'
  private generations = new Map<string, number>()
  private entries: MemoryCache

  constructor(maxEntries = 5_000) {
    this.entries = new MemoryCache(maxEntries)
  }

  async lookup(areas: readonly string[], key: string): Promise<CacheLookup> {
    const parts: number[] = []
    for (const area of areas) {
      const g = this.generations.get(area)
      if (g === undefined) return { status: 'uninitialized' }
      parts.push(g)
    }
    const stamp = parts.join('.')
    const value = await this.entries.get<string>(`${stamp}:${key}`)
    return value === undefined ? { status: 'miss', stamp } : { status: 'hit', value }
  }

  async store(stamp: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) await this.entries.set(`${stamp}:${key}`, value, ttlSeconds)
  }

  async bump(areas: readonly string[]): Promise<boolean> {
    const floor = generationFloor()
    for (const area of areas) this.generations.set(area, Math.max(floor, (this.generations.get(area) ?? 0) + 1))
    return true
  }
}

// KEYS: generation keys; ARGV[1]: entry key prefix, ARGV[2]: entry key.
// Returns {stamp} on a miss, {stamp, value} on a hit, {} when a generation is missing.
const LOOKUP_SCRIPT = `
local parts = {}
for i = 1, #KEYS do
  local g = redis.call('GET', KEYS[i])
  if not g then return {} end
  parts[i] = g
end
local stamp = table.concat(parts, '.')
return {stamp, redis.call('GET', ARGV[1] .. stamp .. ':' .. ARGV[2])}
`
// KEYS: generation keys; ARGV[1]: seconds an idle generation is kept.
// The floor is Redis's own clock in microseconds, so every process bumps against one
// clock, and a generation lost to eviction restarts above every earlier value (a bump
// takes longer than a microsecond, so increments never run ahead of the clock).
const BUMP_SCRIPT = `
local t = redis.call('TIME')
local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local g = tonumber(redis.call('GET', KEYS[i]) or '0')
  if g == nil or g < floor then redis.call('SET', KEYS[i], string.format('%d', floor)) else redis.call('INCR', KEYS[i]) end
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return #KEYS
`
const GENERATION_TTL_SECONDS = 7 * 24 * 3600
const script = (lua: string) => ({ lua, sha: createHash('sha1').update(lua).digest('hex') })
const LOOKUP = script(LOOKUP_SCRIPT)
const BUMP = script(BUMP_SCRIPT)

/**
 * The generational cache in Redis, shared by every app process: one round trip
 * per lookup (a script reads the generations and the entry). While Redis is
 * down (or not yet connected) lookups are `unavailable` and bumps fail: the
 * caller serves without the cache.
 */
export class RedisGenerationalCache implements GenerationalCache {
  readonly kind = 'redis'
  constructor(
    private prefix: string,
    private client: () => Redis | null = getRedis,
  ) {}

  private redis(): Redis | null {
    const r = this.client()
    return r && r.status === 'ready' ? r : null
  }

  private genKey = (area: string) => `${this.prefix}gen:${area}`

  /** Runs a script by its SHA (EVALSHA), loading it the first time Redis does not know it. */
  private async run(r: Redis, script: { lua: string; sha: string }, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await r.evalsha(script.sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err
      return r.eval(script.lua, keys.length, ...keys, ...args)
    }
  }

  async lookup(areas: readonly string[], key: string): Promise<CacheLookup> {
    const r = this.redis()
    if (!r) return { status: 'unavailable' }
    try {
      const out = (await this.run(r, LOOKUP, areas.map(this.genKey), [`${this.prefix}e:`, key])) as Array<string | null>
      if (!out || out.length === 0) return { status: 'uninitialized' }
      const [stamp, value] = out
      return typeof value === 'string' ? { status: 'hit', value } : { status: 'miss', stamp: String(stamp) }
    } catch {
      return { status: 'unavailable' }
    }
  }

  async store(stamp: string, key: string, value: string, ttlSeconds: number): Promise<void> {
    const r = this.redis()
    const ms = Math.floor(ttlSeconds * 1000)
    if (!r || ms <= 0) return
    await r.set(`${this.prefix}e:${stamp}:${key}`, value, 'PX', ms).catch(() => undefined)
  }

  async bump(areas: readonly string[]): Promise<boolean> {
    if (areas.length === 0) return true
    const r = this.redis()
    if (!r) return false
    try {
      await this.run(r, BUMP, areas.map(this.genKey), [String(GENERATION_TTL_SECONDS)])
      return true
    } catch {
      return false
    }
  }
}
