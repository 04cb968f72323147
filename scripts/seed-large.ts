import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import cliProgress from 'cli-progress'
import pg from 'pg'
import type { DatabaseHandle } from '../src/lib/db/boot'
import { formatLargeSeedSummary, LargeSeedRefused, seedLarge } from '../src/seed/large'
import { prepareEnvironment, runScript, shutdown } from './lib/boot'

/**
 * npm run seed:large -- [--scale 1] [--seed 1] [--reset] [--force] [--json]
 *
 * Writes the large data set (src/seed/large.ts; at scale 1: 50,000 members,
 * 1,000,000 ledger entries, 200,000 orders…) with bulk SQL, after applying
 * pending migrations. Uses DATABASE_URL, or the embedded PostgreSQL when it is
 * unset. Refuses when a large seed is already there (--reset replaces it) and
 * when NODE_ENV=production (--force).
 * Exit codes: 0 written; 2 refused or bad arguments (nothing written); 1 anything else.
 */
const USAGE = 'usage: npm run seed:large -- [--scale 1] [--seed 1] [--reset] [--force] [--json]'

type Args = { scale: number; seed: number; reset: boolean; force: boolean; json: boolean; help: boolean }

function parseArgs(argv: string[]): Args | string {
  const args: Args = { scale: 1, seed: 1, reset: false, force: false, json: false, help: false }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined]
    const value = () => inline ?? argv[++i]
    switch (flag) {
      case '--scale': {
        const v = Number(value())
        if (!Number.isFinite(v) || v <= 0 || v > 10) return '--scale takes a number greater than 0 and at most 10 (1 = full size)'
        args.scale = v
        break
      }
      case '--seed': {
        const v = Number(value())
        if (!Number.isSafeInteger(v) || v < 0) return '--seed takes a whole number'
        args.seed = v
        break
      }
      case '--reset':
        args.reset = true
        break
      case '--force':
        args.force = true
        break
      case '--json':
        args.json = true
        break
      case '--help':
      case '-h':
        args.help = true
        break
      default:
        return `unknown argument ${argv[i]}`
    }
  }
  return args
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const migrationsDir = path.join(root, 'migrations')

/** Committed migrations the database has not run yet (all of them on an empty database). */
async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const committed = fs
    .readdirSync(migrationsDir)
    .filter((f) => /^\d{8}_\d{6}_.+\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ name: string }>('select name from payload_migrations')
    const applied = new Set(rows.map((r) => r.name))
    return committed.filter((name) => !applied.has(name))
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return committed // no payload_migrations table yet
    throw err
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * Applies pending migrations with `npm run migrate`'s script in a child process (it inherits
 * DATABASE_URL, so the embedded server started here too), checking afterwards that none is left:
 * loading Payload through tsx sometimes stalls and ends the process silently with code 0
 * (payloadcms/payload#17757), so a clean exit alone proves nothing. Tries three times.
 */
async function migrate(databaseUrl: string): Promise<void> {
  let pending = await pendingMigrations(databaseUrl)
  for (let attempt = 1; pending.length && attempt <= 3; attempt++) {
    console.log(`applying ${pending.length} pending migration(s) first${attempt > 1 ? ` (attempt ${attempt})` : ''}`)
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/migrate.ts')], { cwd: root, env: process.env, stdio: 'inherit' })
      child.on('error', reject)
      child.on('exit', (c) => resolve(c))
    })
    if (code !== 0) throw new Error(`applying the migrations failed (exit code ${code}); see above`)
    pending = await pendingMigrations(databaseUrl)
  }
  if (pending.length) throw new Error(`migrations still pending after three attempts: ${pending.join(', ')}; run \`npm run migrate\` and try again`)
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  if (typeof args === 'string') {
    console.error(`${args}\n${USAGE}`)
    return 2
  }
  if (args.help) {
    console.log(USAGE)
    return 0
  }
  const production = process.env.NODE_ENV === 'production'
  if (production && !args.force) {
    console.error('seed:large: refusing to run with NODE_ENV=production (pass --force if this really is a throw-away database)')
    return 2
  }

  let db: DatabaseHandle | null = null
  const bar = new cliProgress.SingleBar(
    // Without a terminal (CI, logs) the bar prints a line every few seconds instead.
    { format: '{phase} |{bar}| {value}/{total} {percentage}% {duration_formatted}', clearOnComplete: false, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  )
  let phase: string | null = null
  // Should an await here ever be left pending with nothing to keep Node running (as loading
  // Payload through tsx sometimes is, payloadcms/payload#17757), Node would end silently with
  // code 0 as if all was done: say so and fail instead.
  let outcome: number | null = null
  process.once('beforeExit', () => {
    if (outcome !== null) process.exit(outcome) // only the shutdown stalled: the seed's work is done
    console.error('\nseed:large: Node ran out of work before the seed finished (an await stalled); the seed writes in one transaction, so nothing is left half-written: run it again')
    process.exit(1)
  })
  try {
    db = await prepareEnvironment({ production })
    // The schema first: the seed writes straight into the tables the migrations make.
    await migrate(db.url)

    const summary = await seedLarge({
      databaseUrl: db.url,
      scale: args.scale,
      seed: args.seed,
      reset: args.reset,
      force: args.force,
      onProgress: (p, done, total) => {
        if (p !== phase) {
          if (phase) bar.stop()
          phase = p
          bar.start(Math.max(total, 1), done, { phase: p.padEnd(16) })
        } else bar.update(done)
      },
    })
    if (phase) bar.stop()
    phase = null
    console.log('')
    console.log(args.json ? JSON.stringify(summary, null, 2) : formatLargeSeedSummary(summary))
    outcome = 0
    return outcome
  } catch (err) {
    if (phase) bar.stop()
    phase = null
    if (err instanceof LargeSeedRefused) {
      console.error(`seed:large: ${err.message}`)
      outcome = 2
      return outcome
    }
    throw err
  } finally {
    if (phase) bar.stop()
    await shutdown(null, db)
  }
}

runScript(main)
