import cluster from 'node:cluster'
import http from 'node:http'
import { createFloorContext, HttpError, route, type FloorGlobals } from './floor-handlers'

/**
 * The raw Node + PostgreSQL floor of `npm run bench`: node:http and a pg Pool
 * in a Node cluster of the same size as the API's, answering the benchmarked
 * routes with the equivalent SQL (floor-handlers.ts). Started by the bench
 * harness, not meant to be run by hand. Environment: FLOOR_PORT, FLOOR_HOST,
 * FLOOR_WORKERS, FLOOR_POOL_MAX, DATABASE_URL, PAYLOAD_SECRET, FLOOR_GLOBALS
 * (JSON: the settings and loyalty rules the app would read from its globals).
 */
const workers = Number(process.env.FLOOR_WORKERS || 1)
const port = Number(process.env.FLOOR_PORT || 3002)
const host = process.env.FLOOR_HOST || '127.0.0.1'

function primary() {
  let stopping = false
  for (let i = 0; i < workers; i++) cluster.fork()
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    console.error(`[floor] worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
    cluster.fork()
  })
  const stop = () => {
    if (stopping) return
    stopping = true
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
    const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? process.exit(0) : setTimeout(check, 50))
    check()
    setTimeout(() => process.exit(0), 5_000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  console.log(`[floor] ${workers} worker(s) on http://${host}:${port}`)
}

function worker() {
  const globals = JSON.parse(process.env.FLOOR_GLOBALS || '{}') as FloorGlobals
  const ctx = createFloorContext(process.env.DATABASE_URL!, Number(process.env.FLOOR_POOL_MAX || 20), process.env.PAYLOAD_SECRET!, globals)
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        let status = 500
        let body: unknown
        try {
          const raw = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = undefined
          if (raw) {
            try {
              parsed = JSON.parse(raw)
            } catch {
              throw new HttpError(400, 'VALIDATION_ERROR', 'The body is not valid JSON.')
            }
          }
          const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`)
          const out = await route(ctx, { method: req.method ?? 'GET', url, headers: req.headers, body: parsed })
          status = out.status
          body = out.body
        } catch (err) {
          const e = err as { status?: number; code?: string; message?: string; data?: { code?: string } }
          if (err instanceof HttpError || (typeof e.status === 'number' && e.status < 500)) {
            status = e.status ?? 500
            body = { errors: [{ message: e.message, code: err instanceof HttpError ? err.code : (e.data?.code ?? 'ERROR') }] }
          } else {
            console.error(err)
            status = 500
            body = { errors: [{ message: 'Something went wrong.', code: 'INTERNAL_ERROR' }] }
          }
        }
        const payload = JSON.stringify(body)
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
        res.end(payload)
      })()
    })
  })
  server.keepAliveTimeout = 65_000
  server.listen(port, host)
  process.on('SIGTERM', () => {
    server.close(() => void ctx.pool.end().finally(() => process.exit(0)))
    server.closeIdleConnections()
    setTimeout(() => process.exit(0), 3_000).unref()
  })
  process.on('SIGINT', () => undefined)
}

if (cluster.isPrimary) primary()
else worker()
