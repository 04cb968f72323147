import { getPayload, type Payload } from 'payload'
import { stopCacheInvalidation } from '../../src/lib/cache-invalidation'
import { ensureDatabase, type DatabaseHandle } from '../../src/lib/db/boot'
import { loadEnv } from '../../src/lib/env'
import { closeRedis } from '../../src/lib/redis'
import { ensureSecret } from '../../src/lib/secret'

/**
 * Shared start-up for command-line scripts: `.env`, secret, database (embedded
 * when DATABASE_URL is unset). Returns a stop function for what it started.
 */
export async function prepareEnvironment(opts: { production?: boolean } = {}): Promise<DatabaseHandle> {
  loadEnv()
  const external = !!process.env.DATABASE_URL
  ensureSecret({ allowGenerated: !(opts.production && external) })
  return ensureDatabase()
}

/** Loads the Payload config and initialises Payload (after prepareEnvironment). */
export async function loadPayload(): Promise<Payload> {
  // Under tsx the dynamic import of the config occasionally never settles
  // (payloadcms/payload#17757); with nothing else pending Node would then exit
  // with code 0 having done nothing. Make that a visible failure instead.
  const onBeforeExit = () => {
    console.error('[patron] loading the Payload config did not finish; exiting with an error (run the command again)')
    process.exit(1)
  }
  process.once('beforeExit', onBeforeExit)
  try {
    const { default: config } = await import('../../payload.config')
    return await getPayload({ config })
  } finally {
    process.off('beforeExit', onBeforeExit)
  }
}

type PgPoolInternals = {
  end: () => Promise<void>
  _clients?: Array<{ release?: () => void }>
  _idle?: Array<{ client: unknown }>
}

/**
 * Payload's destroy() leaves the pg pool open; end it too so the process can
 * exit cleanly. Payload 3.90's Postgres adapter also keeps one client checked
 * out from connect() on (payloadcms/payload#15674), which would make
 * pool.end() wait forever: hand such clients back first, once all work is done.
 */
export async function closePayload(payload: Payload): Promise<void> {
  const pool = (payload.db as unknown as { pool?: PgPoolInternals }).pool
  await stopCacheInvalidation() // the cache listener's own connection
  await payload.destroy().catch(() => undefined)
  if (!pool) return
  const idle = new Set((pool._idle ?? []).map((i) => i.client))
  for (const client of pool._clients ?? []) if (!idle.has(client)) client.release?.()
  await Promise.race([pool.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5_000).unref())])
}

export async function shutdown(payload: Payload | null, db: DatabaseHandle | null): Promise<void> {
  if (payload) await closePayload(payload)
  await closeRedis()
  if (db?.embedded) await db.embedded.stop()
}

/** Runs `main` and exits with the code it returns (0 by default), or 1 with the stack when it throws. */
export function runScript(main: () => Promise<void | number>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err)
      process.exit(1)
    },
  )
}

/**
 * Until the long-running part takes over its own signal handling, Ctrl-C or
 * SIGTERM during start-up (migrations, seeding) still stops the embedded
 * database the script started. Returns the function that disarms it.
 */
export function stopDatabaseOnSignal(db: DatabaseHandle): () => void {
  const handler = (signal: NodeJS.Signals) => {
    void shutdown(null, db).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}
