import { randomCode } from '../../domain/codes'
import { allowComputedWrites, rows, sql, type Db } from '../../lib/db/sql'

export type TransactionType = 'payment' | 'refund' | 'commission' | 'credit'
export type TransactionStatus = 'pending' | 'completed' | 'failed' | 'cancelled'

export type TransactionRow = {
  id: number
  transaction_id: string
  type: TransactionType
  status: TransactionStatus
  order_id: number | null
  member_id: number | null
  reseller_id: number | null
  amount: string
  currency: string
  method: string | null
  gateway: 'stripe' | 'manual'
  gateway_transaction_id: string | null
  refund_of_id: number | null
  processed_at: Date | null
}

export type NewTransaction = {
  type: TransactionType
  status: TransactionStatus
  amount: number
  currency: string
  orderId?: number | null
  memberId?: number | null
  resellerId?: number | null
  method?: string | null
  gateway?: 'stripe' | 'manual'
  gatewayTransactionId?: string | null
  gatewayResponse?: unknown
  refundOf?: number | null
  reason?: string | null
  createdBy?: number | null
}

/** Appends one entry to the money ledger (inside the caller's transaction) with a generated id such as `TX-7K2M9QXA`. */
export async function insertTransaction(db: Db, t: NewTransaction): Promise<TransactionRow> {
  const [row] = await rows<TransactionRow>(
    db,
    sql`insert into transactions (transaction_id, type, status, order_id, member_id, reseller_id, amount, currency, method, gateway,
          gateway_transaction_id, gateway_response, refund_of_id, reason, processed_at, created_by_id)
        values (${randomCode('TX', 10)}, ${t.type}, ${t.status}, ${t.orderId ?? null}, ${t.memberId ?? null}, ${t.resellerId ?? null},
          ${t.amount}, ${t.currency}, ${t.method ?? null}, ${t.gateway ?? 'manual'}, ${t.gatewayTransactionId ?? null},
          ${t.gatewayResponse === undefined ? null : JSON.stringify(t.gatewayResponse)}::jsonb, ${t.refundOf ?? null}, ${t.reason ?? null},
          ${t.status === 'completed' ? sql`now()` : null}, ${t.createdBy ?? null})
        returning *`,
  )
  return row
}

/** Moves a transaction's status (the only change the ledger allows), when it is still in one of `from`. */
export async function moveTransactionStatus(
  db: Db,
  id: number,
  from: TransactionStatus[],
  to: TransactionStatus,
  extra: { amount?: number; gatewayResponse?: unknown } = {},
): Promise<TransactionRow | undefined> {
  // The ledger's trigger lets only flagged (service) transactions move a status.
  const [row] = await allowComputedWrites(db, () => rows<TransactionRow>(
    db,
    sql`update transactions set status = ${to}, updated_at = now(),
          processed_at = case when ${to} = 'completed' then now() else processed_at end,
          amount = coalesce(${extra.amount ?? null}::numeric, amount),
          gateway_response = coalesce(${extra.gatewayResponse === undefined ? null : JSON.stringify(extra.gatewayResponse)}::jsonb, gateway_response)
        where id = ${id} and status in ${sql`(${sql.join(
          from.map((s) => sql`${s}`),
          sql`, `,
        )})`}
        returning *`,
  ))
  return row
}
