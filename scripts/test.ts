import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { createThrowawayDatabase } from '../src/lib/db/boot'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/lib/db/embedded'
import { loadEnv, projectRoot } from '../src/lib/env'

/**
 * npm test — unit and integration tests against a throw-away database:
 * a fresh database on DATABASE_URL's server when it is set, otherwise a
 * temporary embedded PostgreSQL (its own port and folder, so a running
 * `npm run dev` is never touched). Arguments go to vitest.
 */
async function main() {
  loadEnv()
  let embedded: EmbeddedDatabase | null = null
  let serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    const dir = path.join(os.tmpdir(), `patron-test-pg-${process.pid}-${Date.now()}`)
    process.stdout.write('[patron] DATABASE_URL is not set: starting a temporary embedded PostgreSQL for the tests\n')
    embedded = await startEmbeddedPostgres({ dir, persistent: false, database: 'postgres' })
    serverUrl = embedded.url
  }
  const db = await createThrowawayDatabase(serverUrl)
  console.log(`[patron] test database: ${new URL(db.url).pathname.slice(1)}${process.env.REDIS_URL ? `, Redis: ${process.env.REDIS_URL}` : ', no Redis (in-process fallbacks)'}`)

  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'node_modules/vitest/vitest.mjs'), 'run', ...process.argv.slice(2)], {
      stdio: 'inherit',
      cwd: projectRoot,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
        DATABASE_URL: db.url,
        PAYLOAD_SECRET: process.env.PAYLOAD_SECRET || 'test-secret-not-for-production',
      },
    })
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    child.on('exit', (c) => resolve(c ?? 1))
  })
  await db.drop().catch((err) => console.warn(`could not drop the test database: ${err}`))
  if (embedded) await embedded.stop()
  process.exit(code)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
