import { MigrateUpArgs, MigrateDownArgs, sql } from '@payloadcms/db-postgres'

export async function up({ db, payload, req }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
   ALTER TYPE "public"."enum_payload_jobs_log_task_slug" ADD VALUE 'scan-low-stock';
  ALTER TYPE "public"."enum_payload_jobs_log_task_slug" ADD VALUE 'notify-low-stock';
  ALTER TYPE "public"."enum_payload_jobs_task_slug" ADD VALUE 'scan-low-stock';
  ALTER TYPE "public"."enum_payload_jobs_task_slug" ADD VALUE 'notify-low-stock';`)
}

export async function down({ db, payload, req }: MigrateDownArgs): Promise<void> {
  // Jobs of the removed tasks would not fit the narrowed enums.
  await db.execute(sql`
  DELETE FROM "payload_jobs_log" WHERE "task_slug" IN ('scan-low-stock', 'notify-low-stock');
  DELETE FROM "payload_jobs" WHERE "task_slug" IN ('scan-low-stock', 'notify-low-stock');
   ALTER TABLE "payload_jobs_log" ALTER COLUMN "task_slug" SET DATA TYPE text;
  DROP TYPE "public"."enum_payload_jobs_log_task_slug";
  CREATE TYPE "public"."enum_payload_jobs_log_task_slug" AS ENUM('inline', 'expire-redemptions', 'expire-points', 'recalculate-tiers');
  ALTER TABLE "payload_jobs_log" ALTER COLUMN "task_slug" SET DATA TYPE "public"."enum_payload_jobs_log_task_slug" USING "task_slug"::"public"."enum_payload_jobs_log_task_slug";
  ALTER TABLE "payload_jobs" ALTER COLUMN "task_slug" SET DATA TYPE text;
  DROP TYPE "public"."enum_payload_jobs_task_slug";
  CREATE TYPE "public"."enum_payload_jobs_task_slug" AS ENUM('inline', 'expire-redemptions', 'expire-points', 'recalculate-tiers');
  ALTER TABLE "payload_jobs" ALTER COLUMN "task_slug" SET DATA TYPE "public"."enum_payload_jobs_task_slug" USING "task_slug"::"public"."enum_payload_jobs_task_slug";`)
}
