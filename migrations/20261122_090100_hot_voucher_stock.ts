import { type MigrateDownArgs, type MigrateUpArgs, sql } from '@payloadcms/db-postgres'

// Every redemption of a voucher updates its row (stock). Half-empty pages leave
// room for those updates to stay HOT (same page, no new index entries), so the
// row does not drag a growing chain of dead index entries behind it between
// vacuums. Applies to rows written from now on; VACUUM FULL repacks old ones.
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`ALTER TABLE "vouchers" SET (fillfactor = 50);`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`ALTER TABLE "vouchers" RESET (fillfactor);`)
}
