import cluster from 'node:cluster'
import os from 'node:os'
import { envInt } from '../src/lib/env'
import { closePayload, loadPayload, prepareEnvironment, shutdown, stopDatabaseOnSignal } from './lib/boot'

// npm run api — the lean API path (issue 5): Payload's REST and GraphQL
// handlers on plain Node, without Next.js, in a Node cluster across the cores.
// Same config, access rules and hooks as the app; the admin panel stays on
// Next.js (`npm start`). nginx sends /api here and everything else to Next.js
// (scripts/docker/nginx.conf). API_WORKERS (default: one per core) sets the
// number of processes; API_PORT (3001) and API_HOST (0.0.0.0) where they listen.
const workers = envInt('API_WORKERS', os.availableParallelism())
const port = envInt('API_PORT', 3001)
const host = process.env.API_HOST || '0.0.0.0'

async function primary() {
  const db = await prepareEnvironment({ production: process.env.NODE_ENV === 'production' })
  const disarm = stopDatabaseOnSignal(db)
  // Migrate once, before the workers start serving.
  const payload = await loadPayload()
  // Imported after Payload has loaded: app modules loaded before the config's dynamic import can make it hang under tsx.
  const { runMigrations } = await import('../src/lib/db/migrate')
  await runMigrations(payload)
  await closePayload(payload)
  disarm()
  let stopping = false
  for (let i = 0; i < workers; i++) cluster.fork()
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    console.error(`[api] worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
    cluster.fork()
  })
  console.log(`[api] ${workers} worker(s) serving http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/api`)
  const stop = async () => {
    if (stopping) return
    stopping = true
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 50))
        check()
      }),
      new Promise((resolve) => setTimeout(resolve, 15_000)),
    ])
    await shutdown(null, db)
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
}

async function worker() {
  const payload = await loadPayload()
  // After Payload has loaded, like the migrations above (see scripts/lib/boot.ts loadPayload).
  const { createApiServer, listen } = await import('../src/lib/http/api-server')
  const server = createApiServer(payload.config)
  server.keepAliveTimeout = 65_000 // longer than nginx's upstream keepalive, so it never reuses a closed socket
  await listen(server, port, host)
  const stop = () => {
    server.close(() => void closePayload(payload).then(() => process.exit(0)))
    server.closeIdleConnections()
    setTimeout(() => process.exit(0), 10_000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', () => undefined) // the primary decides; Ctrl-C reaches the whole group
}

const main = cluster.isPrimary ? primary : worker
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
