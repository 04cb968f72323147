import { pingRedis } from '../lib/redis'

export type HealthReport = {
  status: 'ok' | 'degraded' | 'down'
  db: 'ok' | 'down'
  redis: 'ok' | 'down' | 'disabled'
}

/** Anything that can run `select 1`: a pg Pool, or a Drizzle-backed wrapper. */
export type Pingable = { query: (sql: string) => Promise<unknown> }

/**
 * Checks PostgreSQL (required) and Redis (optional). The app is `down` without
 * its database; without Redis it still serves (in-process fallbacks), `degraded`.
 */
export async function checkHealth(db: Pingable | undefined, timeoutMs = 2_000): Promise<HealthReport> {
  const dbStatus = await withTimeout(async () => {
    if (!db) throw new Error('no database pool')
    await db.query('select 1')
  }, timeoutMs)
  const redis = await pingRedis(timeoutMs)
  const status = dbStatus === 'down' ? 'down' : redis === 'down' ? 'degraded' : 'ok'
  return { status, db: dbStatus, redis }
}

async function withTimeout(fn: () => Promise<void>, ms: number): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms)
      }),
    ])
    return 'ok'
  } catch {
    return 'down'
  } finally {
    if (timer) clearTimeout(timer)
  }
}
