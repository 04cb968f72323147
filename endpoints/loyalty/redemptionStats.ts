import { getRedemptionStats, REDEMPTION_STATS_AREAS } from '../../src/services/loyalty/stats'
import { loyaltyStatsEndpoint } from './statsEndpoint'

/** GET /api/redemptions/stats?from&to&interval — redemptions by status, and redeemed/used/cancelled/expired per bucket. */
export const redemptionStats = loyaltyStatsEndpoint(getRedemptionStats, { name: 'redemptions', areas: REDEMPTION_STATS_AREAS })
