/**
 * Loyalty rules: earning, tiers, expiry. Pure functions, no Payload import.
 * Points are integers; money is integer minor units (cents).
 */

export type Tier = { name: string; threshold: number; multiplier: number }
export type TierBasis = 'lifetime_points' | 'rolling_spend'

export type LoyaltyRules = {
  /** Points earned per whole currency unit spent (e.g. 1 point per 1.00). */
  pointsPerCurrencyUnit: number
  tiers: Tier[]
  tierBasis: TierBasis
  /** 0: points never expire. */
  pointsExpiryDays: number
  signupBonus: number
  redemptionValidityDays: number
  returnPointsOnRedemptionExpiry: boolean
}

export const DEFAULT_RULES: LoyaltyRules = {
  pointsPerCurrencyUnit: 1,
  tiers: [
    { name: 'Bronze', threshold: 0, multiplier: 1 },
    { name: 'Silver', threshold: 1000, multiplier: 1.25 },
    { name: 'Gold', threshold: 5000, multiplier: 1.5 },
    { name: 'Platinum', threshold: 20000, multiplier: 2 },
  ],
  tierBasis: 'lifetime_points',
  pointsExpiryDays: 365,
  signupBonus: 100,
  redemptionValidityDays: 30,
  returnPointsOnRedemptionExpiry: false,
}

/** Tiers from lowest to highest threshold (ties keep their given order). */
export function sortTiers(tiers: Tier[]): Tier[] {
  return [...tiers].sort((a, b) => a.threshold - b.threshold)
}

/**
 * The tier a member qualifies for: the highest tier whose threshold the
 * measure meets or exceeds (a threshold met exactly counts). The measure is
 * lifetime points or rolling 12-month spend in minor units, per the basis.
 * Below every threshold: the lowest tier's name, or null without tiers.
 */
export function tierFor(measure: number, tiers: Tier[]): string | null {
  const sorted = sortTiers(tiers)
  if (sorted.length === 0) return null
  let current = sorted[0]
  for (const tier of sorted) if (measure >= tier.threshold) current = tier
  return current.name
}

/** The measure a tier is computed from, per the configured basis. */
export function tierMeasure(basis: TierBasis, m: { lifetimePoints: number; rollingSpend: number }): number {
  return basis === 'lifetime_points' ? m.lifetimePoints : m.rollingSpend
}

/** Position of a tier name in ascending order; -1 when unknown (ranks below every tier). */
export function tierRank(name: string | null | undefined, tiers: Tier[]): number {
  if (!name) return -1
  return sortTiers(tiers).findIndex((t) => t.name === name)
}

/** True when `tier` is at or above `minTier` (no minimum: always true). */
export function meetsMinTier(tier: string | null | undefined, minTier: string | null | undefined, tiers: Tier[]): boolean {
  if (!minTier) return true
  const need = tierRank(minTier, tiers)
  if (need < 0) return false // a minimum naming no configured tier cannot be met
  return tierRank(tier, tiers) >= need
}

/** Multiplier of the member's tier (1 when the tier is unknown). */
export function multiplierFor(tier: string | null | undefined, tiers: Tier[]): number {
  return tiers.find((t) => t.name === tier)?.multiplier ?? 1
}

/**
 * Points earned for spending `amountMinor` (cents): the amount in currency
 * units times the rate times the tier multiplier, rounded down once at the end
 * so that points are never over-granted. Rate and multiplier count to four
 * decimal places (the loyalty settings allow no more); the product is computed
 * in integers (ten-thousandths) to avoid float drift: 1.1 × 3 must be 3.3,
 * not 3.3000000000000003.
 */
export function pointsEarned(amountMinor: number, pointsPerCurrencyUnit: number, multiplier: number): number {
  if (!Number.isFinite(amountMinor) || amountMinor <= 0) return 0
  const rate = toTenThousandths(pointsPerCurrencyUnit)
  const mult = toTenThousandths(multiplier)
  // amountMinor/100 units × rate/1e4 × mult/1e4 = amountMinor × rate × mult / 1e10
  const numerator = BigInt(Math.trunc(amountMinor)) * BigInt(rate) * BigInt(mult)
  return Number(numerator / 10_000_000_000n)
}

/**
 * A non-negative decimal in ten-thousandths, rounded down (a fifth decimal can
 * only lower the result). The small epsilon absorbs binary representation
 * error, e.g. 0.57 × 10 000 = 5699.999999999999.
 */
function toTenThousandths(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0
  return Math.floor(value * 10_000 + 1e-6)
}

/** True when a rate or multiplier has at most four decimal places. */
export function hasAtMostFourDecimals(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6
}

/** When points earned at `earnedAt` expire; null when expiry is off. */
export function pointsExpiry(earnedAt: Date, expiryDays: number): Date | null {
  if (!expiryDays || expiryDays <= 0) return null
  return new Date(earnedAt.getTime() + expiryDays * 86_400_000)
}

/**
 * Points to expire now, oldest lots first (FIFO). Debits (redemptions,
 * negative adjustments and earlier expiries, net of refunds, which undo them)
 * consume the earliest-expiring lots first, so what is left of the lots that
 * have expired is max(0, expired lot points − net debits so far). Running it again after
 * writing the expiry entry gives 0: the calculation is idempotent.
 */
export function pointsToExpire(expiredLotPoints: number, totalDebits: number): number {
  return Math.max(0, expiredLotPoints - totalDebits)
}

/** Whole-number, non-zero points within a sane bound. */
export function isValidPointsAmount(points: unknown): points is number {
  return typeof points === 'number' && Number.isInteger(points) && points !== 0 && Math.abs(points) <= 100_000_000
}
