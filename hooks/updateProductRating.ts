import type { CollectionAfterChangeHook, CollectionAfterDeleteHook } from 'payload'
import { dbFor } from '../src/lib/db/sql'
import { refreshProductRating } from '../src/services/commerce/reviews'

const productOf = (doc: { product?: unknown }) => Number(typeof doc.product === 'object' && doc.product ? (doc.product as { id: unknown }).id : doc.product)

/** The product's rating follows its approved reviews, in the review's own transaction. */
export const updateProductRating: CollectionAfterChangeHook = async ({ doc, previousDoc, operation, req }) => {
  if (operation === 'update' && previousDoc?.status === doc.status) return doc
  await refreshProductRating(await dbFor(req.payload, req), productOf(doc))
  return doc
}

export const updateProductRatingAfterDelete: CollectionAfterDeleteHook = async ({ doc, req }) => {
  await refreshProductRating(await dbFor(req.payload, req), productOf(doc))
  return doc
}
