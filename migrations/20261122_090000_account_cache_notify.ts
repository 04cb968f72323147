import { type MigrateDownArgs, type MigrateUpArgs, sql } from '@payloadcms/db-postgres'

// Accounts are remembered in process between requests (src/lib/db/read-memo.ts):
// every table of a member or staff document notifies a change, sessions included,
// so that a logout or a new password reaches every process at once.
const WATCHED: Array<[table: string, area: string]> = [
  ['members_sessions', 'members'],
  ['users', 'users'],
  ['users_scopes', 'users'],
  ['users_sessions', 'users'],
]

export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(
    sql.raw(
      WATCHED.map(
        ([table, area]) =>
          `CREATE TRIGGER "patron_cache_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "${table}" ` +
          `FOR EACH STATEMENT EXECUTE FUNCTION "patron_cache_notify"('${area}');`,
      ).join('\n'),
    ),
  )
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql.raw(WATCHED.map(([table]) => `DROP TRIGGER IF EXISTS "patron_cache_notify" ON "${table}";`).join('\n')))
}
