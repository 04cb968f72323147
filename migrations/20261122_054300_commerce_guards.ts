import { type MigrateDownArgs, type MigrateUpArgs, sql } from '@payloadcms/db-postgres'

// The database guards the commerce invariants too (SPEC §2, §5):
// - computed columns (order status, totals and payments; a reseller's balance;
//   a client's usage) change only in transactions the owning service flagged
//   with `patron.computed_write` — a panel save cannot write back a stale copy;
// - the money ledger and order history are append-only; a transaction may only
//   move status (by the system), never change what it records;
// - amounts are never negative, refunds never exceed payments, ratings are 1–5.
export async function up({ db }: MigrateUpArgs): Promise<void> {
  await db.execute(sql`
  CREATE FUNCTION "orders_keep_computed"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF coalesce(current_setting('patron.computed_write', true), '') <> 'on' THEN
      NEW.order_number := OLD.order_number; NEW.source := OLD.source; NEW.status := OLD.status;
      NEW.payment_status := OLD.payment_status; NEW.member_id := OLD.member_id; NEW.reseller_id := OLD.reseller_id;
      NEW.reseller_client_id := OLD.reseller_client_id; NEW.redemption_id := OLD.redemption_id;
      NEW.subtotal := OLD.subtotal; NEW.discount_total := OLD.discount_total; NEW.delivery_fee := OLD.delivery_fee;
      NEW.service_charge := OLD.service_charge; NEW.tax_amount := OLD.tax_amount; NEW.total := OLD.total;
      NEW.currency := OLD.currency; NEW.amount_paid := OLD.amount_paid; NEW.amount_refunded := OLD.amount_refunded;
      NEW.commission_amount := OLD.commission_amount; NEW.confirmed_at := OLD.confirmed_at; NEW.dispatched_at := OLD.dispatched_at;
      NEW.delivered_at := OLD.delivered_at; NEW.completed_at := OLD.completed_at; NEW.cancelled_at := OLD.cancelled_at;
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "orders_keep_computed" BEFORE UPDATE ON "orders" FOR EACH ROW EXECUTE FUNCTION "orders_keep_computed"();

  CREATE FUNCTION "resellers_keep_balance"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF coalesce(current_setting('patron.computed_write', true), '') <> 'on' THEN
      NEW.current_balance := OLD.current_balance;
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "resellers_keep_balance" BEFORE UPDATE ON "resellers" FOR EACH ROW EXECUTE FUNCTION "resellers_keep_balance"();

  CREATE FUNCTION "reseller_clients_keep_usage"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF coalesce(current_setting('patron.computed_write', true), '') <> 'on' THEN
      NEW.current_usage := OLD.current_usage;
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "reseller_clients_keep_usage" BEFORE UPDATE ON "reseller_clients" FOR EACH ROW EXECUTE FUNCTION "reseller_clients_keep_usage"();

  CREATE FUNCTION "transactions_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'transactions are append-only' USING ERRCODE = 'restrict_violation';
    END IF;
    IF coalesce(current_setting('patron.computed_write', true), '') <> 'on'
       OR NEW.transaction_id IS DISTINCT FROM OLD.transaction_id OR NEW.type IS DISTINCT FROM OLD.type
       OR NEW.order_id IS DISTINCT FROM OLD.order_id OR NEW.member_id IS DISTINCT FROM OLD.member_id
       OR NEW.reseller_id IS DISTINCT FROM OLD.reseller_id OR NEW.gateway IS DISTINCT FROM OLD.gateway
       OR NEW.refund_of_id IS DISTINCT FROM OLD.refund_of_id OR NEW.currency IS DISTINCT FROM OLD.currency
       OR (NEW.gateway_transaction_id IS DISTINCT FROM OLD.gateway_transaction_id AND OLD.gateway_transaction_id IS NOT NULL) THEN
      RAISE EXCEPTION 'transactions are append-only: only the system moves their status' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER "transactions_append_only" BEFORE UPDATE OR DELETE ON "transactions" FOR EACH ROW EXECUTE FUNCTION "transactions_append_only"();

  CREATE FUNCTION "order_status_changes_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'order history is append-only' USING ERRCODE = 'restrict_violation';
  END $$;
  CREATE TRIGGER "order_status_changes_append_only" BEFORE UPDATE OR DELETE ON "order_status_changes"
    FOR EACH ROW EXECUTE FUNCTION "order_status_changes_append_only"();

  ALTER TABLE "orders" ADD CONSTRAINT "orders_amounts_check" CHECK (
    subtotal >= 0 AND discount_total >= 0 AND delivery_fee >= 0 AND service_charge >= 0 AND tax_amount >= 0 AND total >= 0
    AND amount_paid >= 0 AND amount_refunded >= 0 AND amount_refunded <= amount_paid AND commission_amount >= 0);
  ALTER TABLE "orders_items" ADD CONSTRAINT "orders_items_quantity_check" CHECK (quantity > 0 AND unit_price >= 0 AND line_total >= 0);
  ALTER TABLE "carts_items" ADD CONSTRAINT "carts_items_quantity_check" CHECK (quantity > 0);
  ALTER TABLE "transactions" ADD CONSTRAINT "transactions_amount_check" CHECK (amount > 0);
  ALTER TABLE "resellers" ADD CONSTRAINT "resellers_limits_check" CHECK (credit_limit >= 0 AND commission_rate >= 0 AND commission_rate <= 100);
  ALTER TABLE "reseller_clients" ADD CONSTRAINT "reseller_clients_usage_check" CHECK (current_usage >= 0 AND (monthly_limit IS NULL OR monthly_limit >= 0));
  ALTER TABLE "reviews" ADD CONSTRAINT "reviews_rating_check" CHECK (rating >= 1 AND rating <= 5);
  -- Refunds point at the payment they refund; one credit charge per order.
  CREATE UNIQUE INDEX "transactions_one_credit_per_order" ON "transactions" ("order_id") WHERE type = 'credit' AND status = 'completed';`)
}

export async function down({ db }: MigrateDownArgs): Promise<void> {
  await db.execute(sql`
  DROP INDEX IF EXISTS "transactions_one_credit_per_order";
  ALTER TABLE "reviews" DROP CONSTRAINT IF EXISTS "reviews_rating_check";
  ALTER TABLE "reseller_clients" DROP CONSTRAINT IF EXISTS "reseller_clients_usage_check";
  ALTER TABLE "resellers" DROP CONSTRAINT IF EXISTS "resellers_limits_check";
  ALTER TABLE "transactions" DROP CONSTRAINT IF EXISTS "transactions_amount_check";
  ALTER TABLE "carts_items" DROP CONSTRAINT IF EXISTS "carts_items_quantity_check";
  ALTER TABLE "orders_items" DROP CONSTRAINT IF EXISTS "orders_items_quantity_check";
  ALTER TABLE "orders" DROP CONSTRAINT IF EXISTS "orders_amounts_check";
  DROP TRIGGER IF EXISTS "order_status_changes_append_only" ON "order_status_changes";
  DROP FUNCTION IF EXISTS "order_status_changes_append_only"();
  DROP TRIGGER IF EXISTS "transactions_append_only" ON "transactions";
  DROP FUNCTION IF EXISTS "transactions_append_only"();
  DROP TRIGGER IF EXISTS "reseller_clients_keep_usage" ON "reseller_clients";
  DROP FUNCTION IF EXISTS "reseller_clients_keep_usage"();
  DROP TRIGGER IF EXISTS "resellers_keep_balance" ON "resellers";
  DROP FUNCTION IF EXISTS "resellers_keep_balance"();
  DROP TRIGGER IF EXISTS "orders_keep_computed" ON "orders";
  DROP FUNCTION IF EXISTS "orders_keep_computed"();`)
}
