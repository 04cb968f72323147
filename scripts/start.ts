import { closePayload, loadPayload, prepareEnvironment, shutdown, stopDatabaseOnSignal } from './lib/boot'
import { runNext } from './lib/next'

// npm start — production server from `npm run build`. Applies pending
// migrations first (Payload's prodMigrations would also run them on first use).
async function main() {
  Object.assign(process.env, { NODE_ENV: 'production' })
  const db = await prepareEnvironment({ production: true })
  const disarm = stopDatabaseOnSignal(db)
  const port = process.env.PORT || '3000'
  process.env.PUBLIC_URL ||= `http://localhost:${port}`
  try {
    const payload = await loadPayload()
    // Imported after Payload has loaded: app modules loaded before the config's dynamic import can make it hang under tsx.
    const { runMigrations } = await import('../src/lib/db/migrate')
    await runMigrations(payload)
    const { totalDocs } = await payload.count({ collection: 'users' })
    await closePayload(payload)
    console.log(`[patron] admin ${process.env.PUBLIC_URL}/admin   API ${process.env.PUBLIC_URL}/api`)
    if (totalDocs === 0) console.log('[patron] no staff accounts yet: run `npm run create-admin` or open /admin to create the first super-admin')
  } catch (err) {
    await shutdown(null, db)
    throw err
  }
  disarm()
  runNext('start', db)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
