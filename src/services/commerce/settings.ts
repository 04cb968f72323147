import type { Payload, PayloadRequest } from 'payload'
import type { PricingSettings } from '../../domain/pricing'

export type CommerceSettings = PricingSettings & { currency: string; defaultReorderThreshold: number; abandonedCartDays: number; timezone: string }

/** The settings global's commerce part (fees, tax, currency, thresholds). */
export async function loadCommerceSettings(payload: Payload, req?: Partial<PayloadRequest>): Promise<CommerceSettings> {
  const s = await payload.findGlobal({ slug: 'settings', depth: 0, req, overrideAccess: true })
  return {
    deliveryFee: Number(s.deliveryFee ?? 0),
    taxRate: Number(s.taxRate ?? 0),
    serviceCharge: Number(s.serviceCharge ?? 0),
    currency: String(s.currency ?? 'USD').toUpperCase(),
    defaultReorderThreshold: Number(s.defaultReorderThreshold ?? 0),
    abandonedCartDays: Number((s as { abandonedCartDays?: number }).abandonedCartDays ?? 30),
    timezone: String(s.timezone ?? 'UTC'),
  }
}
