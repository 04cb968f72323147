import { printLogins, seedDemo } from '../src/seed'
import { loadPayload, prepareEnvironment, runScript, shutdown } from './lib/boot'

// npm run seed — demo data for development; safe to run again (it only adds what is missing).
runScript(async () => {
  if (process.env.NODE_ENV === 'production' && !process.argv.includes('--force')) {
    throw new Error('refusing to seed demo accounts in production; use `npm run create-admin` (or pass --force)')
  }
  const db = await prepareEnvironment()
  const payload = await loadPayload()
  try {
    const logins = await seedDemo(payload)
    printLogins(logins, process.env.PUBLIC_URL || 'http://localhost:3000')
  } finally {
    await shutdown(payload, db)
  }
})
