import fs from 'node:fs'
import pg from 'pg'
import { closeRedis } from '../../src/lib/redis'
import { closePayload, loadPayload } from '../lib/boot'

/**
 * The part of `npm run bench` that needs Payload, in a process of its own
 * (started by scripts/bench.ts): migrates the seed database, seeds it when
 * asked (BENCH_SEED=1: the large data at BENCH_SCALE, then the fixtures),
 * signs the bench accounts in, and writes what the scenarios need as JSON to
 * BENCH_SETUP_OUT. Keeping Payload out of the harness keeps the load
 * generator's process light, and lets the harness start this again when it
 * never got going (see the retry in scripts/bench.ts).
 *
 * The migrations, services and seed are imported only once Payload is
 * loaded: loading the config with a dynamic import after part of its module
 * graph (migrations/, @payloadcms/db-postgres) was imported statically hangs
 * now and then under tsx (scripts/bench/README.md).
 */
async function main() {
  const out = process.env.BENCH_SETUP_OUT!
  const databaseUrl = process.env.DATABASE_URL!
  const log = (line: string) => console.log(`[bench setup] ${line}`)
  const payload = await loadPayload()
  const { runMigrations } = await import('../../src/lib/db/migrate')
  const { prepareRun, seedTemplate } = await import('./fixtures')
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  try {
    await runMigrations(payload)
    if (process.env.BENCH_SEED === '1') await seedTemplate(payload, databaseUrl, Number(process.env.BENCH_SCALE), log)
    const fixtures = await prepareRun(payload, pool, log, process.env.BENCH_CACHE_KEY ?? '')
    fs.writeFileSync(out, JSON.stringify(fixtures))
  } finally {
    await pool.end()
    await closePayload(payload)
    await closeRedis()
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err)
    process.exit(1)
  },
)
