import { lineTotal, percentOf, sum } from './money'

export type PricedLine = { unitPrice: number; quantity: number }
export type Discount = { type: 'percentage' | 'fixed'; value: number } | null

export type PricingSettings = {
  deliveryFee: number
  /** Percent, e.g. 7.5 */
  taxRate: number
  serviceCharge: number
}

export type OrderTotals = {
  subtotal: number
  discountTotal: number
  deliveryFee: number
  serviceCharge: number
  taxAmount: number
  total: number
  lineTotals: number[]
}

/**
 * Totals of an order, all in minor units, computed only from server-side
 * prices and settings (never from client input):
 * subtotal = Σ lines; the discount comes off the goods and never exceeds them;
 * tax is charged on the discounted goods (delivery and service charge are not
 * taxed); total = goods − discount + tax + delivery + service charge.
 */
export function priceOrder(lines: PricedLine[], settings: PricingSettings, discount: Discount = null): OrderTotals {
  if (lines.length === 0) throw new RangeError('an order needs at least one line')
  const lineTotals = lines.map((l) => lineTotal(l.unitPrice, l.quantity))
  const subtotal = sum(lineTotals)
  let discountTotal = 0
  if (discount) {
    discountTotal = discount.type === 'percentage' ? percentOf(subtotal, Math.min(100, discount.value)) : Math.trunc(discount.value)
    discountTotal = Math.max(0, Math.min(subtotal, discountTotal))
  }
  const taxable = subtotal - discountTotal
  const taxAmount = percentOf(taxable, settings.taxRate)
  const deliveryFee = settings.deliveryFee
  const serviceCharge = settings.serviceCharge
  const total = sum([taxable, taxAmount, deliveryFee, serviceCharge])
  return { subtotal, discountTotal, deliveryFee, serviceCharge, taxAmount, total, lineTotals }
}

/** A reseller's commission on a delivered order: `ratePercent` of the goods after discount. */
export function commissionFor(goodsAfterDiscount: number, ratePercent: number): number {
  if (!ratePercent || ratePercent <= 0) return 0
  return percentOf(goodsAfterDiscount, ratePercent)
}

export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'refunded' | 'partially_refunded'

/**
 * Payment status from what was captured and refunded (minor units). Money
 * captured beyond the total (a second payment) and given back is not a refund
 * of the order: a paid order stays paid.
 */
export function paymentStatusFor(total: number, captured: number, refunded: number, lastAttemptFailed = false): PaymentStatus {
  const overpaidBack = Math.min(refunded, Math.max(0, captured - total))
  captured -= overpaidBack
  refunded -= overpaidBack
  if (captured <= 0) return lastAttemptFailed ? 'failed' : 'pending'
  if (refunded <= 0) return captured >= total ? 'paid' : 'pending'
  return refunded >= captured ? 'refunded' : 'partially_refunded'
}
