import type { Endpoint } from 'payload'
import { checkHealth, type Pingable } from '../src/services/health'

/** GET /api/health — `{status, db, redis}`; 503 when PostgreSQL is unreachable. */
export const health: Endpoint = {
  path: '/health',
  method: 'get',
  handler: async (req) => {
    const pool = (req.payload.db as unknown as { pool?: Pingable }).pool
    const report = await checkHealth(pool)
    return Response.json(report, {
      status: report.db === 'ok' ? 200 : 503,
      headers: { 'Cache-Control': 'no-store' },
    })
  },
}
