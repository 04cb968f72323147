import type { CollectionBeforeChangeHook } from 'payload'
import { dbFor, rows, sql } from '../src/lib/db/sql'
import { badRequest } from '../src/lib/errors'

/** A category cannot be its own ancestor (the tree must stay a tree). */
export const preventCategoryCycles: CollectionBeforeChangeHook = async ({ data, originalDoc, req }) => {
  const parent = typeof data.parent === 'object' && data.parent ? data.parent.id : data.parent
  if (!parent || !originalDoc?.id) return data
  if (Number(parent) === Number(originalDoc.id)) throw badRequest('A category cannot be its own parent.')
  const db = await dbFor(req.payload, req)
  const [hit] = await rows<{ found: boolean }>(
    db,
    sql`with recursive up(id, parent_id, depth) as (
          select id, parent_id, 0 from categories where id = ${Number(parent)}
          union all
          select c.id, c.parent_id, up.depth + 1 from categories c join up on c.id = up.parent_id where up.depth < 100
        ) select exists(select 1 from up where id = ${Number(originalDoc.id)}) as found`,
  )
  if (hit?.found) throw badRequest('That parent is inside this category: a category cannot be its own ancestor.')
  return data
}
