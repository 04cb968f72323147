import type { GlobalConfig } from 'payload'
import { anyone } from '../access/anyone'
import { isAdmin } from '../access/isAdmin'
import { DEFAULT_RULES, hasAtMostFourDecimals } from '../../src/domain/loyalty'

const fourDecimals = (value: number | null | undefined) =>
  value == null || hasAtMostFourDecimals(value) || 'Use at most four decimal places'

/** Loyalty rules (SPEC §2): earn rate, tiers, expiry, bonuses. Read by the pure rules in src/domain/loyalty.ts. */
export const Loyalty: GlobalConfig = {
  slug: 'loyalty',
  admin: { group: 'Loyalty' },
  access: { read: anyone, update: isAdmin },
  fields: [
    { name: 'pointsPerCurrencyUnit', type: 'number', required: true, min: 0, validate: fourDecimals, defaultValue: DEFAULT_RULES.pointsPerCurrencyUnit, admin: { description: 'Points per 1.00 of currency spent' } },
    {
      name: 'tiers',
      type: 'array',
      minRows: 1,
      defaultValue: DEFAULT_RULES.tiers,
      fields: [
        {
          type: 'row',
          fields: [
            { name: 'name', type: 'text', required: true },
            { name: 'threshold', type: 'number', required: true, min: 0, admin: { description: 'Lifetime points, or 12-month spend in minor units' } },
            { name: 'multiplier', type: 'number', required: true, min: 0, defaultValue: 1, validate: fourDecimals },
          ],
        },
      ],
    },
    {
      name: 'tierBasis',
      type: 'select',
      required: true,
      defaultValue: DEFAULT_RULES.tierBasis,
      options: [
        { value: 'lifetime_points', label: 'Lifetime points' },
        { value: 'rolling_spend', label: 'Spend over the last 12 months' },
      ],
    },
    { name: 'pointsExpiryDays', type: 'number', required: true, min: 0, defaultValue: DEFAULT_RULES.pointsExpiryDays, admin: { description: '0: points never expire' } },
    { name: 'signupBonus', type: 'number', required: true, min: 0, defaultValue: DEFAULT_RULES.signupBonus },
    { name: 'redemptionValidityDays', type: 'number', required: true, min: 0, defaultValue: DEFAULT_RULES.redemptionValidityDays, admin: { description: '0: redemptions never expire' } },
    { name: 'returnPointsOnRedemptionExpiry', type: 'checkbox', defaultValue: DEFAULT_RULES.returnPointsOnRedemptionExpiry },
  ],
}
