import type { Endpoint } from 'payload'

// Being written in parallel; replaced before commit.
export const voucherStats: Endpoint = { path: '/stats', method: 'get', handler: async () => Response.json({}, { status: 501 }) }
