import { describe, expect, it } from 'vitest'
import { allowedNext, checkTransition, isOrderStatus, ORDER_STATUSES, type OrderStatus, actorMayMove, fitsCredit } from '../../src/domain/orders'

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

describe('actorMayMove', () => {
  it('lets order handlers and the system ask for any move', () => {
    for (const role of ['super-admin', 'admin', 'moderator']) expect(actorMayMove({ kind: 'staff', role }, 'confirmed', 'dispatched')).toBe(true)
    expect(actorMayMove({ kind: 'system' }, 'dispatched', 'delivered')).toBe(true)
  })
  it('lets a reseller confirm or cancel, nothing else', () => {
    expect(actorMayMove({ kind: 'staff', role: 'reseller' }, 'pending', 'confirmed')).toBe(true)
    expect(actorMayMove({ kind: 'staff', role: 'reseller' }, 'confirmed', 'cancelled')).toBe(true)
    expect(actorMayMove({ kind: 'staff', role: 'reseller' }, 'confirmed', 'dispatched')).toBe(false)
  })
  it('lets a member cancel only a pending order', () => {
    expect(actorMayMove({ kind: 'member' }, 'pending', 'cancelled')).toBe(true)
    expect(actorMayMove({ kind: 'member' }, 'confirmed', 'cancelled')).toBe(false)
    expect(actorMayMove({ kind: 'member' }, 'pending', 'confirmed')).toBe(false)
  })
  it('refuses support, editors and integrations', () => {
    for (const role of ['support', 'editor', 'integration']) expect(actorMayMove({ kind: 'staff', role }, 'pending', 'confirmed')).toBe(false)
  })
})

describe('fitsCredit', () => {
  it('allows an order that takes the balance exactly to the limit, not one cent past it', () => {
    expect(fitsCredit(9_000, 10_000, 1_000)).toBe(true)
    expect(fitsCredit(9_000, 10_000, 1_001)).toBe(false)
    expect(fitsCredit(10_000, 10_000, 1)).toBe(false)
    expect(fitsCredit(-500, 0, 500)).toBe(true)
  })
})
