import { getMemberStats } from '../../src/services/loyalty/stats'
import { loyaltyStatsEndpoint } from './statsEndpoint'

/** GET /api/members/stats?from&to&interval — members by status and tier (now), and new members per bucket. */
export const memberStats = loyaltyStatsEndpoint(getMemberStats)
