import type { CollectionConfig } from 'payload'
import { isAdmin } from '../access/isAdmin'
import { nobody } from '../access/nobody'

/**
 * Stripe webhook events already processed, one row per event id (unique): a
 * redelivered event finds its row and changes nothing. Written in the same
 * transaction as the event's effects.
 */
export const StripeEvents: CollectionConfig = {
  slug: 'stripe-events',
  admin: { group: 'Money', useAsTitle: 'eventId', defaultColumns: ['eventId', 'type', 'objectId', 'outcome', 'createdAt'] },
  defaultSort: '-createdAt',
  access: { read: isAdmin, create: nobody, update: nobody, delete: nobody },
  fields: [
    { name: 'eventId', type: 'text', required: true, unique: true, index: true },
    { name: 'type', type: 'text', required: true, index: true },
    { name: 'objectId', type: 'text', index: true },
    { name: 'outcome', type: 'text' },
  ],
  timestamps: true,
}
