import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   CREATE TYPE "public"."enum_reviews_status" AS ENUM('pending', 'approved', 'rejected');
  CREATE TYPE "public"."enum_carts_status" AS ENUM('active', 'converted');
  CREATE TYPE "public"."enum_orders_source" AS ENUM('storefront', 'reseller', 'admin');
  CREATE TYPE "public"."enum_orders_status" AS ENUM('pending', 'confirmed', 'dispatched', 'delivered', 'completed', 'cancelled');
  CREATE TYPE "public"."enum_orders_payment_status" AS ENUM('pending', 'paid', 'failed', 'refunded', 'partially_refunded');
  CREATE TYPE "public"."enum_order_status_from" AS ENUM('pending', 'confirmed', 'dispatched', 'delivered', 'completed', 'cancelled');
  CREATE TYPE "public"."enum_order_status_to" AS ENUM('pending', 'confirmed', 'dispatched', 'delivered', 'completed', 'cancelled');
  CREATE TYPE "public"."enum_resellers_status" AS ENUM('pending', 'active', 'suspended');
  CREATE TYPE "public"."enum_reseller_clients_status" AS ENUM('active', 'inactive', 'suspended');
  CREATE TYPE "public"."enum_transactions_type" AS ENUM('payment', 'refund', 'commission', 'credit');
  CREATE TYPE "public"."enum_transactions_status" AS ENUM('pending', 'completed', 'failed', 'cancelled');
  CREATE TYPE "public"."enum_transactions_method" AS ENUM('card', 'bank_transfer', 'cash', 'credit', 'other');
  CREATE TYPE "public"."enum_transactions_gateway" AS ENUM('stripe', 'manual');
  ALTER TYPE "public"."enum_payload_jobs_log_task_slug" ADD VALUE 'remove-abandoned-carts' BEFORE 'notify-low-stock';
  ALTER TYPE "public"."enum_payload_jobs_task_slug" ADD VALUE 'remove-abandoned-carts' BEFORE 'notify-low-stock';
  CREATE TABLE "reviews" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"product_id" integer NOT NULL,
  	"member_id" integer,
  	"rating" numeric NOT NULL,
  	"title" varchar,
  	"body" varchar NOT NULL,
  	"status" "enum_reviews_status" DEFAULT 'pending' NOT NULL,
  	"moderation_note" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "carts_items" (
  	"_order" integer NOT NULL,
  	"_parent_id" varchar NOT NULL,
  	"id" varchar PRIMARY KEY NOT NULL,
  	"product_id" integer NOT NULL,
  	"quantity" numeric NOT NULL,
  	"title" varchar,
  	"unit_price" numeric DEFAULT 0,
  	"line_total" numeric DEFAULT 0
  );
  
  CREATE TABLE "carts" (
  	"id" varchar PRIMARY KEY NOT NULL,
  	"member_id" integer,
  	"status" "enum_carts_status" DEFAULT 'active' NOT NULL,
  	"order_id" integer,
  	"subtotal" numeric DEFAULT 0,
  	"delivery_fee" numeric DEFAULT 0,
  	"service_charge" numeric DEFAULT 0,
  	"tax_amount" numeric DEFAULT 0,
  	"total" numeric DEFAULT 0,
  	"currency" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "orders_items" (
  	"_order" integer NOT NULL,
  	"_parent_id" integer NOT NULL,
  	"id" varchar PRIMARY KEY NOT NULL,
  	"product_id" integer NOT NULL,
  	"quantity" numeric NOT NULL,
  	"title" varchar,
  	"sku" varchar,
  	"unit_price" numeric DEFAULT 0,
  	"line_total" numeric DEFAULT 0
  );
  
  CREATE TABLE "orders" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"order_number" varchar,
  	"source" "enum_orders_source",
  	"status" "enum_orders_status" DEFAULT 'pending' NOT NULL,
  	"payment_status" "enum_orders_payment_status" DEFAULT 'pending' NOT NULL,
  	"member_id" integer,
  	"reseller_id" integer,
  	"reseller_client_id" integer,
  	"redemption_id" integer,
  	"subtotal" numeric DEFAULT 0,
  	"discount_total" numeric DEFAULT 0,
  	"delivery_fee" numeric DEFAULT 0,
  	"service_charge" numeric DEFAULT 0,
  	"tax_amount" numeric DEFAULT 0,
  	"total" numeric DEFAULT 0,
  	"currency" varchar,
  	"amount_paid" numeric DEFAULT 0,
  	"amount_refunded" numeric DEFAULT 0,
  	"commission_amount" numeric DEFAULT 0,
  	"delivery_address_name" varchar,
  	"delivery_address_phone" varchar,
  	"delivery_address_line1" varchar,
  	"delivery_address_line2" varchar,
  	"delivery_address_city" varchar,
  	"delivery_address_postal_code" varchar,
  	"delivery_address_country" varchar,
  	"assignee_id" integer,
  	"courier" varchar,
  	"tracking_number" varchar,
  	"customer_note" varchar,
  	"notes" varchar,
  	"confirmed_at" timestamp(3) with time zone,
  	"dispatched_at" timestamp(3) with time zone,
  	"delivered_at" timestamp(3) with time zone,
  	"completed_at" timestamp(3) with time zone,
  	"cancelled_at" timestamp(3) with time zone,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "order_status_changes" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"order_id" integer NOT NULL,
  	"from" "enum_order_status_from",
  	"to" "enum_order_status_to" NOT NULL,
  	"by_id" integer,
  	"by_member_id" integer,
  	"note" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "resellers" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"business_name" varchar NOT NULL,
  	"contact_person" varchar,
  	"email" varchar NOT NULL,
  	"phone" varchar,
  	"address" varchar,
  	"city" varchar,
  	"state" varchar,
  	"country" varchar,
  	"status" "enum_resellers_status" DEFAULT 'pending' NOT NULL,
  	"credit_limit" numeric DEFAULT 0 NOT NULL,
  	"current_balance" numeric DEFAULT 0,
  	"commission_rate" numeric DEFAULT 0 NOT NULL,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "reseller_clients" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"reseller_id" integer NOT NULL,
  	"name" varchar NOT NULL,
  	"email" varchar,
  	"phone" varchar,
  	"plan_type" varchar,
  	"status" "enum_reseller_clients_status" DEFAULT 'active' NOT NULL,
  	"monthly_limit" numeric,
  	"current_usage" numeric DEFAULT 0,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "transactions" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"transaction_id" varchar NOT NULL,
  	"type" "enum_transactions_type" NOT NULL,
  	"status" "enum_transactions_status" DEFAULT 'pending' NOT NULL,
  	"order_id" integer,
  	"member_id" integer,
  	"reseller_id" integer,
  	"amount" numeric NOT NULL,
  	"currency" varchar NOT NULL,
  	"method" "enum_transactions_method",
  	"gateway" "enum_transactions_gateway" DEFAULT 'manual' NOT NULL,
  	"gateway_transaction_id" varchar,
  	"gateway_response" jsonb,
  	"refund_of_id" integer,
  	"reason" varchar,
  	"processed_at" timestamp(3) with time zone,
  	"created_by_id" integer,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  CREATE TABLE "stripe_events" (
  	"id" serial PRIMARY KEY NOT NULL,
  	"event_id" varchar NOT NULL,
  	"type" varchar NOT NULL,
  	"object_id" varchar,
  	"outcome" varchar,
  	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
  	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
  );
  
  ALTER TABLE "users" ADD COLUMN "reseller_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "reviews_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "order_status_changes_id" integer;
  ALTER TABLE "payload_locked_documents_rels" ADD COLUMN "stripe_events_id" integer;
  ALTER TABLE "settings" ADD COLUMN "abandoned_cart_days" numeric DEFAULT 30 NOT NULL;
  ALTER TABLE "reviews" ADD CONSTRAINT "reviews_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "reviews" ADD CONSTRAINT "reviews_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "carts_items" ADD CONSTRAINT "carts_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "carts_items" ADD CONSTRAINT "carts_items_parent_id_fk" FOREIGN KEY ("_parent_id") REFERENCES "public"."carts"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "carts" ADD CONSTRAINT "carts_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "carts" ADD CONSTRAINT "carts_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "orders_items" ADD CONSTRAINT "orders_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "orders_items" ADD CONSTRAINT "orders_items_parent_id_fk" FOREIGN KEY ("_parent_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "orders" ADD CONSTRAINT "orders_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "orders" ADD CONSTRAINT "orders_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "orders" ADD CONSTRAINT "orders_reseller_client_id_reseller_clients_id_fk" FOREIGN KEY ("reseller_client_id") REFERENCES "public"."reseller_clients"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "orders" ADD CONSTRAINT "orders_redemption_id_redemptions_id_fk" FOREIGN KEY ("redemption_id") REFERENCES "public"."redemptions"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "orders" ADD CONSTRAINT "orders_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "order_status_changes" ADD CONSTRAINT "order_status_changes_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "order_status_changes" ADD CONSTRAINT "order_status_changes_by_id_users_id_fk" FOREIGN KEY ("by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "order_status_changes" ADD CONSTRAINT "order_status_changes_by_member_id_members_id_fk" FOREIGN KEY ("by_member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "reseller_clients" ADD CONSTRAINT "reseller_clients_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transactions" ADD CONSTRAINT "transactions_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transactions" ADD CONSTRAINT "transactions_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transactions" ADD CONSTRAINT "transactions_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transactions" ADD CONSTRAINT "transactions_refund_of_id_transactions_id_fk" FOREIGN KEY ("refund_of_id") REFERENCES "public"."transactions"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "transactions" ADD CONSTRAINT "transactions_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;
  CREATE INDEX "reviews_product_idx" ON "reviews" USING btree ("product_id");
  CREATE INDEX "reviews_member_idx" ON "reviews" USING btree ("member_id");
  CREATE INDEX "reviews_status_idx" ON "reviews" USING btree ("status");
  CREATE INDEX "reviews_updated_at_idx" ON "reviews" USING btree ("updated_at");
  CREATE INDEX "reviews_created_at_idx" ON "reviews" USING btree ("created_at");
  CREATE UNIQUE INDEX "product_member_idx" ON "reviews" USING btree ("product_id","member_id");
  CREATE INDEX "carts_items_order_idx" ON "carts_items" USING btree ("_order");
  CREATE INDEX "carts_items_parent_id_idx" ON "carts_items" USING btree ("_parent_id");
  CREATE INDEX "carts_items_product_idx" ON "carts_items" USING btree ("product_id");
  CREATE INDEX "carts_member_idx" ON "carts" USING btree ("member_id");
  CREATE INDEX "carts_status_idx" ON "carts" USING btree ("status");
  CREATE INDEX "carts_order_idx" ON "carts" USING btree ("order_id");
  CREATE INDEX "carts_updated_at_idx" ON "carts" USING btree ("updated_at");
  CREATE INDEX "carts_created_at_idx" ON "carts" USING btree ("created_at");
  CREATE INDEX "orders_items_order_idx" ON "orders_items" USING btree ("_order");
  CREATE INDEX "orders_items_parent_id_idx" ON "orders_items" USING btree ("_parent_id");
  CREATE INDEX "orders_items_product_idx" ON "orders_items" USING btree ("product_id");
  CREATE UNIQUE INDEX "orders_order_number_idx" ON "orders" USING btree ("order_number");
  CREATE INDEX "orders_source_idx" ON "orders" USING btree ("source");
  CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status");
  CREATE INDEX "orders_payment_status_idx" ON "orders" USING btree ("payment_status");
  CREATE INDEX "orders_member_idx" ON "orders" USING btree ("member_id");
  CREATE INDEX "orders_reseller_idx" ON "orders" USING btree ("reseller_id");
  CREATE INDEX "orders_reseller_client_idx" ON "orders" USING btree ("reseller_client_id");
  CREATE UNIQUE INDEX "orders_redemption_idx" ON "orders" USING btree ("redemption_id");
  CREATE INDEX "orders_assignee_idx" ON "orders" USING btree ("assignee_id");
  CREATE INDEX "orders_tracking_number_idx" ON "orders" USING btree ("tracking_number");
  CREATE INDEX "orders_updated_at_idx" ON "orders" USING btree ("updated_at");
  CREATE INDEX "orders_created_at_idx" ON "orders" USING btree ("created_at");
  CREATE INDEX "order_status_changes_order_idx" ON "order_status_changes" USING btree ("order_id");
  CREATE INDEX "order_status_changes_by_idx" ON "order_status_changes" USING btree ("by_id");
  CREATE INDEX "order_status_changes_by_member_idx" ON "order_status_changes" USING btree ("by_member_id");
  CREATE INDEX "order_status_changes_updated_at_idx" ON "order_status_changes" USING btree ("updated_at");
  CREATE INDEX "order_status_changes_created_at_idx" ON "order_status_changes" USING btree ("created_at");
  CREATE UNIQUE INDEX "resellers_email_idx" ON "resellers" USING btree ("email");
  CREATE INDEX "resellers_status_idx" ON "resellers" USING btree ("status");
  CREATE INDEX "resellers_updated_at_idx" ON "resellers" USING btree ("updated_at");
  CREATE INDEX "resellers_created_at_idx" ON "resellers" USING btree ("created_at");
  CREATE INDEX "reseller_clients_reseller_idx" ON "reseller_clients" USING btree ("reseller_id");
  CREATE INDEX "reseller_clients_email_idx" ON "reseller_clients" USING btree ("email");
  CREATE INDEX "reseller_clients_plan_type_idx" ON "reseller_clients" USING btree ("plan_type");
  CREATE INDEX "reseller_clients_status_idx" ON "reseller_clients" USING btree ("status");
  CREATE INDEX "reseller_clients_updated_at_idx" ON "reseller_clients" USING btree ("updated_at");
  CREATE INDEX "reseller_clients_created_at_idx" ON "reseller_clients" USING btree ("created_at");
  CREATE UNIQUE INDEX "transactions_transaction_id_idx" ON "transactions" USING btree ("transaction_id");
  CREATE INDEX "transactions_type_idx" ON "transactions" USING btree ("type");
  CREATE INDEX "transactions_status_idx" ON "transactions" USING btree ("status");
  CREATE INDEX "transactions_order_idx" ON "transactions" USING btree ("order_id");
  CREATE INDEX "transactions_member_idx" ON "transactions" USING btree ("member_id");
  CREATE INDEX "transactions_reseller_idx" ON "transactions" USING btree ("reseller_id");
  CREATE INDEX "transactions_gateway_idx" ON "transactions" USING btree ("gateway");
  CREATE UNIQUE INDEX "transactions_gateway_transaction_id_idx" ON "transactions" USING btree ("gateway_transaction_id");
  CREATE INDEX "transactions_refund_of_idx" ON "transactions" USING btree ("refund_of_id");
  CREATE INDEX "transactions_processed_at_idx" ON "transactions" USING btree ("processed_at");
  CREATE INDEX "transactions_created_by_idx" ON "transactions" USING btree ("created_by_id");
  CREATE INDEX "transactions_updated_at_idx" ON "transactions" USING btree ("updated_at");
  CREATE INDEX "transactions_created_at_idx" ON "transactions" USING btree ("created_at");
  CREATE UNIQUE INDEX "stripe_events_event_id_idx" ON "stripe_events" USING btree ("event_id");
  CREATE INDEX "stripe_events_type_idx" ON "stripe_events" USING btree ("type");
  CREATE INDEX "stripe_events_object_id_idx" ON "stripe_events" USING btree ("object_id");
  CREATE INDEX "stripe_events_updated_at_idx" ON "stripe_events" USING btree ("updated_at");
  CREATE INDEX "stripe_events_created_at_idx" ON "stripe_events" USING btree ("created_at");
  ALTER TABLE "users" ADD CONSTRAINT "users_reseller_id_resellers_id_fk" FOREIGN KEY ("reseller_id") REFERENCES "public"."resellers"("id") ON DELETE set null ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_reviews_fk" FOREIGN KEY ("reviews_id") REFERENCES "public"."reviews"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_order_status_changes_fk" FOREIGN KEY ("order_status_changes_id") REFERENCES "public"."order_status_changes"("id") ON DELETE cascade ON UPDATE no action;
  ALTER TABLE "payload_locked_documents_rels" ADD CONSTRAINT "payload_locked_documents_rels_stripe_events_fk" FOREIGN KEY ("stripe_events_id") REFERENCES "public"."stripe_events"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "users_reseller_idx" ON "users" USING btree ("reseller_id");
  CREATE INDEX "payload_locked_documents_rels_reviews_id_idx" ON "payload_locked_documents_rels" USING btree ("reviews_id");
  CREATE INDEX "payload_locked_documents_rels_order_status_changes_id_idx" ON "payload_locked_documents_rels" USING btree ("order_status_changes_id");
  CREATE INDEX "payload_locked_documents_rels_stripe_events_id_idx" ON "payload_locked_documents_rels" USING btree ("stripe_events_id");`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
   ALTER TABLE "reviews" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "carts_items" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "carts" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "orders_items" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "orders" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "order_status_changes" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "resellers" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "reseller_clients" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "transactions" DISABLE ROW LEVEL SECURITY;
  ALTER TABLE "stripe_events" DISABLE ROW LEVEL SECURITY;
  DROP TABLE "reviews" CASCADE;
  DROP TABLE "carts_items" CASCADE;
  DROP TABLE "carts" CASCADE;
  DROP TABLE "orders_items" CASCADE;
  DROP TABLE "orders" CASCADE;
  DROP TABLE "order_status_changes" CASCADE;
  DROP TABLE "resellers" CASCADE;
  DROP TABLE "reseller_clients" CASCADE;
  DROP TABLE "transactions" CASCADE;
  DROP TABLE "stripe_events" CASCADE;
  ALTER TABLE "users" DROP CONSTRAINT "users_reseller_id_resellers_id_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_reviews_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_order_status_changes_fk";
  
  ALTER TABLE "payload_locked_documents_rels" DROP CONSTRAINT "payload_locked_documents_rels_stripe_events_fk";
  
  ALTER TABLE "payload_jobs_log" ALTER COLUMN "task_slug" SET DATA TYPE text;
  DROP TYPE "public"."enum_payload_jobs_log_task_slug";
  CREATE TYPE "public"."enum_payload_jobs_log_task_slug" AS ENUM('inline', 'expire-redemptions', 'expire-points', 'recalculate-tiers', 'scan-low-stock', 'notify-low-stock');
  ALTER TABLE "payload_jobs_log" ALTER COLUMN "task_slug" SET DATA TYPE "public"."enum_payload_jobs_log_task_slug" USING "task_slug"::"public"."enum_payload_jobs_log_task_slug";
  ALTER TABLE "payload_jobs" ALTER COLUMN "task_slug" SET DATA TYPE text;
  DROP TYPE "public"."enum_payload_jobs_task_slug";
  CREATE TYPE "public"."enum_payload_jobs_task_slug" AS ENUM('inline', 'expire-redemptions', 'expire-points', 'recalculate-tiers', 'scan-low-stock', 'notify-low-stock');
  ALTER TABLE "payload_jobs" ALTER COLUMN "task_slug" SET DATA TYPE "public"."enum_payload_jobs_task_slug" USING "task_slug"::"public"."enum_payload_jobs_task_slug";
  DROP INDEX "users_reseller_idx";
  DROP INDEX "payload_locked_documents_rels_reviews_id_idx";
  DROP INDEX "payload_locked_documents_rels_order_status_changes_id_idx";
  DROP INDEX "payload_locked_documents_rels_stripe_events_id_idx";
  ALTER TABLE "users" DROP COLUMN "reseller_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "reviews_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "order_status_changes_id";
  ALTER TABLE "payload_locked_documents_rels" DROP COLUMN "stripe_events_id";
  ALTER TABLE "settings" DROP COLUMN "abandoned_cart_days";
  DROP TYPE "public"."enum_reviews_status";
  DROP TYPE "public"."enum_carts_status";
  DROP TYPE "public"."enum_orders_source";
  DROP TYPE "public"."enum_orders_status";
  DROP TYPE "public"."enum_orders_payment_status";
  DROP TYPE "public"."enum_order_status_from";
  DROP TYPE "public"."enum_order_status_to";
  DROP TYPE "public"."enum_resellers_status";
  DROP TYPE "public"."enum_reseller_clients_status";
  DROP TYPE "public"."enum_transactions_type";
  DROP TYPE "public"."enum_transactions_status";
  DROP TYPE "public"."enum_transactions_method";
  DROP TYPE "public"."enum_transactions_gateway";`)
}
