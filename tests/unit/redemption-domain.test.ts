import { describe, expect, it } from 'vitest'
import { DEFAULT_RULES } from '../../src/domain/loyalty'
import {
  canMoveRedemption,
  checkRedemption,
  redemptionExpiry,
  REFUSAL_MESSAGES,
  type RedeemCheckInput,
  type RedemptionRefusal,
  type RedemptionStatus,
} from '../../src/domain/redemption'

const NOW = new Date('2026-06-15T12:00:00.000Z')
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta)

/** A redemption that passes every rule; each test breaks one or more. */
function ok(overrides: {
  now?: Date
  member?: Partial<RedeemCheckInput['member']>
  voucher?: Partial<RedeemCheckInput['voucher']>
  memberRedemptionsOfVoucher?: number
} = {}): RedeemCheckInput {
  return {
    now: overrides.now ?? NOW,
    member: { status: 'active', tier: 'Silver', pointsBalance: 1000, ...overrides.member },
    voucher: {
      status: 'active',
      pointsCost: 500,
      stock: 10,
      perMemberLimit: null,
      minTier: null,
      validFrom: new Date('2026-01-01T00:00:00.000Z'),
      validTo: new Date('2026-12-31T23:59:59.999Z'),
      ...overrides.voucher,
    },
    memberRedemptionsOfVoucher: overrides.memberRedemptionsOfVoucher ?? 0,
    tiers: DEFAULT_RULES.tiers,
  }
}

describe('checkRedemption', () => {
  it('allows a redemption that meets every rule', () => {
    expect(checkRedemption(ok())).toBeNull()
  })

  describe('each refusal on its own', () => {
    it.each<[string, Parameters<typeof ok>[0], RedemptionRefusal]>([
      ['a blocked member', { member: { status: 'blocked' } }, 'MEMBER_INACTIVE'],
      ['an inactive member', { member: { status: 'inactive' } }, 'MEMBER_INACTIVE'],
      ['a member pending verification', { member: { status: 'pending_verification' } }, 'MEMBER_INACTIVE'],
      ['an inactive voucher', { voucher: { status: 'inactive' } }, 'VOUCHER_INACTIVE'],
      ['a voucher not valid yet', { voucher: { validFrom: ms(NOW, 1) } }, 'VOUCHER_INACTIVE'],
      ['a voucher past its validity', { voucher: { validTo: ms(NOW, -1) } }, 'VOUCHER_EXPIRED'],
      ['no stock', { voucher: { stock: 0 } }, 'OUT_OF_STOCK'],
      ['negative stock', { voucher: { stock: -1 } }, 'OUT_OF_STOCK'],
      ['a tier below the minimum', { voucher: { minTier: 'Gold' } }, 'TIER_TOO_LOW'],
      ['a minimum naming no tier', { voucher: { minTier: 'Diamond' } }, 'TIER_TOO_LOW'],
      ['a member without a tier and a minimum', { member: { tier: null }, voucher: { minTier: 'Bronze' } }, 'TIER_TOO_LOW'],
      ['the per-member limit reached', { voucher: { perMemberLimit: 2 }, memberRedemptionsOfVoucher: 2 }, 'LIMIT_REACHED'],
      ['the per-member limit exceeded', { voucher: { perMemberLimit: 1 }, memberRedemptionsOfVoucher: 3 }, 'LIMIT_REACHED'],
      ['one point short', { member: { pointsBalance: 499 } }, 'INSUFFICIENT_POINTS'],
      ['no points', { member: { pointsBalance: 0 } }, 'INSUFFICIENT_POINTS'],
    ])('refuses %s', (_label, overrides, refusal) => {
      expect(checkRedemption(ok(overrides))).toBe(refusal)
    })
  })

  describe('order of precedence', () => {
    // Everything wrong at once, then fix the first reason each time: the next one shows.
    const allWrong = {
      member: { status: 'blocked', tier: 'Bronze', pointsBalance: 0 },
      voucher: { status: 'inactive', validFrom: ms(NOW, 1), validTo: ms(NOW, -1), stock: 0, minTier: 'Gold', perMemberLimit: 1 },
      memberRedemptionsOfVoucher: 1,
    }
    const steps: Array<[RedemptionRefusal | null, (o: typeof allWrong) => void]> = [
      ['MEMBER_INACTIVE', (o) => (o.member.status = 'active')],
      ['VOUCHER_INACTIVE', (o) => (o.voucher.status = 'active')],
      ['VOUCHER_INACTIVE', (o) => (o.voucher.validFrom = ms(NOW, -1))], // not valid yet also reads as inactive
      ['VOUCHER_EXPIRED', (o) => (o.voucher.validTo = ms(NOW, 1))],
      ['OUT_OF_STOCK', (o) => (o.voucher.stock = 1)],
      ['TIER_TOO_LOW', (o) => (o.member.tier = 'Gold')],
      ['LIMIT_REACHED', (o) => (o.memberRedemptionsOfVoucher = 0)],
      ['INSUFFICIENT_POINTS', (o) => (o.member.pointsBalance = 500)],
      [null, () => {}],
    ]

    it('reports the first broken rule, in the fixed order', () => {
      const o = structuredClone(allWrong)
      const seen: Array<RedemptionRefusal | null> = []
      for (const [expected, fix] of steps) {
        const got = checkRedemption(ok(o))
        seen.push(got)
        expect(got).toBe(expected)
        fix(o)
      }
      expect(seen).toEqual(steps.map(([e]) => e))
    })

    it('puts an inactive member before everything about the voucher', () => {
      expect(checkRedemption(ok({ member: { status: 'inactive', pointsBalance: 0 }, voucher: { status: 'inactive', stock: 0 } }))).toBe(
        'MEMBER_INACTIVE',
      )
    })

    it('puts an expired voucher before out of stock, and stock before the tier', () => {
      expect(checkRedemption(ok({ voucher: { validTo: ms(NOW, -1), stock: 0 } }))).toBe('VOUCHER_EXPIRED')
      expect(checkRedemption(ok({ voucher: { stock: 0, minTier: 'Platinum' } }))).toBe('OUT_OF_STOCK')
    })

    it('puts the tier before the limit, and the limit before the points', () => {
      expect(checkRedemption(ok({ voucher: { minTier: 'Platinum', perMemberLimit: 1 }, memberRedemptionsOfVoucher: 1 }))).toBe('TIER_TOO_LOW')
      expect(checkRedemption(ok({ voucher: { perMemberLimit: 1 }, memberRedemptionsOfVoucher: 1, member: { pointsBalance: 0 } }))).toBe(
        'LIMIT_REACHED',
      )
    })
  })

  describe('validity window', () => {
    it('is open exactly at validFrom and closed one millisecond before', () => {
      const validFrom = new Date('2026-06-01T00:00:00.000Z')
      expect(checkRedemption(ok({ now: validFrom, voucher: { validFrom } }))).toBeNull()
      expect(checkRedemption(ok({ now: ms(validFrom, -1), voucher: { validFrom } }))).toBe('VOUCHER_INACTIVE')
    })

    it('is open exactly at validTo and expired one millisecond after', () => {
      const validTo = new Date('2026-06-30T23:59:59.999Z')
      expect(checkRedemption(ok({ now: validTo, voucher: { validTo } }))).toBeNull()
      expect(checkRedemption(ok({ now: ms(validTo, 1), voucher: { validTo } }))).toBe('VOUCHER_EXPIRED')
    })

    it('accepts a one-instant window', () => {
      expect(checkRedemption(ok({ voucher: { validFrom: NOW, validTo: new Date(NOW) } }))).toBeNull()
    })

    it('has no bound where a date is missing', () => {
      expect(checkRedemption(ok({ now: new Date('1990-01-01'), voucher: { validFrom: null, validTo: null } }))).toBeNull()
      expect(checkRedemption(ok({ now: new Date('2999-01-01'), voucher: { validTo: null } }))).toBeNull()
      expect(checkRedemption(ok({ now: new Date('1990-01-01'), voucher: { validFrom: null } }))).toBeNull()
    })
  })

  describe('per-member limit', () => {
    it('is unlimited when null, however many redemptions count', () => {
      expect(checkRedemption(ok({ voucher: { perMemberLimit: null }, memberRedemptionsOfVoucher: 1000 }))).toBeNull()
    })

    it('allows up to the limit, then refuses', () => {
      expect(checkRedemption(ok({ voucher: { perMemberLimit: 3 }, memberRedemptionsOfVoucher: 0 }))).toBeNull()
      expect(checkRedemption(ok({ voucher: { perMemberLimit: 3 }, memberRedemptionsOfVoucher: 2 }))).toBeNull()
      expect(checkRedemption(ok({ voucher: { perMemberLimit: 3 }, memberRedemptionsOfVoucher: 3 }))).toBe('LIMIT_REACHED')
      expect(checkRedemption(ok({ voucher: { perMemberLimit: 1 }, memberRedemptionsOfVoucher: 1 }))).toBe('LIMIT_REACHED')
    })
  })

  describe('minimum tier', () => {
    it('allows the minimum tier itself and above', () => {
      expect(checkRedemption(ok({ member: { tier: 'Gold' }, voucher: { minTier: 'Gold' } }))).toBeNull()
      expect(checkRedemption(ok({ member: { tier: 'Platinum' }, voucher: { minTier: 'Gold' } }))).toBeNull()
      expect(checkRedemption(ok({ member: { tier: 'Silver' }, voucher: { minTier: 'Gold' } }))).toBe('TIER_TOO_LOW')
    })

    it('applies no minimum when minTier is empty', () => {
      expect(checkRedemption(ok({ member: { tier: null }, voucher: { minTier: null } }))).toBeNull()
      expect(checkRedemption(ok({ member: { tier: null }, voucher: { minTier: '' } }))).toBeNull()
    })
  })

  describe('points', () => {
    it('allows a balance exactly equal to the cost', () => {
      expect(checkRedemption(ok({ member: { pointsBalance: 500 } }))).toBeNull()
    })
  })

  it('has a message for every refusal', () => {
    const refusals: RedemptionRefusal[] = [
      'MEMBER_INACTIVE',
      'VOUCHER_INACTIVE',
      'VOUCHER_EXPIRED',
      'OUT_OF_STOCK',
      'TIER_TOO_LOW',
      'LIMIT_REACHED',
      'INSUFFICIENT_POINTS',
    ]
    expect(Object.keys(REFUSAL_MESSAGES).sort()).toEqual([...refusals].sort())
    for (const r of refusals) expect(REFUSAL_MESSAGES[r]).toMatch(/\S/)
  })
})

describe('canMoveRedemption', () => {
  const STATUSES: RedemptionStatus[] = ['pending', 'used', 'expired', 'cancelled']
  const ALLOWED = new Set(['pending→used', 'pending→expired', 'pending→cancelled'])
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const))

  it.each(pairs)('%s → %s', (from, to) => {
    expect(canMoveRedemption(from, to)).toBe(ALLOWED.has(`${from}→${to}`))
  })

  it('allows exactly three moves, all out of pending', () => {
    expect(pairs.filter(([f, t]) => canMoveRedemption(f, t))).toEqual([
      ['pending', 'used'],
      ['pending', 'expired'],
      ['pending', 'cancelled'],
    ])
  })
})

describe('redemptionExpiry', () => {
  it('adds the validity in whole days', () => {
    expect(redemptionExpiry(NOW, 30)?.toISOString()).toBe('2026-07-15T12:00:00.000Z')
    expect(redemptionExpiry(NOW, 1)?.toISOString()).toBe('2026-06-16T12:00:00.000Z')
  })

  it('never expires with 0 (or negative) days', () => {
    expect(redemptionExpiry(NOW, 0)).toBeNull()
    expect(redemptionExpiry(NOW, -5)).toBeNull()
  })
})
