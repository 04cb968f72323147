import type { CollectionBeforeValidateHook } from 'payload'
import { slugify } from '../src/domain/slug'

/** Fills an empty slug from the title (and normalises a given one). */
export const slugFromTitle: CollectionBeforeValidateHook = ({ data }) => {
  if (!data) return data
  const source = typeof data.slug === 'string' && data.slug.trim() ? data.slug : data.title
  return typeof source === 'string' && source.trim() ? { ...data, slug: slugify(source) } : data
}
