import { type MigrateDownArgs, type MigrateUpArgs, sql } from '@payloadcms/db-postgres'

// A member's balance, lifetime figures and tier are written only by the ledger
// services, which flag their transaction (see allowComputedWrites). Any other
// update, such as Payload saving a member edited in the admin panel, keeps the
// values the row has at that moment: otherwise it would write back the stale
// balance it read before a concurrent ledger entry committed.
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
  CREATE FUNCTION "members_keep_computed_fields"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF coalesce(current_setting('patron.computed_write', true), '') <> 'on' THEN
      NEW.points_balance := OLD.points_balance;
      NEW.lifetime_points := OLD.lifetime_points;
      NEW.lifetime_spend := OLD.lifetime_spend;
      NEW.tier := OLD.tier;
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "members_keep_computed_fields" BEFORE UPDATE ON "members"
    FOR EACH ROW EXECUTE FUNCTION "members_keep_computed_fields"();`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
  DROP TRIGGER IF EXISTS "members_keep_computed_fields" ON "members";
  DROP FUNCTION IF EXISTS "members_keep_computed_fields"();`)
}
