import type { CollectionConfig } from 'payload'
import { nobody } from '../access/nobody'
import { loyaltyStaffOnly } from '../access/fieldAccess'
import { staffOrOwningMember } from '../access/staffOrOwningMember'
import { cancelRedemption } from '../../endpoints/loyalty/cancelRedemption'
import { redeem } from '../../endpoints/loyalty/redeem'
import { redemptionStats } from '../../endpoints/loyalty/redemptionStats'
import { useRedemption } from '../../endpoints/loyalty/useRedemption'

export const REDEMPTION_STATUSES = ['pending', 'used', 'expired', 'cancelled'] as const

/**
 * A voucher redeemed for points. Created, used, cancelled and expired only by
 * the redemption service (endpoints and jobs), never by plain CRUD.
 */
export const Redemptions: CollectionConfig = {
  slug: 'redemptions',
  admin: { useAsTitle: 'redemptionCode', group: 'Loyalty', defaultColumns: ['redemptionCode', 'member', 'voucher', 'pointsUsed', 'status', 'redeemedAt'] },
  access: { read: staffOrOwningMember, create: nobody, update: nobody, delete: nobody },
  endpoints: [redeem, useRedemption, cancelRedemption, redemptionStats],
  // A member's history by date; a member's redemptions of one voucher (the per-member limit, checked on every redemption).
  indexes: [{ fields: ['member', 'redeemedAt'] }, { fields: ['member', 'voucher'] }],
  fields: [
    { name: 'redemptionCode', type: 'text', required: true, unique: true, index: true },
    { name: 'member', type: 'relationship', relationTo: 'members', required: true, index: true },
    { name: 'voucher', type: 'relationship', relationTo: 'vouchers', required: true, index: true },
    { name: 'pointsUsed', type: 'number', required: true, min: 0 },
    { name: 'status', type: 'select', options: [...REDEMPTION_STATUSES], required: true, defaultValue: 'pending', index: true },
    { name: 'redeemedAt', type: 'date', required: true, index: true },
    { name: 'usedAt', type: 'date' },
    { name: 'expiresAt', type: 'date', index: true },
    { name: 'cancelledAt', type: 'date' },
    { name: 'idempotencyKey', type: 'text', unique: true, index: true, access: { read: loyaltyStaffOnly } },
    { name: 'requestHash', type: 'text', access: { read: () => false }, admin: { hidden: true } },
    { name: 'legacyId', type: 'text', unique: true, index: true, access: { read: loyaltyStaffOnly } },
  ],
  timestamps: true,
}
