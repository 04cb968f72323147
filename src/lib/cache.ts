import { getRedis, redisReady } from './redis'

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
  constructor(private prefix = 'patron:cache:') {}

  private redis() {
    const r = getRedis()
    return r && redisReady() ? r : null
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
    const r = getRedis()
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
