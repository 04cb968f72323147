import type { Payload, PayloadRequest } from 'payload'
import { DEFAULT_RULES, type LoyaltyRules, type TierBasis } from '../../domain/loyalty'

/** The loyalty rules from the `loyalty` global, with defaults for anything unset. */
export async function loadRules(payload: Payload, req?: Partial<PayloadRequest>): Promise<LoyaltyRules> {
  const g = (await payload.findGlobal({ slug: 'loyalty', depth: 0, req, overrideAccess: true })) as Partial<{
    pointsPerCurrencyUnit: number | null
    tiers: Array<{ name: string; threshold: number; multiplier: number }> | null
    tierBasis: TierBasis | null
    pointsExpiryDays: number | null
    signupBonus: number | null
    redemptionValidityDays: number | null
    returnPointsOnRedemptionExpiry: boolean | null
  }>
  return {
    pointsPerCurrencyUnit: g.pointsPerCurrencyUnit ?? DEFAULT_RULES.pointsPerCurrencyUnit,
    tiers: g.tiers?.length ? g.tiers.map(({ name, threshold, multiplier }) => ({ name, threshold, multiplier })) : DEFAULT_RULES.tiers,
    tierBasis: g.tierBasis ?? DEFAULT_RULES.tierBasis,
    pointsExpiryDays: g.pointsExpiryDays ?? DEFAULT_RULES.pointsExpiryDays,
    signupBonus: g.signupBonus ?? DEFAULT_RULES.signupBonus,
    redemptionValidityDays: g.redemptionValidityDays ?? DEFAULT_RULES.redemptionValidityDays,
    returnPointsOnRedemptionExpiry: g.returnPointsOnRedemptionExpiry ?? DEFAULT_RULES.returnPointsOnRedemptionExpiry,
  }
}
