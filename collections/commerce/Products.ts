import type { CollectionConfig } from 'payload'
import { adminsOnly, contentEditors, systemOnly } from '../access/fieldAccess'
import { isAdmin } from '../access/isAdmin'
import { publishedOrStaff } from '../access/publishedOrStaff'
import { applyProductStockChange } from '../../hooks/applyProductStockChange'
import { refuseDeletingWithHistory } from '../../hooks/refuseDeletingWithHistory'
import { slugFromTitle } from '../../hooks/slugFromTitle'

const adminField = { create: adminsOnly, update: adminsOnly }

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
  versions: { drafts: true, maxPerDoc: 25 },
  access: { read: publishedOrStaff, create: isAdmin, update: contentEditors, delete: isAdmin, readVersions: contentEditors },
  hooks: {
    beforeValidate: [slugFromTitle],
    beforeChange: [applyProductStockChange],
    beforeDelete: [
      refuseDeletingWithHistory([{ table: 'stock_movements', column: 'product_id' }], 'This product has stock history; archive it instead of deleting it.'),
    ],
  },
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
      hooks: { beforeValidate: [({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value)] },
    },
    { name: 'description', type: 'richText', access: { update: contentEditors } },
    { name: 'images', type: 'upload', relationTo: 'media', hasMany: true, access: { update: contentEditors } },
    { name: 'category', type: 'relationship', relationTo: 'categories', index: true, access: adminField },
    { name: 'price', type: 'number', required: true, min: 0, index: true, access: adminField, admin: { description: 'Minor units (cents)', step: 1 } },
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
