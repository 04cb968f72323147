import { getVoucherStats, VOUCHER_STATS_AREAS, voucherListLimit } from '../../src/services/loyalty/stats'
import { loyaltyStatsEndpoint } from './statsEndpoint'

/**
 * GET /api/vouchers/stats?from&to&interval&limit — stock now, and redemptions per voucher in the
 * period (most redeemed first, `limit` vouchers, default 100).
 */
export const voucherStats = loyaltyStatsEndpoint((payload, period, req) => getVoucherStats(payload, period, voucherListLimit(req.query)), {
  name: 'vouchers',
  areas: VOUCHER_STATS_AREAS,
  key: (req) => `limit=${voucherListLimit(req.query)}`,
})
