import { describe, expect, it } from 'vitest'
import { randomCode, requestHash } from '../../src/domain/codes'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

describe('randomCode', () => {
  it('is the prefix, a dash and 8 characters by default', () => {
    const code = randomCode('RD')
    expect(code).toMatch(/^RD-[0-9A-Z]{8}$/)
    expect(code).toHaveLength(11)
  })

  it('honours the requested length', () => {
    expect(randomCode('PM', 12)).toMatch(/^PM-[0-9A-Z]{12}$/)
    expect(randomCode('X', 1)).toMatch(/^X-[0-9A-Z]$/)
  })

  it('uses the 32-character alphabet without I, L, O or U', () => {
    expect(ALPHABET).toHaveLength(32)
    const seen = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      const body = randomCode('RD').slice(3)
      expect(body).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/)
      expect(body).not.toMatch(/[ILOU]/)
      for (const ch of body) seen.add(ch)
    }
    // 40 000 draws from 32 characters: every character shows up.
    expect([...seen].sort().join('')).toBe(ALPHABET)
  })

  it('spreads characters evenly (no modulo bias)', () => {
    const counts = new Map<string, number>()
    const draws = 20_000
    for (let i = 0; i < draws; i++) for (const ch of randomCode('T').slice(2)) counts.set(ch, (counts.get(ch) ?? 0) + 1)
    const expected = (draws * 8) / 32 // 5 000 each
    for (const ch of ALPHABET) {
      const n = counts.get(ch) ?? 0
      expect(n).toBeGreaterThan(expected * 0.9)
      expect(n).toBeLessThan(expected * 1.1)
    }
  })

  it('does not repeat over many draws', () => {
    const codes = new Set<string>()
    for (let i = 0; i < 10_000; i++) codes.add(randomCode('RD'))
    expect(codes.size).toBe(10_000)
  })
})

describe('requestHash', () => {
  it('is a SHA-256 hex digest, stable across calls', () => {
    const h = requestHash({ voucher: 'COFFEE' })
    expect(h).toMatch(/^[0-9a-f]{64}$/)
    expect(requestHash({ voucher: 'COFFEE' })).toBe(h)
  })

  it('does not depend on key order', () => {
    expect(requestHash({ a: 1, b: 2, c: 3 })).toBe(requestHash({ c: 3, a: 1, b: 2 }))
  })

  it('does not depend on key order in nested objects, including objects inside arrays', () => {
    const one = { member: 7, meta: { z: [{ y: 1, x: 2 }], a: { d: true, c: null } }, voucher: 'X' }
    const two = { voucher: 'X', meta: { a: { c: null, d: true }, z: [{ x: 2, y: 1 }] }, member: 7 }
    expect(requestHash(one)).toBe(requestHash(two))
  })

  it('differs for different bodies', () => {
    const bodies: unknown[] = [
      { voucher: 'COFFEE' },
      { voucher: 'coffee' },
      { voucher: 'WELCOME5' },
      { voucher: 1 },
      { voucher: '1' },
      { voucher: true },
      { voucher: null },
      { voucher: [] },
      { voucher: {} },
      { voucher: ['COFFEE'] },
      { voucher: 'COFFEE', member: 1 },
      { voucher: 'COFFEE', member: 2 },
      { Voucher: 'COFFEE' },
      { nested: { a: 1 } },
      { nested: { a: 2 } },
      { nested: { b: 1 } },
      { nested: { a: { b: 1 } } },
      { nested: '{"a":1}' },
      [1, 2],
      [2, 1],
      [[1], 2],
      [1, [2]],
      {},
      [],
      null,
      0,
      '',
      'null',
    ]
    const hashes = bodies.map(requestHash)
    expect(new Set(hashes).size).toBe(bodies.length)
  })

  it('keeps array order significant', () => {
    expect(requestHash({ items: [1, 2, 3] })).not.toBe(requestHash({ items: [3, 2, 1] }))
    expect(requestHash({ items: [{ a: 1 }, { a: 2 }] })).not.toBe(requestHash({ items: [{ a: 2 }, { a: 1 }] }))
  })

  it('cannot be fooled by keys or strings that contain JSON syntax', () => {
    expect(requestHash({ 'a":1,"b': 2 })).not.toBe(requestHash({ a: 1, b: 2 }))
    expect(requestHash({ a: '1,"b":2' })).not.toBe(requestHash({ a: '1', b: 2 }))
  })

  it('treats a missing key and an undefined value alike, as JSON does', () => {
    expect(requestHash({ a: 1, b: undefined })).toBe(requestHash({ a: 1 }))
    expect(requestHash({ a: 1, b: null })).not.toBe(requestHash({ a: 1 }))
  })

  it('hashes a body the same as its JSON round trip', () => {
    const body = { voucher: 'COFFEE', qty: 2, opts: { gift: false, note: 'ünïcødé ✓' }, tags: ['a', 'b'] }
    expect(requestHash(JSON.parse(JSON.stringify(body)))).toBe(requestHash(body))
  })
})
