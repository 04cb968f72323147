import path from 'node:path'
import type { CollectionConfig } from 'payload'
import { anyone } from '../access/anyone'
import { contentEditors } from '../access/fieldAccess'
import { projectRoot } from '../../src/lib/env'

/** Images for vouchers, products and pages: whitelisted types, a size limit, alt text required. */
export const Media: CollectionConfig = {
  slug: 'media',
  admin: { group: 'Content' },
  access: { read: anyone, create: contentEditors, update: contentEditors, delete: contentEditors },
  upload: {
    staticDir: process.env.MEDIA_DIR || path.join(projectRoot, 'media'),
    mimeTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'],
    imageSizes: [
      { name: 'thumbnail', width: 320, height: 320, position: 'centre' },
      { name: 'card', width: 768, height: undefined, position: 'centre' },
    ],
    adminThumbnail: 'thumbnail',
  },
  fields: [
    {
      name: 'alt',
      type: 'text',
      required: true,
      maxLength: 300,
      admin: { description: 'Describes the image for screen readers and when it cannot load' },
      hooks: { beforeValidate: [({ value }) => (typeof value === 'string' ? value.trim() : value)] },
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !value.trim()) return 'Alt text is required.'
        return value.length <= 300 ? true : 'Alt text is at most 300 characters.'
      },
    },
  ],
}
