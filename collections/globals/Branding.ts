import type { GlobalConfig } from 'payload'
import { anyone } from '../access/anyone'
import { isAdmin } from '../access/isAdmin'

const hexColour = (value: string | null | undefined) =>
  !value || /^#[0-9a-fA-F]{6}$/.test(value) || 'Use a hex colour such as #1f6feb'

/** Name, logo and colours shown to staff and storefronts. */
export const Branding: GlobalConfig = {
  slug: 'branding',
  admin: { group: 'Administration' },
  access: { read: anyone, update: isAdmin },
  fields: [
    { name: 'name', type: 'text', required: true, defaultValue: 'Patron' },
    { name: 'logoUrl', type: 'text', admin: { description: 'URL of the logo (uploads arrive with the media library)' } },
    {
      type: 'row',
      fields: [
        { name: 'primaryColour', type: 'text', defaultValue: '#1f6feb', validate: hexColour },
        { name: 'accentColour', type: 'text', defaultValue: '#f59e0b', validate: hexColour },
      ],
    },
  ],
}
