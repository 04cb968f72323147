import { describe, expect, it } from 'vitest'
import {
  hasAtMostFourDecimals,
  DEFAULT_RULES,
  isValidPointsAmount,
  meetsMinTier,
  multiplierFor,
  pointsEarned,
  pointsExpiry,
  pointsToExpire,
  sortTiers,
  tierFor,
  tierMeasure,
  tierRank,
  type Tier,
} from '../../src/domain/loyalty'

const TIERS: Tier[] = DEFAULT_RULES.tiers // Bronze 0 ×1, Silver 1000 ×1.25, Gold 5000 ×1.5, Platinum 20000 ×2
const SHUFFLED: Tier[] = [TIERS[2], TIERS[0], TIERS[3], TIERS[1]]

describe('DEFAULT_RULES', () => {
  it('has the default tiers of the loyalty global', () => {
    expect(TIERS.map((t) => [t.name, t.threshold, t.multiplier])).toEqual([
      ['Bronze', 0, 1],
      ['Silver', 1000, 1.25],
      ['Gold', 5000, 1.5],
      ['Platinum', 20000, 2],
    ])
    expect(DEFAULT_RULES.tierBasis).toBe('lifetime_points')
    expect(DEFAULT_RULES.pointsExpiryDays).toBe(365)
  })
})

describe('sortTiers', () => {
  it('orders by threshold without changing the input', () => {
    const input = [...SHUFFLED]
    expect(sortTiers(input).map((t) => t.name)).toEqual(['Bronze', 'Silver', 'Gold', 'Platinum'])
    expect(input).toEqual(SHUFFLED)
  })

  it('keeps the given order of tiers with equal thresholds', () => {
    const tied: Tier[] = [
      { name: 'B', threshold: 10, multiplier: 1 },
      { name: 'A', threshold: 10, multiplier: 1 },
      { name: 'Z', threshold: 0, multiplier: 1 },
    ]
    expect(sortTiers(tied).map((t) => t.name)).toEqual(['Z', 'B', 'A'])
  })
})

describe('tierFor', () => {
  it.each([
    [0, 'Bronze'],
    [1, 'Bronze'],
    [999, 'Bronze'],
    [1000, 'Silver'], // threshold met exactly counts
    [1001, 'Silver'],
    [4999, 'Silver'],
    [5000, 'Gold'],
    [19_999, 'Gold'],
    [20_000, 'Platinum'],
    [10_000_000, 'Platinum'],
  ])('measure %i → %s', (measure, tier) => {
    expect(tierFor(measure, TIERS)).toBe(tier)
  })

  it('gives the same answer whatever order the tiers are configured in', () => {
    for (const measure of [0, 999, 1000, 4999, 5000, 19_999, 20_000]) {
      expect(tierFor(measure, SHUFFLED)).toBe(tierFor(measure, TIERS))
    }
    expect(tierFor(5000, [...TIERS].reverse())).toBe('Gold')
  })

  it('gives the lowest tier below every threshold, even when the lowest is above zero', () => {
    const tiers: Tier[] = [
      { name: 'Gold', threshold: 5000, multiplier: 1.5 },
      { name: 'Entry', threshold: 100, multiplier: 1 },
    ]
    expect(tierFor(99, tiers)).toBe('Entry')
    expect(tierFor(0, tiers)).toBe('Entry')
    expect(tierFor(-50, tiers)).toBe('Entry')
    expect(tierFor(100, tiers)).toBe('Entry')
    expect(tierFor(5000, tiers)).toBe('Gold')
  })

  it('returns null without tiers', () => {
    expect(tierFor(0, [])).toBeNull()
    expect(tierFor(1_000_000, [])).toBeNull()
  })

  it('with a single tier, always gives it', () => {
    const one: Tier[] = [{ name: 'Only', threshold: 500, multiplier: 1 }]
    expect(tierFor(0, one)).toBe('Only')
    expect(tierFor(10_000, one)).toBe('Only')
  })

  it('with tied thresholds, picks the one configured last (deterministically)', () => {
    const tied: Tier[] = [
      { name: 'Bronze', threshold: 0, multiplier: 1 },
      { name: 'Silver', threshold: 1000, multiplier: 1.25 },
      { name: 'Silver+', threshold: 1000, multiplier: 1.3 },
    ]
    expect(tierFor(999, tied)).toBe('Bronze')
    expect(tierFor(1000, tied)).toBe('Silver+')
    const swapped = [tied[0], tied[2], tied[1]]
    expect(tierFor(1000, swapped)).toBe('Silver')
  })
})

describe('tierMeasure', () => {
  const highPointsLowSpend = { lifetimePoints: 25_000, rollingSpend: 50_000 } // 500.00 spent in the last 12 months

  it('uses lifetime points under lifetime_points', () => {
    expect(tierMeasure('lifetime_points', highPointsLowSpend)).toBe(25_000)
  })

  it('uses rolling 12-month spend (minor units) under rolling_spend', () => {
    expect(tierMeasure('rolling_spend', highPointsLowSpend)).toBe(50_000)
  })

  it('downgrades a member with high lifetime points but low recent spend under rolling_spend', () => {
    const spendTiers: Tier[] = [
      { name: 'Bronze', threshold: 0, multiplier: 1 },
      { name: 'Silver', threshold: 100_000, multiplier: 1.25 }, // 1 000.00
      { name: 'Gold', threshold: 500_000, multiplier: 1.5 },
      { name: 'Platinum', threshold: 2_000_000, multiplier: 2 },
    ]
    expect(tierFor(tierMeasure('lifetime_points', highPointsLowSpend), TIERS)).toBe('Platinum')
    expect(tierFor(tierMeasure('rolling_spend', highPointsLowSpend), spendTiers)).toBe('Bronze')
    // The same member with recent spend exactly at the Gold threshold.
    expect(tierFor(tierMeasure('rolling_spend', { lifetimePoints: 0, rollingSpend: 500_000 }), spendTiers)).toBe('Gold')
    // Under lifetime points, no spend at all does not downgrade.
    expect(tierFor(tierMeasure('lifetime_points', { lifetimePoints: 5000, rollingSpend: 0 }), TIERS)).toBe('Gold')
  })
})

describe('tierRank', () => {
  it('ranks tiers from lowest (0) to highest, whatever the configured order', () => {
    expect(['Bronze', 'Silver', 'Gold', 'Platinum'].map((n) => tierRank(n, SHUFFLED))).toEqual([0, 1, 2, 3])
  })

  it('ranks unknown, empty, null and undefined names at -1', () => {
    expect(tierRank('Diamond', TIERS)).toBe(-1)
    expect(tierRank('gold', TIERS)).toBe(-1) // names are case-sensitive
    expect(tierRank('', TIERS)).toBe(-1)
    expect(tierRank(null, TIERS)).toBe(-1)
    expect(tierRank(undefined, TIERS)).toBe(-1)
    expect(tierRank('Gold', [])).toBe(-1)
  })
})

describe('meetsMinTier', () => {
  it('is always met without a minimum', () => {
    expect(meetsMinTier('Bronze', null, TIERS)).toBe(true)
    expect(meetsMinTier('Bronze', undefined, TIERS)).toBe(true)
    expect(meetsMinTier('Bronze', '', TIERS)).toBe(true)
    expect(meetsMinTier(null, null, TIERS)).toBe(true)
    expect(meetsMinTier('Unknown', null, [])).toBe(true)
  })

  it('is met at and above the minimum, not below', () => {
    expect(meetsMinTier('Silver', 'Gold', SHUFFLED)).toBe(false)
    expect(meetsMinTier('Bronze', 'Gold', SHUFFLED)).toBe(false)
    expect(meetsMinTier('Gold', 'Gold', SHUFFLED)).toBe(true)
    expect(meetsMinTier('Platinum', 'Gold', SHUFFLED)).toBe(true)
    expect(meetsMinTier('Bronze', 'Bronze', SHUFFLED)).toBe(true)
  })

  it('cannot be met when the minimum names no configured tier', () => {
    expect(meetsMinTier('Platinum', 'Diamond', TIERS)).toBe(false)
    expect(meetsMinTier('Diamond', 'Diamond', TIERS)).toBe(false)
    expect(meetsMinTier(null, 'Diamond', TIERS)).toBe(false)
    expect(meetsMinTier('Gold', 'Gold', [])).toBe(false)
  })

  it('is not met by a member without a tier or with an unknown tier', () => {
    expect(meetsMinTier(null, 'Bronze', TIERS)).toBe(false)
    expect(meetsMinTier(undefined, 'Bronze', TIERS)).toBe(false)
    expect(meetsMinTier('Diamond', 'Bronze', TIERS)).toBe(false)
  })
})

describe('multiplierFor', () => {
  it("gives the member's tier multiplier", () => {
    expect(multiplierFor('Bronze', SHUFFLED)).toBe(1)
    expect(multiplierFor('Silver', SHUFFLED)).toBe(1.25)
    expect(multiplierFor('Gold', SHUFFLED)).toBe(1.5)
    expect(multiplierFor('Platinum', SHUFFLED)).toBe(2)
  })

  it('gives 1 for an unknown, missing or case-mismatched tier', () => {
    expect(multiplierFor('Diamond', TIERS)).toBe(1)
    expect(multiplierFor('gold', TIERS)).toBe(1)
    expect(multiplierFor(null, TIERS)).toBe(1)
    expect(multiplierFor(undefined, TIERS)).toBe(1)
    expect(multiplierFor('Gold', [])).toBe(1)
  })

  it('keeps a configured multiplier below 1 or of 0', () => {
    expect(multiplierFor('Probation', [{ name: 'Probation', threshold: 0, multiplier: 0.5 }])).toBe(0.5)
    expect(multiplierFor('Frozen', [{ name: 'Frozen', threshold: 0, multiplier: 0 }])).toBe(0)
  })
})

describe('pointsEarned', () => {
  it('gives rate × multiplier points per whole currency unit', () => {
    expect(pointsEarned(100, 1, 1)).toBe(1)
    expect(pointsEarned(10_000, 1, 1)).toBe(100)
    expect(pointsEarned(10_000, 1, 1.25)).toBe(125)
    expect(pointsEarned(10_000, 1, 1.5)).toBe(150)
    expect(pointsEarned(10_000, 1, 2)).toBe(200)
    expect(pointsEarned(10_000, 2, 1.5)).toBe(300)
    expect(pointsEarned(10_000, 0.5, 1)).toBe(50)
  })

  it('rounds down, never over-granting', () => {
    expect(pointsEarned(99, 1, 1)).toBe(0) // 0.99 → 0
    expect(pointsEarned(199, 1, 1)).toBe(1)
    expect(pointsEarned(999, 1, 1.25)).toBe(12) // 12.4875
    expect(pointsEarned(1999, 1, 1.5)).toBe(29) // 29.985
    expect(pointsEarned(101, 1, 1.5)).toBe(1) // 1.515
    expect(pointsEarned(300, 1, 1.1)).toBe(3) // 3.3
    expect(pointsEarned(100, 1, 1.999)).toBe(1)
  })

  it('rounds once, on the exact product (cents count towards the product)', () => {
    // 1.99 × 2 = 3.98 → 3 (not floor(1.99) × 2 = 2, nor round(3.98) = 4).
    expect(pointsEarned(199, 1, 2)).toBe(3)
    expect(pointsEarned(150, 1, 2)).toBe(3)
  })

  it('does not drift with binary floating point', () => {
    // In floats 1.1 × 3 = 3.3000000000000003 and 0.57 × 100 = 56.99999999999999.
    expect(pointsEarned(1000, 1.1, 3)).toBe(33) // 10 × 1.1 × 3 = 33 exactly
    expect(pointsEarned(10_000, 0.57, 1)).toBe(57) // naive floor gives 56
    expect(pointsEarned(10_000, 1, 1.15)).toBe(115) // naive: 114.99999999999999
    expect(pointsEarned(10_000, 1, 0.29)).toBe(29) // naive: 28.999999999999996
    expect(pointsEarned(100, 0.1 + 0.2, 10)).toBe(3) // 0.30000000000000004 × 10
    expect(pointsEarned(300, 1.1, 1)).toBe(3)
    expect(pointsEarned(3000, 1.1, 1)).toBe(33)
    // Check a sweep against exact integer arithmetic.
    for (let cents = 0; cents <= 2000; cents += 7) {
      expect(pointsEarned(cents, 1, 1.1)).toBe(Math.floor((cents * 11) / 1000))
      expect(pointsEarned(cents, 1, 1.25)).toBe(Math.floor((cents * 125) / 10_000))
    }
  })

  it('is exact for large amounts', () => {
    expect(pointsEarned(100_000_000_000, 1, 1)).toBe(1_000_000_000) // 1 000 000 000.00
    expect(pointsEarned(123_456_789_01, 1, 1.5)).toBe(185_185_183)
    // Beyond what float multiplication keeps exact: 2^53 − 1 cents × 1 × 2.
    expect(pointsEarned(Number.MAX_SAFE_INTEGER, 1, 2)).toBe(Number((BigInt(Number.MAX_SAFE_INTEGER) * 2n) / 100n))
  })

  it('ignores a fraction of a cent', () => {
    expect(pointsEarned(199.9, 1, 1)).toBe(1)
    expect(pointsEarned(0.5, 1000, 1)).toBe(0)
  })

  it.each([
    ['zero', 0],
    ['negative', -10_000],
    ['negative zero', -0],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('earns nothing for a %s amount', (_label, amount) => {
    expect(pointsEarned(amount, 1, 2)).toBe(0)
  })

  it('earns nothing at a zero rate or multiplier', () => {
    expect(pointsEarned(10_000, 0, 2)).toBe(0)
    expect(pointsEarned(10_000, 1, 0)).toBe(0)
  })

  it('always returns a whole number', () => {
    for (const [a, r, m] of [
      [12_345, 1.3, 1.7],
      [1, 0.01, 1.25],
      [987_654, 3.33, 1.11],
    ]) {
      expect(Number.isInteger(pointsEarned(a, r, m))).toBe(true)
    }
  })
})

describe('pointsExpiry', () => {
  const earned = new Date('2026-03-28T12:00:00.000Z')

  it('adds whole 24-hour days', () => {
    expect(pointsExpiry(earned, 365)?.toISOString()).toBe('2027-03-28T12:00:00.000Z')
    expect(pointsExpiry(earned, 1)?.toISOString()).toBe('2026-03-29T12:00:00.000Z')
    expect(pointsExpiry(new Date('2024-01-01T00:00:00Z'), 366)?.toISOString()).toBe('2025-01-01T00:00:00.000Z') // leap year
  })

  it('never expires with 0 days (or a negative or missing setting)', () => {
    expect(pointsExpiry(earned, 0)).toBeNull()
    expect(pointsExpiry(earned, -30)).toBeNull()
    expect(pointsExpiry(earned, Number.NaN)).toBeNull()
  })

  it('does not change the date passed in', () => {
    const d = new Date(earned)
    pointsExpiry(d, 30)
    expect(d.getTime()).toBe(earned.getTime())
  })
})

describe('pointsToExpire (FIFO)', () => {
  it('expires all of the expired lots when nothing was spent', () => {
    expect(pointsToExpire(500, 0)).toBe(500)
  })

  it('expires nothing when debits fully consumed the expired lots', () => {
    expect(pointsToExpire(500, 500)).toBe(0)
    expect(pointsToExpire(500, 800)).toBe(0) // debits also reached into lots that have not expired
  })

  it('expires what is left of a partially consumed lot', () => {
    expect(pointsToExpire(500, 120)).toBe(380)
    expect(pointsToExpire(500, 499)).toBe(1)
  })

  it('expires nothing when no lot has expired', () => {
    expect(pointsToExpire(0, 0)).toBe(0)
    expect(pointsToExpire(0, 300)).toBe(0)
  })

  it('is idempotent: an expiry entry counts as a debit, so a rerun expires nothing more', () => {
    const expiredLots = 1000
    const debits = 250
    const first = pointsToExpire(expiredLots, debits)
    expect(first).toBe(750)
    expect(pointsToExpire(expiredLots, debits + first)).toBe(0)
    // A later lot expiring adds only its own unspent points.
    expect(pointsToExpire(expiredLots + 400, debits + first)).toBe(400)
  })
})

describe('isValidPointsAmount', () => {
  it.each([1, -1, 100, -250, 100_000_000, -100_000_000])('accepts %d', (n) => {
    expect(isValidPointsAmount(n)).toBe(true)
  })

  it.each([
    ['zero', 0],
    ['negative zero', -0],
    ['a fraction', 1.5],
    ['a tiny fraction', 0.0001],
    ['above the bound', 100_000_001],
    ['below the bound', -100_000_001],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '10'],
    ['null', null],
    ['undefined', undefined],
    ['a bigint', 10n],
    ['a boxed number', Object(10)],
    ['an array', [10]],
  ])('rejects %s', (_label, value) => {
    expect(isValidPointsAmount(value)).toBe(false)
  })
})

describe('pointsEarned never over-grants on settings with a fifth decimal', () => {
  it('rounds the rate and multiplier down, not to nearest', () => {
    expect(pointsEarned(10_000, 1, 1.99999)).toBe(199)
    expect(pointsEarned(100_000_000, 1.00005, 1)).toBe(1_000_000)
    expect(pointsEarned(10_000, 0.57, 1)).toBe(57)
  })

  it('hasAtMostFourDecimals guards the settings', () => {
    expect(hasAtMostFourDecimals(1.25)).toBe(true)
    expect(hasAtMostFourDecimals(0.0001)).toBe(true)
    expect(hasAtMostFourDecimals(0.57)).toBe(true)
    expect(hasAtMostFourDecimals(1.99999)).toBe(false)
  })
})
