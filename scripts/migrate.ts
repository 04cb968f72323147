import { loadPayload, prepareEnvironment, runScript, shutdown } from './lib/boot'

// npm run migrate — applies the committed migrations that have not run yet.
runScript(async () => {
  const db = await prepareEnvironment({ production: process.env.NODE_ENV === 'production' })
  const payload = await loadPayload()
  try {
    // Imported after Payload has loaded: app modules loaded before the config's dynamic import can make it hang under tsx.
    const { runMigrations } = await import('../src/lib/db/migrate')
    await runMigrations(payload)
    payload.logger.info('migrations are up to date')
  } finally {
    await shutdown(payload, db)
  }
})
