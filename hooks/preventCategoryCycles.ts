import type { CollectionBeforeChangeHook } from 'payload'
import { dbFor, rows, sql } from '../src/lib/db/sql'
import { badRequest } from '../src/lib/errors'

/**
 * The parent must be an existing category, and a category cannot be its own
 * ancestor (the tree must stay a tree). Both are 400s, never the database's
 * foreign-key error.
 */
export const preventCategoryCycles: CollectionBeforeChangeHook = async ({ data, originalDoc, req }) => {
  const raw: unknown = typeof data.parent === 'object' && data.parent ? data.parent.id : data.parent
  if (raw === null || raw === undefined || raw === '') return data
  const parent = typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw)) ? Number(raw) : NaN
  if (!Number.isSafeInteger(parent) || parent <= 0) throw badRequest('The parent must be a category id.')
  const self = originalDoc?.id === undefined ? null : Number(originalDoc.id)
  if (parent === self) throw badRequest('A category cannot be its own parent.')
  const db = await dbFor(req.payload, req)
  const [hit] = await rows<{ parent_found: boolean; cycle: boolean }>(
    db,
    sql`with recursive up(id, parent_id, depth) as (
          select id, parent_id, 0 from categories where id = ${parent}
          union all
          select c.id, c.parent_id, up.depth + 1 from categories c join up on c.id = up.parent_id where up.depth < 100
        ) select exists(select 1 from up where depth = 0) as parent_found,
                 exists(select 1 from up where id = ${self ?? -1}) as cycle`,
  )
  if (!hit?.parent_found) throw badRequest('That parent category does not exist.')
  if (hit.cycle) throw badRequest('That parent is inside this category: a category cannot be its own ancestor.')
  return data
}
