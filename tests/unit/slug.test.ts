import { describe, expect, it } from 'vitest'
import { slugify } from '../../src/domain/slug'

describe('slugify', () => {
  it('lower-cases and joins words with single hyphens', () => {
    expect(slugify('Hand-made Mugs!')).toBe('hand-made-mugs')
    expect(slugify('Mugs & Cups')).toBe('mugs-cups')
    expect(slugify('a   b\t\nc')).toBe('a-b-c')
    expect(slugify('already-a-slug')).toBe('already-a-slug')
  })

  it('trims leading and trailing separators', () => {
    expect(slugify('  --Hello, World!--  ')).toBe('hello-world')
    expect(slugify('...dots...')).toBe('dots')
  })

  it('removes accents and keeps digits', () => {
    expect(slugify('Café Crème 2024')).toBe('cafe-creme-2024')
    expect(slugify('Ça va, Ñandú?')).toBe('ca-va-nandu')
    expect(slugify('Ｆｕｌｌｗｉｄｔｈ １２')).toBe('fullwidth-12')
  })

  it('drops characters it cannot transliterate', () => {
    expect(slugify('Mugs 🍵 and 茶')).toBe('mugs-and')
    expect(slugify('!!!')).toBe('')
    expect(slugify('')).toBe('')
  })

  it('is idempotent', () => {
    for (const text of ['Hand-made Mugs!', 'Café Crème', '  x  y  ', 'A/B_C.D']) expect(slugify(slugify(text))).toBe(slugify(text))
  })

  it('is at most 140 characters', () => {
    const long = slugify('word '.repeat(100))
    expect(long.length).toBeLessThanOrEqual(140)
    expect(long.startsWith('word-word')).toBe(true)
    // Cut on a separator: no trailing hyphen.
    expect(long).not.toMatch(/-$/)
    expect(long).toBe(Array(28).fill('word').join('-'))
  })
})
