import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { loadEnv, projectRoot } from '../src/lib/env'

// npm run build — `next build`. The build never connects to the database; it
// only needs the config to load, so a throw-away secret stands in when none is set.
loadEnv()
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  PAYLOAD_SECRET: process.env.PAYLOAD_SECRET || 'build-time-placeholder-not-used-at-runtime',
}
const result = spawnSync(process.execPath, [path.join(projectRoot, 'node_modules/next/dist/bin/next'), 'build'], {
  stdio: 'inherit',
  cwd: projectRoot,
  env,
})
process.exit(result.status ?? 1)
