import { meetsMinTier, type Tier } from './loyalty'

/** Why a redemption is refused; the codes of SPEC §3. */
export type RedemptionRefusal =
  | 'MEMBER_INACTIVE'
  | 'VOUCHER_INACTIVE'
  | 'VOUCHER_EXPIRED'
  | 'OUT_OF_STOCK'
  | 'TIER_TOO_LOW'
  | 'LIMIT_REACHED'
  | 'INSUFFICIENT_POINTS'

export type RedeemCheckInput = {
  now: Date
  member: { status: string; tier: string | null; pointsBalance: number }
  voucher: {
    status: string
    pointsCost: number
    stock: number
    perMemberLimit: number | null
    minTier: string | null
    validFrom: Date | null
    validTo: Date | null
  }
  /** The member's redemptions of this voucher that still count (not cancelled). */
  memberRedemptionsOfVoucher: number
  tiers: Tier[]
}

/**
 * Checks, in a fixed order, whether a member may redeem a voucher now.
 * Returns the first refusal, or null when the redemption may go ahead.
 */
export function checkRedemption(i: RedeemCheckInput): RedemptionRefusal | null {
  if (i.member.status !== 'active') return 'MEMBER_INACTIVE'
  if (i.voucher.status !== 'active') return 'VOUCHER_INACTIVE'
  if (i.voucher.validFrom && i.now < i.voucher.validFrom) return 'VOUCHER_INACTIVE'
  if (i.voucher.validTo && i.now > i.voucher.validTo) return 'VOUCHER_EXPIRED'
  if (i.voucher.stock <= 0) return 'OUT_OF_STOCK'
  if (!meetsMinTier(i.member.tier, i.voucher.minTier, i.tiers)) return 'TIER_TOO_LOW'
  if (i.voucher.perMemberLimit && i.memberRedemptionsOfVoucher >= i.voucher.perMemberLimit) return 'LIMIT_REACHED'
  if (i.member.pointsBalance < i.voucher.pointsCost) return 'INSUFFICIENT_POINTS'
  return null
}

export const REFUSAL_MESSAGES: Record<RedemptionRefusal, string> = {
  MEMBER_INACTIVE: 'This member account is not active and cannot redeem.',
  VOUCHER_INACTIVE: 'This voucher is not available.',
  VOUCHER_EXPIRED: 'This voucher has expired.',
  OUT_OF_STOCK: 'This voucher is out of stock.',
  TIER_TOO_LOW: "The member's tier is below the voucher's minimum tier.",
  LIMIT_REACHED: 'The member has reached the redemption limit for this voucher.',
  INSUFFICIENT_POINTS: 'Not enough points.',
}

/** Redemption status moves: pending → used | expired | cancelled; nothing else. */
export type RedemptionStatus = 'pending' | 'used' | 'expired' | 'cancelled'
export function canMoveRedemption(from: RedemptionStatus, to: RedemptionStatus): boolean {
  return from === 'pending' && (to === 'used' || to === 'expired' || to === 'cancelled')
}

/** When a redemption made at `at` stops being usable. */
export function redemptionExpiry(at: Date, validityDays: number): Date | null {
  if (!validityDays || validityDays <= 0) return null
  return new Date(at.getTime() + validityDays * 86_400_000)
}
