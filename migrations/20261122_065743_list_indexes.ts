import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE INDEX "member_createdAt_idx" ON "point_transactions" USING btree ("member_id","created_at");
  CREATE INDEX "member_redeemedAt_idx" ON "redemptions" USING btree ("member_id","redeemed_at");
  CREATE INDEX "category_createdAt_idx" ON "products" USING btree ("category_id","created_at");
  CREATE INDEX "version_category_version_createdAt_idx" ON "_products_v" USING btree ("version_category_id","version_created_at");
  CREATE INDEX "member_createdAt_1_idx" ON "orders" USING btree ("member_id","created_at");
  CREATE INDEX "reseller_createdAt_idx" ON "orders" USING btree ("reseller_id","created_at");
  CREATE INDEX "status_createdAt_idx" ON "orders" USING btree ("status","created_at");
  CREATE INDEX "reseller_createdAt_1_idx" ON "transactions" USING btree ("reseller_id","created_at");
  CREATE INDEX "order_createdAt_idx" ON "transactions" USING btree ("order_id","created_at");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   DROP INDEX "member_createdAt_idx";
  DROP INDEX "member_redeemedAt_idx";
  DROP INDEX "category_createdAt_idx";
  DROP INDEX "version_category_version_createdAt_idx";
  DROP INDEX "member_createdAt_1_idx";
  DROP INDEX "reseller_createdAt_idx";
  DROP INDEX "status_createdAt_idx";
  DROP INDEX "reseller_createdAt_1_idx";
  DROP INDEX "order_createdAt_idx";`)
}
