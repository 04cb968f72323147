import type { CollectionBeforeChangeHook } from 'payload'
import { dbFor } from '../src/lib/db/sql'
import { assertMayReview } from '../src/services/commerce/reviews'

/** New reviews: by the signed-in member, for a product it received, once; they start pending. */
export const checkReviewEligibility: CollectionBeforeChangeHook = async ({ data, operation, req }) => {
  if (operation !== 'create') return data
  const user = req.user as { id: number; collection?: string } | null
  if (user?.collection !== 'members') return data // only trusted server code (seed, overrideAccess) gets here without a member
  const product = typeof data.product === 'object' && data.product ? data.product.id : data.product
  await assertMayReview(await dbFor(req.payload, req), user.id, Number(product))
  return { ...data, member: user.id, status: 'pending' }
}
