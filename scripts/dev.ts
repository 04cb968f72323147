import { printLogins, seedDemo } from '../src/seed'
import { closePayload, loadPayload, prepareEnvironment, shutdown, stopDatabaseOnSignal } from './lib/boot'
import { runNext } from './lib/next'

// npm run dev — the one command to run Patron locally: database (embedded when
// DATABASE_URL is unset), migrations, demo data once, then Next.js in dev mode.
async function main() {
  const db = await prepareEnvironment()
  const disarm = stopDatabaseOnSignal(db)
  const port = process.env.PORT || '3000'
  process.env.PUBLIC_URL ||= `http://localhost:${port}`
  try {
    const payload = await loadPayload()
    // Imported after Payload has loaded: app modules loaded before the config's dynamic import can make it hang under tsx.
    const { runMigrations } = await import('../src/lib/db/migrate')
    await runMigrations(payload)
    const logins = await seedDemo(payload, (msg) => process.stdout.write(`\r[patron] seeding demo data: ${msg}   `))
    process.stdout.write('\n')
    await closePayload(payload)
    printLogins(logins, process.env.PUBLIC_URL)
  } catch (err) {
    await shutdown(null, db)
    throw err
  }
  disarm()
  runNext('dev', db)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
