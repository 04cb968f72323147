import { pendingSchemaChanges } from '../src/lib/db/schema-drift'
import { loadPayload, prepareEnvironment, runScript, shutdown } from './lib/boot'

// npm run migrate:check — fails when the collections describe a schema the committed migrations do not create.
runScript(async () => {
  const db = await prepareEnvironment()
  const payload = await loadPayload()
  try {
    const pending = await pendingSchemaChanges(payload)
    if (pending.length > 0) {
      console.error(`The collections and migrations/ disagree; run \`npm run migrate:create\`. Missing:\n${pending.join('\n')}`)
      process.exitCode = 1
    } else {
      console.log('collections and migrations agree')
    }
  } finally {
    await shutdown(payload, db)
  }
  if (process.exitCode) process.exit(process.exitCode)
})
