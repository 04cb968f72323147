import cliProgress from 'cli-progress'
import type { Payload } from 'payload'
import type { DatabaseHandle } from '../src/lib/db/boot'
import { pgCode } from '../src/lib/db/sql'
import {
  formatLegacyImportReport,
  importLegacyLoyalty,
  LegacyImportAborted,
  LegacyImportError,
  readLegacyDatabase,
  type ImportPhase,
  type MoneyUnit,
} from '../src/services/loyalty/legacyImport'
import { loadPayload, prepareEnvironment, runScript, shutdown } from './lib/boot'

/**
 * npm run import:legacy -- path/to/legacy.sqlite [--money-minor] [--json]
 *
 * Imports members, point transactions, vouchers and redemptions from the legacy
 * Express + SQLite loyalty app. Safe to run again (everything is keyed by legacy id).
 * Exit codes: 0 the import ran (mismatches are reported, not fatal);
 * 2 the file is unreadable, not SQLite, or lacks tables/columns (nothing written);
 * 130 interrupted (Ctrl-C stops after the current batch; run again to finish);
 * 1 anything else.
 */
const USAGE = 'usage: npm run import:legacy -- path/to/legacy.sqlite [--money-minor] [--json]'

const LABELS: Record<ImportPhase, string> = {
  members: 'members',
  vouchers: 'vouchers',
  point_transactions: 'point transactions',
  redemptions: 'redemptions',
  reconcile: 'reconciliation',
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const file = args.find((a) => !a.startsWith('--'))
  const unknown = args.filter((a) => a.startsWith('--') && !['--money-minor', '--json', '--help'].includes(a))
  if (args.includes('--help')) {
    console.log(USAGE)
    return 0
  }
  if (!file || unknown.length) {
    console.error(unknown.length ? `unknown option ${unknown.join(' ')}\n${USAGE}` : USAGE)
    return 2
  }
  const moneyUnit: MoneyUnit = args.includes('--money-minor') ? 'minor' : 'major'

  // Read the file before starting anything, so a bad file fails fast and touches nothing.
  let data
  try {
    data = await readLegacyDatabase(file)
  } catch (err) {
    if (err instanceof LegacyImportError) {
      console.error(`import:legacy: ${err.message}`)
      return 2
    }
    throw err
  }
  console.log(
    `${file}: ${data.members.length} members, ${data.pointTransactions.length} point transactions, ${data.vouchers.length} vouchers, ${data.redemptions.length} redemptions`,
  )

  let db: DatabaseHandle | null = null
  let payload: Payload | null = null
  const bar = new cliProgress.SingleBar(
    // Without a terminal (CI, logs) the bar prints a line every few seconds instead.
    { format: '{phase} |{bar}| {value}/{total} {percentage}% eta {eta_formatted}', clearOnComplete: false, noTTYOutput: true, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  )
  let phase: ImportPhase | null = null
  // Ctrl-C: finish the current batch, commit it, stop cleanly (a second Ctrl-C exits at once).
  const controller = new AbortController()
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
    console.error('\nstopping after the current batch… (Ctrl-C again to quit now)')
  }
  process.on('SIGINT', interrupt)
  process.on('SIGTERM', interrupt)
  try {
    db = await prepareEnvironment({ production: process.env.NODE_ENV === 'production' })
    payload = await loadPayload()
    const report = await importLegacyLoyalty(payload, data, {
      moneyUnit,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase !== phase) {
          if (phase) bar.stop()
          phase = p.phase
          bar.start(p.total, p.done, { phase: LABELS[p.phase].padEnd(18) })
        } else bar.update(p.done)
      },
    })
    if (phase) bar.stop()
    console.log('')
    console.log(args.includes('--json') ? JSON.stringify(report, null, 2) : formatLegacyImportReport(report))
    return 0
  } catch (err) {
    if (phase) bar.stop()
    if (err instanceof LegacyImportAborted) {
      console.error(err.message)
      return 130
    }
    if (pgCode(err) === '42P01' || pgCode(err) === '42703') {
      console.error('the database schema is behind the code: run `npm run migrate` first')
    }
    throw err
  } finally {
    if (phase) bar.stop()
    await shutdown(payload, db)
  }
}

runScript(main)
