import { type MigrateDownArgs, type MigrateUpArgs, sql } from '@payloadcms/db-postgres'

// Voucher stock moves with every redemption; an admin saving the voucher must
// not write back the stock it read before those redemptions committed. Only
// flagged writers (the redemption service, and the voucher hook that applies
// an admin's stock change as a delta) may change the column.
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
  CREATE FUNCTION "vouchers_keep_stock"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF coalesce(current_setting('patron.computed_write', true), '') <> 'on' THEN
      NEW.stock := OLD.stock;
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "vouchers_keep_stock" BEFORE UPDATE ON "vouchers"
    FOR EACH ROW EXECUTE FUNCTION "vouchers_keep_stock"();`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
  DROP TRIGGER IF EXISTS "vouchers_keep_stock" ON "vouchers";
  DROP FUNCTION IF EXISTS "vouchers_keep_stock"();`)
}
