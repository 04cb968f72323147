import path from 'node:path'
import pg from 'pg'
import { dataDir } from '../env'
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded'

export type DatabaseHandle = {
  url: string
  /** Set when this process started an embedded server; stop it on exit. */
  embedded: EmbeddedDatabase | null
}

/**
 * Gives the app a database: DATABASE_URL when set, otherwise an embedded
 * PostgreSQL whose data lives in `.data/postgres` and is reused across runs.
 * Sets process.env.DATABASE_URL so that child processes (Next.js) inherit it.
 */
export async function ensureDatabase(log: (line: string) => void = console.log): Promise<DatabaseHandle> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: null }
  const preferred = Number(process.env.EMBEDDED_PG_PORT || 54329)
  const dir = path.join(dataDir, 'postgres')
  const shown = dir.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), dir) : dir
  log(`DATABASE_URL is not set: starting the embedded PostgreSQL (data in ${shown})`)
  const embedded = await startEmbeddedPostgres({ dir, port: preferred, persistent: true })
  if (embedded.port !== preferred) log(`port ${preferred} was taken; the embedded PostgreSQL listens on ${embedded.port}`)
  process.env.DATABASE_URL = embedded.url
  return { url: embedded.url, embedded }
}

/** Creates an empty database next to the one `serverUrl` points at and returns its URL. */
export async function createThrowawayDatabase(serverUrl: string, prefix = 'patron_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${admin.escapeIdentifier(name)}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl })
      await c.connect()
      try {
        await c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}
