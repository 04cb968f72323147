import path from 'node:path'
import pg from 'pg'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/lib/db/embedded'
import { dataDir } from '../../src/lib/env'

/**
 * The bench's databases, on DATABASE_URL's server or on an embedded
 * PostgreSQL of its own (.data/bench-postgres, kept between runs, never the
 * one `npm run dev` uses):
 *
 * - `patron_bench_seed`: migrated, seeded with the large data at a scale and
 *   with the bench fixtures; a JSON marker in the database comment says which
 *   scale and fixture version it holds, so a re-run reuses it;
 * - `patron_bench`: this run's working copy, cloned from the seed database
 *   (CREATE DATABASE … TEMPLATE, a file copy: seconds), so every run starts
 *   from the same data and the writes of one run (redemptions, confirmed
 *   orders) never skew the next run's stats. Dropped at the end unless --keep.
 */
export const SEED_DB = 'patron_bench_seed'
export const WORK_DB = 'patron_bench'

/** What a seed database holds; `schema` is the newest migration it was seeded under. */
export type SeedMarker = { scale: number; fixtures: number; seededAt: string; largeSeed: boolean; schema?: string }

export type BenchServer = {
  kind: 'external' | 'embedded'
  /** A URL of the server's maintenance database (postgres). */
  adminUrl: string
  urlOf: (database: string) => string
  stop: () => Promise<void>
}

export async function openServer(log: (line: string) => void): Promise<BenchServer> {
  let embedded: EmbeddedDatabase | null = null
  let base: string
  if (process.env.DATABASE_URL) {
    base = process.env.DATABASE_URL
    log(`PostgreSQL: DATABASE_URL's server (${new URL(base).host}), databases ${SEED_DB} and ${WORK_DB}`)
  } else {
    const dir = path.join(dataDir, 'bench-postgres')
    log(`PostgreSQL: DATABASE_URL is not set, starting the bench's embedded server (${path.relative(process.cwd(), dir) || dir})`)
    embedded = await startEmbeddedPostgres({ dir, persistent: true, database: 'postgres' })
    base = embedded.url
  }
  const urlOf = (database: string) => {
    const u = new URL(base)
    u.pathname = `/${database}`
    return u.toString()
  }
  return {
    kind: embedded ? 'embedded' : 'external',
    adminUrl: urlOf(embedded ? 'postgres' : new URL(base).pathname.slice(1) || 'postgres'),
    urlOf,
    stop: async () => {
      if (embedded) await embedded.stop()
    },
  }
}

async function withAdmin<T>(server: BenchServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: server.adminUrl })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

export async function readMarker(server: BenchServer, database: string): Promise<SeedMarker | null> {
  return withAdmin(server, async (c) => {
    const { rows } = await c.query(`select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`, [database])
    if (!rows.length) return null
    try {
      return JSON.parse(rows[0].comment ?? '') as SeedMarker
    } catch {
      return { scale: NaN, fixtures: NaN, seededAt: '', largeSeed: false }
    }
  })
}

export async function databaseExists(server: BenchServer, database: string): Promise<boolean> {
  return withAdmin(server, async (c) => (await c.query(`select 1 from pg_database where datname = $1`, [database])).rowCount! > 0)
}

export async function writeMarker(server: BenchServer, database: string, marker: SeedMarker): Promise<void> {
  await withAdmin(server, (c) => c.query(`comment on database ${c.escapeIdentifier(database)} is ${c.escapeLiteral(JSON.stringify(marker))}`))
}

export async function dropDatabase(server: BenchServer, database: string): Promise<void> {
  await withAdmin(server, (c) => c.query(`drop database if exists ${c.escapeIdentifier(database)} with (force)`))
}

export async function createDatabase(server: BenchServer, database: string, template?: string): Promise<void> {
  await withAdmin(server, async (c) => {
    if (!template) {
      await c.query(`create database ${c.escapeIdentifier(database)}`)
      return
    }
    // A template must have no other connections (a crashed run may have left some).
    await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [template])
    const version = Number((await c.query(`show server_version_num`)).rows[0].server_version_num)
    const strategy = version >= 150000 ? ' strategy = file_copy' : ''
    await c.query(`create database ${c.escapeIdentifier(database)} template ${c.escapeIdentifier(template)}${strategy}`)
  })
}

export async function serverFacts(url: string): Promise<{ version: string; maxConnections: number; autovacuum: boolean }> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    const version = (await c.query(`show server_version`)).rows[0].server_version as string
    const maxConnections = Number((await c.query(`show max_connections`)).rows[0].max_connections)
    const autovacuum = (await c.query(`show autovacuum`)).rows[0].autovacuum === 'on'
    return { version, maxConnections, autovacuum }
  } finally {
    await c.end()
  }
}
