import { getRedemptionStats } from '../../src/services/loyalty/stats'
import { loyaltyStatsEndpoint } from './statsEndpoint'

/** GET /api/redemptions/stats?from&to&interval — redemptions by status, and redeemed/used/cancelled/expired per bucket. */
export const redemptionStats = loyaltyStatsEndpoint(getRedemptionStats)
