import { allowComputedWrites, rows, sql, type Db } from '../../lib/db/sql'
import { notFound } from '../../lib/errors'

export type ResellerRow = { id: number; status: string; credit_limit: string; current_balance: string; commission_rate: string }

/** Locks a reseller row for the rest of the transaction. */
export async function lockReseller(db: Db, id: number): Promise<ResellerRow> {
  const [row] = await rows<ResellerRow>(db, sql`select id, status, credit_limit, current_balance, commission_rate from resellers where id = ${id} for update`)
  if (!row) throw notFound('Reseller not found.')
  return row
}

/**
 * Moves what a reseller owes by `delta` minor units (positive: they owe more)
 * inside the caller's transaction. Only this function writes the balance; a
 * database trigger keeps it against any other update.
 */
export async function moveResellerBalance(db: Db, id: number, delta: number): Promise<number> {
  if (!delta) {
    const [r] = await rows<{ current_balance: string }>(db, sql`select current_balance from resellers where id = ${id}`)
    return Number(r?.current_balance ?? 0)
  }
  const [row] = await allowComputedWrites(db, () =>
    rows<{ current_balance: string }>(
      db,
      sql`update resellers set current_balance = current_balance + ${delta}, updated_at = now() where id = ${id} returning current_balance`,
    ),
  )
  if (!row) throw notFound('Reseller not found.')
  return Number(row.current_balance)
}
