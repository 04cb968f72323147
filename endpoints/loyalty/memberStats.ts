import { getMemberStats, MEMBER_STATS_AREAS } from '../../src/services/loyalty/stats'
import { loyaltyStatsEndpoint } from './statsEndpoint'

/** GET /api/members/stats?from&to&interval — members by status and tier (now), and new members per bucket. */
export const memberStats = loyaltyStatsEndpoint(getMemberStats, { name: 'members', areas: MEMBER_STATS_AREAS })
