import type { CollectionConfig, CollectionSlug, PayloadRequest } from 'payload'
import { adminsOnly, contentEditors, systemOnly } from '../access/fieldAccess'
import { isAdmin } from '../access/isAdmin'
import { publishedOrStaff } from '../access/publishedOrStaff'
import { applyProductStockChange } from '../../hooks/applyProductStockChange'
import { recordInitialStock } from '../../hooks/recordInitialStock'
import { refuseDeletingWithHistory } from '../../hooks/refuseDeletingWithHistory'
import { slugFromTitle } from '../../hooks/slugFromTitle'

const adminField = { create: adminsOnly, update: adminsOnly }

/** Prices are whole minor units (cents): 1999 is 19.99. Fractions would drift (SPEC §2 Money). */
export function validatePrice(value: unknown): string | true {
  if (value === null || value === undefined || value === '') return 'A price is required.'
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 'The price must be a whole number of minor units (cents), e.g. 1999 for 19.99.'
  if (value < 0) return 'The price cannot be negative.'
  return true
}

/** SKUs are stored upper-case and trimmed: letters, digits and . _ / - (no spaces). */
export function validateSku(value: unknown): string | true {
  if (typeof value !== 'string' || !value.trim()) return 'A SKU is required.'
  if (value.length > 64) return 'A SKU is at most 64 characters.'
  if (!/^[A-Z0-9][A-Z0-9._/-]*$/.test(value)) return 'A SKU may contain only letters, digits and . _ / - (no spaces).'
  return true
}

/**
 * The referenced documents must exist: a 400 that names the field, rather than
 * the database's foreign-key error (a 500).
 */
function mustExist(collection: CollectionSlug, label: string) {
  return async (value: unknown, { req }: { req: PayloadRequest }): Promise<string | true> => {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return true
    const raw = (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'object' && v !== null ? (v as { id?: unknown }).id : v))
    const ids = raw.map((id) => (typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)) ? Number(id) : NaN))
    if (!ids.every((id) => Number.isSafeInteger(id) && id > 0)) return `${label}: not a valid id.`
    const unique = [...new Set(ids)]
    const { totalDocs } = await req.payload.count({ collection, where: { id: { in: unique } }, req, overrideAccess: true })
    return totalDocs === unique.length ? true : `${label}: not found.`
  }
}

/**
 * The catalogue (SPEC §2). Editors draft and publish descriptions and images;
 * admins own prices, SKUs and status. Stock is set at creation and then moves
 * only through the inventory service (orders, "Add to stock"), which records
 * every change as a stock movement.
 */
export const Products: CollectionConfig = {
  slug: 'products',
  admin: {
    useAsTitle: 'title',
    group: 'Catalogue',
    defaultColumns: ['title', 'sku', 'price', 'stockQuantity', 'status', '_status'],
    listSearchableFields: ['title', 'sku'],
  },
  // Drafts are validated too: a draft with a fractional price or a missing category is refused when saved, not when published.
  versions: { drafts: { validate: true }, maxPerDoc: 25 },
  access: { read: publishedOrStaff, create: isAdmin, update: contentEditors, delete: isAdmin, readVersions: contentEditors },
  hooks: {
    beforeValidate: [slugFromTitle],
    beforeChange: [applyProductStockChange],
    afterChange: [recordInitialStock],
    beforeDelete: [
      refuseDeletingWithHistory([{ table: 'stock_movements', column: 'product_id' }], 'This product has stock history; archive it instead of deleting it.'),
    ],
  },
  // The storefront's category page: newest first.
  indexes: [{ fields: ['category', 'createdAt'] }],
  fields: [
    { name: 'title', type: 'text', required: true, maxLength: 200, access: adminField },
    { name: 'slug', type: 'text', required: true, unique: true, index: true, maxLength: 140, access: adminField },
    {
      name: 'sku',
      type: 'text',
      required: true,
      unique: true,
      index: true,
      maxLength: 64,
      access: adminField,
      validate: validateSku,
      hooks: { beforeValidate: [({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value)] },
    },
    { name: 'description', type: 'richText', access: { update: contentEditors } },
    { name: 'images', type: 'upload', relationTo: 'media', hasMany: true, access: { update: contentEditors }, validate: mustExist('media', 'Images') },
    { name: 'category', type: 'relationship', relationTo: 'categories', index: true, access: adminField, validate: mustExist('categories', 'Category') },
    {
      name: 'price',
      type: 'number',
      required: true,
      min: 0,
      index: true,
      access: adminField,
      validate: validatePrice,
      admin: { description: 'Minor units (cents): 1999 is 19.99', step: 1 },
    },
    {
      name: 'attributes',
      type: 'array',
      access: adminField,
      fields: [
        {
          type: 'row',
          fields: [
            { name: 'name', type: 'text', required: true, maxLength: 60 },
            { name: 'value', type: 'text', required: true, maxLength: 200 },
          ],
        },
      ],
    },
    // Own enum name: the default would clash with the enum of Payload's draft status (_status).
    { name: 'status', type: 'select', enumName: 'enum_products_availability', required: true, options: ['active', 'archived'], defaultValue: 'active', index: true, access: adminField, admin: { position: 'sidebar' } },
    {
      name: 'stockQuantity',
      type: 'number',
      required: true,
      min: 0,
      defaultValue: 0,
      index: true,
      access: { create: adminsOnly, update: systemOnly },
      admin: { position: 'sidebar', description: 'Moves with orders and "Add to stock"; every change is a stock movement' },
    },
    {
      name: 'stockAdjustment',
      label: 'Add to stock',
      type: 'number',
      virtual: true,
      access: { create: systemOnly, update: adminsOnly },
      admin: { position: 'sidebar', description: 'Units to add (negative: remove), applied to the current stock on save' },
    },
    { name: 'reorderThreshold', type: 'number', min: 0, access: adminField, admin: { position: 'sidebar', description: 'Low-stock alert at or below this; empty: the settings default' } },
    { name: 'ratingAverage', type: 'number', access: { create: systemOnly, update: systemOnly }, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'ratingCount', type: 'number', defaultValue: 0, access: { create: systemOnly, update: systemOnly }, admin: { readOnly: true, position: 'sidebar' } },
  ],
  timestamps: true,
}
