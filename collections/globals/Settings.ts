import type { GlobalConfig } from 'payload'
import { anyone } from '../access/anyone'
import { isSuperAdmin } from '../access/isSuperAdmin'

const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const

/** Business settings (SPEC §2). Money amounts are integer minor units (cents). */
export const Settings: GlobalConfig = {
  slug: 'settings',
  admin: { group: 'Administration' },
  access: { read: anyone, update: isSuperAdmin },
  fields: [
    {
      type: 'row',
      fields: [
        { name: 'currency', type: 'text', required: true, defaultValue: 'USD', minLength: 3, maxLength: 3, admin: { description: 'ISO 4217 code, e.g. USD' } },
        { name: 'timezone', type: 'text', required: true, defaultValue: 'UTC', admin: { description: 'IANA name, e.g. Europe/Berlin' } },
      ],
    },
    {
      type: 'row',
      fields: [
        { name: 'deliveryFee', type: 'number', required: true, defaultValue: 0, min: 0, admin: { description: 'Minor units (cents)', step: 1 } },
        { name: 'taxRate', type: 'number', required: true, defaultValue: 0, min: 0, max: 100, admin: { description: 'Percent, e.g. 7.5' } },
        { name: 'serviceCharge', type: 'number', required: true, defaultValue: 0, min: 0, admin: { description: 'Minor units (cents) per order', step: 1 } },
      ],
    },
    {
      name: 'ticketSlaHours',
      type: 'group',
      admin: { description: 'Hours to first response and to resolution, by ticket priority' },
      fields: PRIORITIES.map((priority) => ({
        type: 'row' as const,
        fields: [
          { name: `${priority}FirstResponse`, label: `${priority}: first response (h)`, type: 'number' as const, required: true, min: 0, defaultValue: { low: 48, medium: 24, high: 8, urgent: 2 }[priority] },
          { name: `${priority}Resolution`, label: `${priority}: resolution (h)`, type: 'number' as const, required: true, min: 0, defaultValue: { low: 240, medium: 120, high: 48, urgent: 12 }[priority] },
        ],
      })),
    },
    {
      type: 'row',
      fields: [
        { name: 'defaultReorderThreshold', type: 'number', required: true, defaultValue: 5, min: 0, admin: { step: 1 } },
        { name: 'abandonedCartDays', type: 'number', required: true, defaultValue: 30, min: 1, admin: { step: 1, description: 'Carts untouched this many days are removed by a nightly job' } },
      ],
    },
  ],
}
