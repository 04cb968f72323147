import type { CollectionConfig, Where } from 'payload'
import { checkReviewEligibility } from '../../hooks/checkReviewEligibility'
import { updateProductRating, updateProductRatingAfterDelete } from '../../hooks/updateProductRating'
import { approvedOrOwnReview, reviewModerators } from '../access/approvedOrOwnReview'
import { isAdmin } from '../access/isAdmin'
import { memberUser } from '../access/memberUser'
import type { AccessArgs } from '../access/types'

const ownOrAdmin = (args: AccessArgs): boolean | Where => {
  if (isAdmin(args)) return true
  const member = memberUser(args)
  return member ? { member: { equals: member.id } } : false
}

/**
 * Product reviews (SPEC §2): a member writes one per product it has received
 * (a delivered or completed order); staff approve or reject; the public reads
 * approved ones. The product's rating average and count follow approved
 * reviews, recomputed in the same transaction as each change.
 */
export const Reviews: CollectionConfig = {
  slug: 'reviews',
  admin: { group: 'Catalogue', defaultColumns: ['product', 'member', 'rating', 'status', 'createdAt'], listSearchableFields: ['title', 'body'] },
  defaultSort: '-createdAt',
  access: { read: approvedOrOwnReview, create: (args) => memberUser(args) !== null, update: reviewModerators, delete: ownOrAdmin },
  indexes: [{ fields: ['product', 'member'], unique: true }],
  hooks: { beforeChange: [checkReviewEligibility], afterChange: [updateProductRating], afterDelete: [updateProductRatingAfterDelete] },
  fields: [
    { name: 'product', type: 'relationship', relationTo: 'products', required: true, index: true, access: { update: () => false } },
    { name: 'member', type: 'relationship', relationTo: 'members', index: true, access: { create: () => false, update: () => false }, admin: { readOnly: true } },
    { name: 'rating', type: 'number', required: true, min: 1, max: 5, access: { update: () => false }, validate: (v: unknown) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5) || 'The rating is a whole number from 1 to 5.' },
    { name: 'title', type: 'text', maxLength: 120, access: { update: () => false } },
    { name: 'body', type: 'textarea', required: true, maxLength: 4000, access: { update: () => false } },
    {
      name: 'status',
      type: 'select',
      options: ['pending', 'approved', 'rejected'],
      defaultValue: 'pending',
      required: true,
      index: true,
      access: { create: () => false },
      admin: { position: 'sidebar' },
    },
    { name: 'moderationNote', type: 'text', maxLength: 500, access: { read: reviewModerators }, admin: { position: 'sidebar' } },
  ],
  timestamps: true,
}
