import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_users_scopes" AS ENUM('redemptions_use', 'orders_read', 'members_read');
  CREATE TYPE "public"."enum_members_id_document_type" AS ENUM('passport', 'national_id', 'driver_license');
  CREATE TYPE "public"."enum_members_status" AS ENUM('pending_verification', 'active', 'inactive', 'blocked');
  CREATE TYPE "public"."enum_point_transactions_type" AS ENUM('earn', 'redeem', 'adjust', 'bonus', 'expire', 'refund');
  CREATE TYPE "public"."enum_vouchers_discount_type" AS ENUM('percentage', 'fixed');
  CREATE TYPE "public"."enum_vouchers_status" AS ENUM('active', 'inactive');
  CREATE TYPE "public"."enum_redemptions_status" AS ENUM('pending', 'used', 'expired', 'cancelled');
  CREATE TYPE "public"."enum_loyalty_tier_basis" AS ENUM('lifetime_points', 'rolling_spend');
  CREATE TABLE "users_scopes" (
  	"order" integer NOT NULL,
  	"parent_id" integer NOT NULL,
  	"value" "enum_users_scopes",
  	"id" serial PRIMARY KEY NOT NULL
  );
  
  CREATE TABLE "members_sessions" (
  	"_order" integer NOT NULL,
  	"_parent_id" integer NOT NULL,
  	"id" varchar PRIMARY KEY NOT NULL,
  	"created_at" timestamp(3) with time zone,
  	"expires_at" timestamp(3) with time zone NOT NULL
  );
  
  CREATE TABLE "members" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"member_code" varchar,
  	"name" varchar NOT NULL,
  	"phone" varchar,
  	"address" varchar,
  	"city" varchar,
  	"state" varchar,
  	"postal_code" varchar,
  	"country" varchar,
  	"date_of_birth" timestamp(3) with time zone,
  	"id_document_type" "enum_members_id_document_type",
  	"id_document_number" varchar,
  	"marketing_opt_in" boolean DEFAULT false,
  	"status" "enum_members_status" DEFAULT 'active' NOT NULL,
  	"tier" varchar,
  	"points_balance" numeric DEFAULT 0 NOT NULL,
  	"lifetime_points" numeric DEFAULT 0 NOT NULL,
  	"lifetime_spend" numeric DEFAULT 0 NOT NULL,
  	"join_date" timestamp(3) with time zone,
  	"notes" varchar,
  	"legacy_id" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"email" varchar NOT NULL,
  	"reset_password_token" varchar,
  	"reset_password_expiration" timestamp(3) with time zone,
  	"salt" varchar,
  	"hash" varchar,
  	"reset_password_requested_at" timestamp(3) with time zone,
  	"login_attempts" numeric DEFAULT 0,
  	"lock_until" timestamp(3) with time zone
  );
  
  CREATE TABLE "point_transactions" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"member_id" integer NOT NULL,
  	"type" "enum_point_transactions_type" NOT NULL,
  	"points" numeric NOT NULL,
  	"balance_after" numeric NOT NULL,
  	"reason" varchar,
  	"redemption_id" integer,
  	"spend_amount" numeric,
  	"expires_at" timestamp(3) with time zone,
  	"idempotency_key" varchar,
  	"created_by_id" integer,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "vouchers" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"code" varchar NOT NULL,
  	"name" varchar NOT NULL,
  	"description" jsonb,
  	"image_id" integer,
  	"discount_type" "enum_vouchers_discount_type" DEFAULT 'fixed' NOT NULL,
  	"discount_value" numeric NOT NULL,
  	"points_cost" numeric NOT NULL,
  	"stock" numeric DEFAULT 0 NOT NULL,
  	"per_member_limit" numeric,
  	"min_tier" varchar,
  	"valid_from" timestamp(3) with time zone,
  	"valid_to" timestamp(3) with time zone,
  	"status" "enum_vouchers_status" DEFAULT 'active' NOT NULL,
  	"legacy_id" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "redemptions" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"redemption_code" varchar NOT NULL,
  	"member_id" integer NOT NULL,
  	"voucher_id" integer NOT NULL,
  	"points_used" numeric NOT NULL,
  	"status" "enum_redemptions_status" DEFAULT 'pending' NOT NULL,
  	"redeemed_at" timestamp(3) with time zone NOT NULL,
  	"used_at" timestamp(3) with time zone,
  	"expires_at" timestamp(3) with time zone,
  	"cancelled_at" timestamp(3) with time zone,
  	"idempotency_key" varchar,
  	"request_hash" varchar,
  	"legacy_id" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "media" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"alt" varchar NOT NULL,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"url" varchar,
  	"thumbnail_u_r_l" varchar,
  	"filename" varchar,
  	"mime_type" varchar,
  	"filesize" numeric,
  	"width" numeric,
  	"height" numeric,
  	"focal_x" numeric,
  	"focal_y" numeric,
  	"sizes_thumbnail_url" varchar,
  	"sizes_thumbnail_width" numeric,
  	"sizes_thumbnail_height" numeric,
  	"sizes_thumbnail_mime_type" varchar,
  	"sizes_thumbnail_filesize" numeric,
  	"sizes_thumbnail_filename" varchar,
  	"sizes_card_url" varchar,
  	"sizes_card_width" numeric,
  	"sizes_card_height" numeric,
  	"sizes_card_mime_type" varchar,
  	"sizes_card_filesize" numeric,
  	"sizes_card_filename" varchar
  );
  
  CREATE TABLE "loyalty_tiers" (
  	"_order" integer NOT NULL,
  	"_parent_id" integer NOT NULL,
  	"id" varchar PRIMARY KEY NOT NULL,
  	"name" varchar NOT NULL,
  	"threshold" numeric NOT NULL,
  	"multiplier" numeric DEFAULT 1 NOT NULL
  );
  
  CREATE TABLE "loyalty" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"points_per_currency_unit" numeric DEFAULT 1 NOT NULL,
  	"tier_basis" "enum_loyalty_tier_basis" DEFAULT 'lifetime_points' NOT NULL,
  	"points_expiry_days" numeric DEFAULT 365 NOT NULL,
  	"signup_bonus" numeric DEFAULT 100 NOT NULL,
  	"redemption_validity_days" numeric DEFAULT 30 NOT NULL,
  	"return_points_on_redemption_expiry" boolean DEFAULT false,
  	"updated_at" timestamp(3) with time zone,
  	"created_at" timestamp(3) with time zone
  );
  
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "members_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "point_transactions_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "vouchers_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "redemptions_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "media_id" integer;
  ALTER TABLE "payload_preferences_rels" ADD COLUMN "members_id" integer;
  ALTER TABLE "users_scopes" ADD CONSTRAINT "users_scopes_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "members_sessions" ADD CONSTRAINT "members_sessions_parent_id_fk" FOREIGN KEY ("_parent_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_redemption_id_redemptions_id_fk" FOREIGN KEY ("redemption_id") REFERENCES "public"."redemptions"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_image_id_media_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."media"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_voucher_id_vouchers_id_fk" FOREIGN KEY ("voucher_id") REFERENCES "public"."vouchers"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "loyalty_tiers" ADD CONSTRAINT "loyalty_tiers_parent_id_fk" FOREIGN KEY ("_parent_id") REFERENCES "public"."loyalty"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "users_scopes_order_idx" ON "users_scopes" USING btree ("order");
  CREATE INDEX "users_scopes_parent_idx" ON "users_scopes" USING btree ("parent_id");
  CREATE INDEX "members_sessions_order_idx" ON "members_sessions" USING btree ("_order");
  CREATE INDEX "members_sessions_parent_id_idx" ON "members_sessions" USING btree ("_parent_id");
  CREATE UNIQUE INDEX "members_member_code_idx" ON "members" USING btree ("member_code");
  CREATE INDEX "members_status_idx" ON "members" USING btree ("status");
  CREATE INDEX "members_tier_idx" ON "members" USING btree ("tier");
  CREATE INDEX "members_points_balance_idx" ON "members" USING btree ("points_balance");
  CREATE INDEX "members_join_date_idx" ON "members" USING btree ("join_date");
  CREATE UNIQUE INDEX "members_legacy_id_idx" ON "members" USING btree ("legacy_id");
  CREATE INDEX "members_updated_at_idx" ON "members" USING btree ("updated_at");
  CREATE INDEX "members_created_at_idx" ON "members" USING btree ("created_at");
  CREATE UNIQUE INDEX "members_email_idx" ON "members" USING btree ("email");
  CREATE INDEX "point_transactions_member_idx" ON "point_transactions" USING btree ("member_id");
  CREATE INDEX "point_transactions_type_idx" ON "point_transactions" USING btree ("type");
  CREATE INDEX "point_transactions_redemption_idx" ON "point_transactions" USING btree ("redemption_id");
  CREATE INDEX "point_transactions_expires_at_idx" ON "point_transactions" USING btree ("expires_at");
  CREATE UNIQUE INDEX "point_transactions_idempotency_key_idx" ON "point_transactions" USING btree ("idempotency_key");
  CREATE INDEX "point_transactions_created_by_idx" ON "point_transactions" USING btree ("created_by_id");
  CREATE INDEX "point_transactions_updated_at_idx" ON "point_transactions" USING btree ("updated_at");
  CREATE INDEX "point_transactions_created_at_idx" ON "point_transactions" USING btree ("created_at");
  CREATE UNIQUE INDEX "vouchers_code_idx" ON "vouchers" USING btree ("code");
  CREATE INDEX "vouchers_image_idx" ON "vouchers" USING btree ("image_id");
  CREATE INDEX "vouchers_valid_to_idx" ON "vouchers" USING btree ("valid_to");
  CREATE INDEX "vouchers_status_idx" ON "vouchers" USING btree ("status");
  CREATE UNIQUE INDEX "vouchers_legacy_id_idx" ON "vouchers" USING btree ("legacy_id");
  CREATE INDEX "vouchers_updated_at_idx" ON "vouchers" USING btree ("updated_at");
  CREATE INDEX "vouchers_created_at_idx" ON "vouchers" USING btree ("created_at");
  CREATE UNIQUE INDEX "redemptions_redemption_code_idx" ON "redemptions" USING btree ("redemption_code");
  CREATE INDEX "redemptions_member_idx" ON "redemptions" USING btree ("member_id");
  CREATE INDEX "redemptions_voucher_idx" ON "redemptions" USING btree ("voucher_id");
  CREATE INDEX "redemptions_status_idx" ON "redemptions" USING btree ("status");
  CREATE INDEX "redemptions_redeemed_at_idx" ON "redemptions" USING btree ("redeemed_at");
  CREATE INDEX "redemptions_expires_at_idx" ON "redemptions" USING btree ("expires_at");
  CREATE UNIQUE INDEX "redemptions_idempotency_key_idx" ON "redemptions" USING btree ("idempotency_key");
  CREATE UNIQUE INDEX "redemptions_legacy_id_idx" ON "redemptions" USING btree ("legacy_id");
  CREATE INDEX "redemptions_updated_at_idx" ON "redemptions" USING btree ("updated_at");
  CREATE INDEX "redemptions_created_at_idx" ON "redemptions" USING btree ("created_at");
  CREATE INDEX "media_updated_at_idx" ON "media" USING btree ("updated_at");
  CREATE INDEX "media_created_at_idx" ON "media" USING btree ("created_at");
  CREATE UNIQUE INDEX "media_filename_idx" ON "media" USING btree ("filename");
  CREATE INDEX "media_sizes_thumbnail_sizes_thumbnail_filename_idx" ON "media" USING btree ("sizes_thumbnail_filename");
  CREATE INDEX "media_sizes_card_sizes_card_filename_idx" ON "media" USING btree ("sizes_card_filename");
  CREATE INDEX "loyalty_tiers_order_idx" ON "loyalty_tiers" USING btree ("_order");
  CREATE INDEX "loyalty_tiers_parent_id_idx" ON "loyalty_tiers" USING btree ("_parent_id");
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_members_fk" FOREIGN KEY ("members_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_point_transactions_fk" FOREIGN KEY ("point_transactions_id") REFERENCES "public"."point_transactions"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_vouchers_fk" FOREIGN KEY ("vouchers_id") REFERENCES "public"."vouchers"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_redemptions_fk" FOREIGN KEY ("redemptions_id") REFERENCES "public"."redemptions"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_media_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_preferences_rels" ADD CONSTRAINT "payload_preferences_rels_members_fk" FOREIGN KEY ("members_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "payload_locked_documents_rels_members_id_idx" ON "payload_locked_documents_rels" USING btree ("members_id");
  CREATE INDEX "payload_locked_documents_rels_point_transactions_id_idx" ON "payload_locked_documents_rels" USING btree ("point_transactions_id");
  CREATE INDEX "payload_locked_documents_rels_vouchers_id_idx" ON "payload_locked_documents_rels" USING btree ("vouchers_id");
  CREATE INDEX "payload_locked_documents_rels_redemptions_id_idx" ON "payload_locked_documents_rels" USING btree ("redemptions_id");
  CREATE INDEX "payload_locked_documents_rels_media_id_idx" ON "payload_locked_documents_rels" USING btree ("media_id");
  CREATE INDEX "payload_preferences_rels_members_id_idx" ON "payload_preferences_rels" USING btree ("members_id");
  -- Invariants the database guards itself (Payload cannot declare CHECKs or triggers).
  ALTER TABLE "members" ADD CONSTRAINT "members_points_balance_non_negative" CHECK ("points_balance" >= 0);
  ALTER TABLE "members" ADD CONSTRAINT "members_lifetime_points_non_negative" CHECK ("lifetime_points" >= 0);
  ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_points_non_zero" CHECK ("points" <> 0);
  ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_balance_after_non_negative" CHECK ("balance_after" >= 0);
  ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_stock_non_negative" CHECK ("stock" >= 0);
  ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_points_cost_positive" CHECK ("points_cost" > 0);
  ALTER TABLE "redemptions" ADD CONSTRAINT "redemptions_points_used_non_negative" CHECK ("points_used" >= 0);
  -- The ledger is append-only: no deletes, and no edits to what an entry says.
  CREATE FUNCTION "point_transactions_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'the points ledger is append-only: entries cannot be deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.member_id, NEW.type, NEW.points, NEW.balance_after, NEW.reason, NEW.expires_at, NEW.idempotency_key, NEW.spend_amount)
       IS DISTINCT FROM (OLD.member_id, OLD.type, OLD.points, OLD.balance_after, OLD.reason, OLD.expires_at, OLD.idempotency_key, OLD.spend_amount) THEN
      RAISE EXCEPTION 'the points ledger is append-only: entries cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "point_transactions_append_only" BEFORE UPDATE OR DELETE ON "point_transactions"
    FOR EACH ROW EXECUTE FUNCTION "point_transactions_append_only"();`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
  DROP TRIGGER IF EXISTS "point_transactions_append_only" ON "point_transactions";
  DROP FUNCTION IF EXISTS "point_transactions_append_only"();
   ALTER TABLE "users_scopes" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "members_sessions" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "members" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "point_transactions" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "vouchers" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "redemptions" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "media" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "loyalty_tiers" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "loyalty" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "users_scopes" CASCADE;
  DROP TABLE "members_sessions" CASCADE;
  DROP TABLE "members" CASCADE;
  DROP TABLE "point_transactions" CASCADE;
  DROP TABLE "vouchers" CASCADE;
  DROP TABLE "redemptions" CASCADE;
  DROP TABLE "media" CASCADE;
  DROP TABLE "loyalty_tiers" CASCADE;
  DROP TABLE "loyalty" CASCADE;
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_members_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_point_transactions_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_vouchers_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_redemptions_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_media_fk";
  
  ALTER TABLE "payload_preferences_rels" DROP CONSTRAINT "payload_preferences_rels_members_fk";
  
  DROP INDEX "payload_locked_documents_rels_members_id_idx";
  DROP INDEX "payload_locked_documents_rels_point_transactions_id_idx";
  DROP INDEX "payload_locked_documents_rels_vouchers_id_idx";
  DROP INDEX "payload_locked_documents_rels_redemptions_id_idx";
  DROP INDEX "payload_locked_documents_rels_media_id_idx";
  DROP INDEX "payload_preferences_rels_members_id_idx";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "members_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "point_transactions_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "vouchers_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "redemptions_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "media_id";
  ALTER TABLE "payload_preferences_rels" DROP COLUMN "members_id";
  DROP TYPE "public"."enum_users_scopes";
  DROP TYPE "public"."enum_members_id_document_type";
  DROP TYPE "public"."enum_members_status";
  DROP TYPE "public"."enum_point_transactions_type";
  DROP TYPE "public"."enum_vouchers_discount_type";
  DROP TYPE "public"."enum_vouchers_status";
  DROP TYPE "public"."enum_redemptions_status";
  DROP TYPE "public"."enum_loyalty_tier_basis";`)
}
