import { type MigrateDownArgs, type MigrateUpArgs, sql } from '@payloadcms/db-postgres'

// Cache invalidation (src/lib/cache-invalidation.ts): after any statement that
// changes a watched table, `NOTIFY patron_cache, '<area>'`. PostgreSQL delivers
// notifications only once the transaction commits (identical ones once per
// transaction), whoever wrote: Payload, services' raw SQL, jobs, scripts. Every
// app process listens and moves the area's cache generation on.
//
// A new cached table is one line in WATCHED (in a new migration: CREATE TRIGGER
// "patron_cache_notify" ... EXECUTE FUNCTION "patron_cache_notify"('<area>')).
const WATCHED: Array<[table: string, area: string]> = [
  ['products', 'products'],
  ['products_rels', 'products'],
  ['products_attributes', 'products'],
  ['_products_v', 'products'],
  ['_products_v_rels', 'products'],
  ['_products_v_version_attributes', 'products'],
  ['categories', 'categories'],
  ['media', 'media'],
  ['vouchers', 'vouchers'],
  ['orders', 'orders'],
  ['orders_items', 'orders'],
  ['transactions', 'transactions'],
  ['point_transactions', 'point_transactions'],
  ['members', 'members'],
  ['redemptions', 'redemptions'],
  ['settings', 'settings'],
  ['loyalty', 'loyalty'],
  ['loyalty_tiers', 'loyalty'],
]

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`

export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
  CREATE FUNCTION "patron_cache_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('patron_cache', coalesce(TG_ARGV[0], TG_TABLE_NAME));
    RETURN NULL;
  END $$;
  -- A name for this database's cache keys, so that databases sharing one Redis never share entries.
  DO $$ BEGIN
    EXECUTE format('CREATE FUNCTION "patron_cache_namespace"() RETURNS text LANGUAGE sql IMMUTABLE AS %L',
      format('select %L::text', replace(gen_random_uuid()::text, '-', '')));
  END $$;`)
  await db.execute(
    sql.raw(
      WATCHED.map(
        ([table, area]) =>
          `CREATE TRIGGER "patron_cache_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${ident(table)} ` +
          `FOR EACH STATEMENT EXECUTE FUNCTION "patron_cache_notify"(${literal(area)});`,
      ).join('\n'),
    ),
  )
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql.raw(WATCHED.map(([table]) => `DROP TRIGGER IF EXISTS "patron_cache_notify" ON ${ident(table)};`).join('\n')))
  await db.execute(sql`
  DROP FUNCTION IF EXISTS "patron_cache_notify"();
  DROP FUNCTION IF EXISTS "patron_cache_namespace"();`)
}
