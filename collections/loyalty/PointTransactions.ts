import type { CollectionConfig } from 'payload'
import { nobody } from '../access/nobody'
import { staffOrOwningMember } from '../access/staffOrOwningMember'
import { adjustPoints } from '../../endpoints/loyalty/adjustPoints'
import { ledgerStats } from '../../endpoints/loyalty/ledgerStats'

export const LEDGER_TYPES = ['earn', 'redeem', 'adjust', 'bonus', 'expire', 'refund'] as const

/**
 * The points ledger: append-only for everyone. Entries are written only by the
 * ledger service (src/services/loyalty/ledger.ts), in the same transaction as
 * the member's balance; corrections are new entries, never edits.
 */
export const PointTransactions: CollectionConfig = {
  slug: 'point-transactions',
  labels: { singular: 'Ledger entry', plural: 'Points ledger' },
  admin: {
    group: 'Loyalty',
    defaultColumns: ['createdAt', 'member', 'type', 'points', 'balanceAfter', 'reason'],
    description: 'Append-only. Use "Adjust points" (POST /api/point-transactions/adjust) to correct a balance.',
  },
  access: { read: staffOrOwningMember, create: nobody, update: nobody, delete: nobody },
  endpoints: [adjustPoints, ledgerStats],
  // A member's ledger page: newest first (EXPLAINed on the large data, see README Performance).
  indexes: [{ fields: ['member', 'createdAt'] }],
  fields: [
    { name: 'member', type: 'relationship', relationTo: 'members', required: true, index: true },
    { name: 'type', type: 'select', options: [...LEDGER_TYPES], required: true, index: true },
    { name: 'points', type: 'number', required: true, admin: { description: 'Signed; never zero' } },
    { name: 'balanceAfter', type: 'number', required: true },
    { name: 'reason', type: 'text', maxLength: 500 },
    { name: 'redemption', type: 'relationship', relationTo: 'redemptions', index: true },
    { name: 'spendAmount', type: 'number', admin: { description: 'Spend (minor units) that earned these points; feeds rolling-spend tiers' } },
    { name: 'expiresAt', type: 'date', index: true, admin: { description: 'Earned lots only' } },
    { name: 'idempotencyKey', type: 'text', unique: true, index: true },
    { name: 'createdBy', type: 'relationship', relationTo: 'users', admin: { description: 'Staff who made the entry; empty for the system and members' } },
  ],
  timestamps: true,
}
