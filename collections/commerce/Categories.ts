import type { CollectionConfig } from 'payload'
import { anyone } from '../access/anyone'
import { isAdmin } from '../access/isAdmin'
import { slugFromTitle } from '../../hooks/slugFromTitle'
import { preventCategoryCycles } from '../../hooks/preventCategoryCycles'

/** Product categories, nested through `parent`. */
export const Categories: CollectionConfig = {
  slug: 'categories',
  admin: { useAsTitle: 'title', group: 'Catalogue', defaultColumns: ['title', 'slug', 'parent'] },
  access: { read: anyone, create: isAdmin, update: isAdmin, delete: isAdmin },
  hooks: { beforeValidate: [slugFromTitle], beforeChange: [preventCategoryCycles] },
  fields: [
    { name: 'title', type: 'text', required: true, maxLength: 120 },
    { name: 'slug', type: 'text', required: true, unique: true, index: true, maxLength: 140, admin: { description: 'Made from the title when empty' } },
    { name: 'parent', type: 'relationship', relationTo: 'categories', index: true },
    { name: 'products', type: 'join', collection: 'products', on: 'category', admin: { defaultColumns: ['title', 'sku', 'price'] } },
  ],
  timestamps: true,
}
