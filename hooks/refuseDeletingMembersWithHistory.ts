import type { CollectionBeforeDeleteHook } from 'payload'
import { rows, sql, dbFor } from '../src/lib/db/sql'
import { conflict } from '../src/lib/errors'

/**
 * A member with points history or redemptions is kept: the ledger must stay
 * whole. Block or deactivate such a member instead of deleting it.
 */
export const refuseDeletingMembersWithHistory: CollectionBeforeDeleteHook = async ({ id, req }) => {
  const db = await dbFor(req.payload, req)
  const [r] = await rows<{ n: number }>(
    db,
    sql`select (select count(*) from point_transactions where member_id = ${id})::int
             + (select count(*) from redemptions where member_id = ${id})::int as n`,
  )
  if (r.n > 0) throw conflict('CONFLICT', 'This member has points history; block or deactivate the account instead of deleting it.')
}
