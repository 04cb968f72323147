import type { CollectionBeforeDeleteHook } from 'payload'
import { dbFor, rows, sql } from '../src/lib/db/sql'
import { conflict } from '../src/lib/errors'

/**
 * A record that history points at (ledger entries, redemptions, stock
 * movements…) is kept: deleting it would orphan that history. Returns a hook
 * that refuses the delete with 409 and says what to do instead.
 */
export function refuseDeletingWithHistory(references: Array<{ table: string; column: string }>, message: string): CollectionBeforeDeleteHook {
  return async ({ id, req }) => {
    const db = await dbFor(req.payload, req)
    for (const { table, column } of references) {
      const [hit] = await rows<{ found: boolean }>(
        db,
        sql`select exists(select 1 from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}) as found`,
      )
      if (hit.found) throw conflict('CONFLICT', message)
    }
  }
}
