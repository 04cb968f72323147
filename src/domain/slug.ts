/** Longest slug (the `slug` fields allow 140 characters). */
export const SLUG_MAX_LENGTH = 140

/**
 * URL slug: lower-case ASCII letters, digits and single hyphens
 * ("Hand-made Mugs!" → "hand-made-mugs"). Accents are dropped ("Café" → "cafe");
 * characters with no ASCII form are left out. Cut to 140 characters without a
 * trailing hyphen. Empty when nothing usable is left.
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '')
}
