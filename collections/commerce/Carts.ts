import type { CollectionConfig } from 'payload'
import { checkoutCart } from '../../endpoints/commerce/checkoutCart'
import { assignCartOwner } from '../../hooks/assignCartOwner'
import { priceCart } from '../../hooks/priceCart'
import { anyone } from '../access/anyone'
import { cartOwner, cartOwnerOrNotFound } from '../access/cartOwner'
import { moneyField } from '../fields/money'

const computed = { create: () => false, update: () => false }

/**
 * Shopping carts (SPEC §2). Anyone may start one; its id is a random 128-bit
 * string, so an anonymous cart is reachable only by whoever holds the id. A
 * signed-in member's cart is theirs; an anonymous cart is merged into the
 * member's when they log in with `{cart}` in the login body. Lines are checked
 * against published products and stock, and totals are computed on the server
 * on every change. Checkout turns it into an order; a job removes carts left
 * untouched for `settings.abandonedCartDays`.
 */
export const Carts: CollectionConfig = {
  slug: 'carts',
  admin: { group: 'Orders', defaultColumns: ['id', 'member', 'status', 'total', 'updatedAt'] },
  lockDocuments: false,
  access: {
    read: cartOwner({ staffRead: true }),
    create: anyone,
    update: cartOwnerOrNotFound({ staffRead: false }),
    delete: cartOwnerOrNotFound({ staffRead: false }),
  },
  endpoints: [checkoutCart],
  hooks: { beforeValidate: [assignCartOwner], beforeChange: [priceCart] },
  fields: [
    // Custom id: set by assignCartOwner on create (random, unguessable); never taken from input.
    { name: 'id', type: 'text', admin: { hidden: true } },
    { name: 'member', type: 'relationship', relationTo: 'members', index: true, access: computed, admin: { readOnly: true } },
    { name: 'status', type: 'select', options: ['active', 'converted'], defaultValue: 'active', required: true, index: true, access: computed, admin: { readOnly: true } },
    { name: 'order', type: 'relationship', relationTo: 'orders', access: computed, admin: { readOnly: true } },
    {
      name: 'items',
      type: 'array',
      maxRows: 100,
      fields: [
        {
          type: 'row',
          fields: [
            { name: 'product', type: 'relationship', relationTo: 'products', required: true },
            { name: 'quantity', type: 'number', required: true, min: 1, max: 999, admin: { step: 1 } },
          ],
        },
        {
          type: 'row',
          fields: [
            { name: 'title', type: 'text', access: computed, admin: { readOnly: true } },
            moneyField('unitPrice', { computed: true }),
            moneyField('lineTotal', { computed: true }),
          ],
        },
      ],
    },
    {
      type: 'row',
      fields: [
        moneyField('subtotal', { computed: true }),
        moneyField('deliveryFee', { computed: true }),
        moneyField('serviceCharge', { computed: true }),
        moneyField('taxAmount', { computed: true }),
        moneyField('total', { computed: true }),
        { name: 'currency', type: 'text', access: computed, admin: { readOnly: true } },
      ],
    },
  ],
  timestamps: true,
}
