import type { Where } from 'payload'
import { hasRole } from './hasRole'
import type { AccessArgs } from './types'

const catalogueStaff = hasRole('super-admin', 'admin', 'moderator', 'support', 'editor')

/** Catalogue reads: staff see drafts and archived items; everyone else published, active items only. */
export const publishedOrStaff = (args: AccessArgs): boolean | Where => {
  if (catalogueStaff(args)) return true
  return { and: [{ _status: { equals: 'published' } }, { status: { equals: 'active' } }] }
}
