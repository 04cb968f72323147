import { spawn } from 'node:child_process'
import path from 'node:path'
import { projectRoot } from '../src/lib/env'
import { prepareEnvironment, runScript, shutdown } from './lib/boot'

// Runs Payload's own CLI (migrate:create, generate:types, …) with a database
// available: the embedded one when DATABASE_URL is unset.
runScript(async () => {
  const db = await prepareEnvironment()
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'node_modules/payload/bin.js'), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, PAYLOAD_CONFIG_PATH: path.join(projectRoot, 'payload.config.ts') },
    })
    child.on('exit', (c) => resolve(c ?? 1))
  })
  await shutdown(null, db)
  if (code !== 0) process.exit(code)
})
