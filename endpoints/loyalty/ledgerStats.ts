import { getLedgerStats, LEDGER_STATS_AREAS } from '../../src/services/loyalty/stats'
import { loyaltyStatsEndpoint } from './statsEndpoint'

/** GET /api/point-transactions/stats?from&to&interval — points earned, redeemed, expired, refunded, adjusted per bucket; outstanding liability. */
export const ledgerStats = loyaltyStatsEndpoint(getLedgerStats, { name: 'ledger', areas: LEDGER_STATS_AREAS })
