import { Redis } from 'ioredis'
import { log, warnOnce } from './log'

let client: Redis | null | undefined

/**
 * The one shared ioredis client, or null when REDIS_URL is unset. Callers must
 * treat Redis as optional and fall back to in-process behaviour when it is null
 * or when a command fails (Redis down must degrade, never fail a request).
 */
export function getRedis(): Redis | null {
  if (client !== undefined) return client
  const url = process.env.REDIS_URL
  if (!url) {
    warnOnce('redis-missing', 'REDIS_URL is not set: caching and rate limits run in-process (per app process)')
    client = null
    return client
  }
  client = new Redis(url, {
    lazyConnect: false,
    // Fail fast instead of queueing commands while Redis is away, so callers fall back at once.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  })
  let wasDown = false
  client.on('error', (err) => {
    if (!wasDown) log.warn(`Redis unavailable (${err.message}); falling back to in-process cache and limits`)
    wasDown = true
  })
  client.on('ready', () => {
    if (wasDown) log.info('Redis is back')
    wasDown = false
  })
  return client
}

/** True when a Redis client exists and is connected right now. */
export function redisReady(): boolean {
  return !!client && client.status === 'ready'
}

/** Closes the shared client (scripts, tests). */
export async function closeRedis(): Promise<void> {
  if (client) {
    const c = client
    client = undefined
    await c.quit().catch(() => c.disconnect())
  }
}

/** Health probe: 'ok', 'down', or 'disabled' when REDIS_URL is unset. */
export async function pingRedis(timeoutMs = 1_000): Promise<'ok' | 'down' | 'disabled'> {
  const redis = getRedis()
  if (!redis) return 'disabled'
  try {
    const pong = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
    ])
    return pong === 'PONG' ? 'ok' : 'down'
  } catch {
    return 'down'
  }
}
