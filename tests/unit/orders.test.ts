import { describe, expect, it } from 'vitest'
import { allowedNext, checkTransition, isOrderStatus, ORDER_STATUSES, type OrderStatus } from '../../src/domain/orders'

const legal: Array<[OrderStatus, OrderStatus]> = [
  ['pending', 'confirmed'],
  ['pending', 'cancelled'],
  ['confirmed', 'dispatched'],
  ['confirmed', 'cancelled'],
  ['dispatched', 'delivered'],
  ['delivered', 'completed'],
]

describe('order state machine', () => {
  it('allows exactly the moves of the specification', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const isLegal = legal.some(([f, t]) => f === from && t === to)
        const result = checkTransition(from, to, { trackingNumber: 'TRACK-1' })
        expect(result.ok, `${from} → ${to}`).toBe(isLegal)
      }
    }
  })

  it('explains refusals', () => {
    const r = checkTransition('delivered', 'pending', {})
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toMatch(/delivered to pending/)
    const c = checkTransition('cancelled', 'confirmed', {})
    expect(c.ok).toBe(false)
    if (!c.ok) expect(c.reason).toMatch(/final state/)
  })

  it('dispatch needs a tracking number', () => {
    expect(checkTransition('confirmed', 'dispatched', {}).ok).toBe(false)
    expect(checkTransition('confirmed', 'dispatched', { trackingNumber: '   ' }).ok).toBe(false)
    expect(checkTransition('confirmed', 'dispatched', { trackingNumber: '1Z999' })).toMatchObject({ ok: true, timestampField: 'dispatchedAt' })
  })

  it('lists the effects of each move', () => {
    expect(checkTransition('pending', 'confirmed', {})).toMatchObject({ effects: ['take_stock'] })
    expect(checkTransition('pending', 'confirmed', { isResellerOrder: true })).toMatchObject({ effects: ['take_stock', 'check_credit'] })
    expect(checkTransition('dispatched', 'delivered', { hasMember: true, isResellerOrder: true })).toMatchObject({
      effects: ['earn_points', 'pay_commission'],
    })
    expect(checkTransition('pending', 'cancelled', { isResellerOrder: true })).toMatchObject({ effects: ['refund_payments'] })
    expect(checkTransition('confirmed', 'cancelled', { isResellerOrder: true })).toMatchObject({
      effects: ['return_stock', 'release_credit', 'refund_payments'],
    })
  })

  it('knows its statuses', () => {
    expect(isOrderStatus('dispatched')).toBe(true)
    expect(isOrderStatus('shipped')).toBe(false)
    expect(allowedNext('completed')).toEqual([])
  })
})
