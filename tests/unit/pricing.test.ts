import { describe, expect, it } from 'vitest'
import { commissionFor, paymentStatusFor, priceOrder } from '../../src/domain/pricing'

const settings = { deliveryFee: 500, taxRate: 10, serviceCharge: 0 }

describe('priceOrder', () => {
  it('adds lines, tax on goods, delivery and service charge', () => {
    const t = priceOrder([{ unitPrice: 1999, quantity: 2 }, { unitPrice: 500, quantity: 1 }], { ...settings, serviceCharge: 100 })
    expect(t.lineTotals).toEqual([3998, 500])
    expect(t.subtotal).toBe(4498)
    expect(t.taxAmount).toBe(450) // 449.8 → 450
    expect(t.total).toBe(4498 + 450 + 500 + 100)
    expect(t.discountTotal).toBe(0)
  })

  it('takes a percentage discount off the goods before tax', () => {
    const t = priceOrder([{ unitPrice: 10000, quantity: 1 }], settings, { type: 'percentage', value: 15 })
    expect(t.discountTotal).toBe(1500)
    expect(t.taxAmount).toBe(850)
    expect(t.total).toBe(10000 - 1500 + 850 + 500)
  })

  it('never discounts more than the goods', () => {
    const fixed = priceOrder([{ unitPrice: 300, quantity: 1 }], settings, { type: 'fixed', value: 1000 })
    expect(fixed.discountTotal).toBe(300)
    expect(fixed.taxAmount).toBe(0)
    expect(fixed.total).toBe(500)
    const pct = priceOrder([{ unitPrice: 300, quantity: 1 }], settings, { type: 'percentage', value: 250 })
    expect(pct.discountTotal).toBe(300)
  })

  it('refuses empty orders and bad lines', () => {
    expect(() => priceOrder([], settings)).toThrow(RangeError)
    expect(() => priceOrder([{ unitPrice: 100, quantity: 0 }], settings)).toThrow(RangeError)
    expect(() => priceOrder([{ unitPrice: 9.99, quantity: 1 }], settings)).toThrow(RangeError)
  })
})

describe('commissionFor', () => {
  it('is the rate of the goods, rounded half up; zero without a rate', () => {
    expect(commissionFor(10000, 12.5)).toBe(1250)
    expect(commissionFor(999, 5)).toBe(50) // 49.95 → 50
    expect(commissionFor(10000, 0)).toBe(0)
  })
})

describe('paymentStatusFor', () => {
  it('follows captures and refunds', () => {
    expect(paymentStatusFor(1000, 0, 0)).toBe('pending')
    expect(paymentStatusFor(1000, 0, 0, true)).toBe('failed')
    expect(paymentStatusFor(1000, 1000, 0)).toBe('paid')
    expect(paymentStatusFor(1000, 400, 0)).toBe('pending')
    expect(paymentStatusFor(1000, 1000, 300)).toBe('partially_refunded')
    expect(paymentStatusFor(1000, 1000, 1000)).toBe('refunded')
  })
  it('does not count giving back an overpayment as a refund of the order', () => {
    expect(paymentStatusFor(1000, 2000, 1000)).toBe('paid')
    expect(paymentStatusFor(1000, 1500, 500)).toBe('paid')
    expect(paymentStatusFor(1000, 2000, 1300)).toBe('partially_refunded')
    expect(paymentStatusFor(1000, 2000, 2000)).toBe('refunded')
  })
})
