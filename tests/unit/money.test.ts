import { describe, expect, it } from 'vitest'
import { formatMoney, isMinorUnits, lineTotal, percentOf, sum } from '../../src/domain/money'

describe('percentOf', () => {
  it('rounds half away from zero to whole minor units', () => {
    expect(percentOf(1000, 7.5)).toBe(75)
    expect(percentOf(1, 50)).toBe(1) // 0.5 → 1
    expect(percentOf(3, 50)).toBe(2) // 1.5 → 2
    expect(percentOf(1, 49.99)).toBe(0)
    expect(percentOf(333, 33.3333)).toBe(111)
  })

  it('has no floating-point drift', () => {
    // 0.1 + 0.2 style traps: 19.99 × 3 at 8.25% tax
    expect(percentOf(5997, 8.25)).toBe(495) // 494.7525 → 495
    expect(percentOf(10, 0.1)).toBe(0)
    expect(percentOf(1_000_000_000_000, 12.3456)).toBe(123_456_000_000)
  })

  it('handles zero and refuses negative or non-finite rates', () => {
    expect(percentOf(0, 20)).toBe(0)
    expect(percentOf(5000, 0)).toBe(0)
    expect(() => percentOf(100, -1)).toThrow(RangeError)
    expect(() => percentOf(100, Number.NaN)).toThrow(RangeError)
  })
})

describe('lineTotal and sum', () => {
  it('multiplies exactly and refuses bad input', () => {
    expect(lineTotal(1999, 3)).toBe(5997)
    expect(() => lineTotal(19.99, 3)).toThrow(RangeError)
    expect(() => lineTotal(100, 0)).toThrow(RangeError)
    expect(() => lineTotal(100, -2)).toThrow(RangeError)
    expect(() => lineTotal(100, 1.5)).toThrow(RangeError)
    expect(() => lineTotal(-1, 1)).toThrow(RangeError)
    expect(() => lineTotal(Number.MAX_SAFE_INTEGER, 2)).toThrow(/too large/)
  })

  it('sums and refuses overflow', () => {
    expect(sum([1, 2, 3])).toBe(6)
    expect(sum([])).toBe(0)
    expect(() => sum([Number.MAX_SAFE_INTEGER, 1])).toThrow(/too large/)
  })
})

describe('isMinorUnits and formatMoney', () => {
  it('accepts whole non-negative safe numbers only', () => {
    expect(isMinorUnits(0)).toBe(true)
    expect(isMinorUnits(1999)).toBe(true)
    expect(isMinorUnits(19.99)).toBe(false)
    expect(isMinorUnits(-1)).toBe(false)
    expect(isMinorUnits('100')).toBe(false)
    expect(isMinorUnits(Number.MAX_SAFE_INTEGER + 1)).toBe(false)
  })

  it('formats for people', () => {
    expect(formatMoney(123456, 'USD')).toBe('$1,234.56')
    expect(formatMoney(5, 'EUR', 'en-US')).toBe('€0.05')
  })
})
