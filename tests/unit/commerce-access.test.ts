import { describe, expect, it } from 'vitest'
import { adminOrOwnReseller } from '../../collections/access/adminOrOwnReseller'
import { approvedOrOwnReview } from '../../collections/access/approvedOrOwnReview'
import { cartOwner } from '../../collections/access/cartOwner'
import { orderReaders } from '../../collections/access/orderReaders'
import { resellerOf } from '../../collections/access/resellerUser'
import { staffOrOwnReseller } from '../../collections/access/staffOrOwnReseller'
import type { AccessArgs } from '../../collections/access/types'

const staff = (role: string, extra: Record<string, unknown> = {}): AccessArgs => ({ req: { user: { id: 1, collection: 'users', role, ...extra } } })
const member = (id = 7): AccessArgs => ({ req: { user: { id, collection: 'members' } } })
const anonymous: AccessArgs = { req: { user: null } }

describe('resellerOf', () => {
  it('reads the linked reseller of a reseller login, as an id or a populated document', () => {
    expect(resellerOf(staff('reseller', { reseller: 5 }))).toBe(5)
    expect(resellerOf(staff('reseller', { reseller: { id: 6, businessName: 'X' } }))).toBe(6)
  })
  it('is null for other roles, unlinked logins, members and anonymous callers', () => {
    expect(resellerOf(staff('admin', { reseller: 5 }))).toBeNull()
    expect(resellerOf(staff('reseller'))).toBeNull()
    expect(resellerOf(staff('reseller', { reseller: 'abc' }))).toBeNull()
    expect(resellerOf({ req: { user: { id: 1, collection: 'members', role: 'reseller', reseller: 5 } } })).toBeNull()
    expect(resellerOf(anonymous)).toBeNull()
  })
})

describe('orderReaders', () => {
  const read = orderReaders()
  it('lets commerce staff read every order, not editors', () => {
    for (const role of ['super-admin', 'admin', 'moderator', 'support']) expect(read(staff(role))).toBe(true)
    expect(read(staff('editor'))).toBe(false)
  })
  it('narrows resellers and members to their own, through a prefix when asked', () => {
    expect(read(staff('reseller', { reseller: 3 }))).toEqual({ reseller: { equals: 3 } })
    expect(read(member(9))).toEqual({ member: { equals: 9 } })
    expect(orderReaders('order.')(member(9))).toEqual({ 'order.member': { equals: 9 } })
    expect(read(staff('reseller'))).toBe(false) // unlinked reseller login: nothing
  })
  it('lets integrations read only with the orders_read scope; anonymous never', () => {
    expect(read(staff('integration', { scopes: ['orders_read'] }))).toBe(true)
    expect(read(staff('integration', { scopes: ['redemptions_use'] }))).toBe(false)
    expect(read(anonymous)).toBe(false)
  })
})

describe('reseller-owned records', () => {
  it('staffOrOwnReseller: commerce staff all, a reseller its own, others nothing', () => {
    expect(staffOrOwnReseller()(staff('support'))).toBe(true)
    expect(staffOrOwnReseller('id')(staff('reseller', { reseller: 4 }))).toEqual({ id: { equals: 4 } })
    expect(staffOrOwnReseller()(member())).toBe(false)
    expect(staffOrOwnReseller()(staff('editor'))).toBe(false)
  })
  it('adminOrOwnReseller: admins any, a reseller its own, moderators and members nothing', () => {
    expect(adminOrOwnReseller(staff('admin'))).toBe(true)
    expect(adminOrOwnReseller(staff('reseller', { reseller: 2 }))).toEqual({ reseller: { equals: 2 } })
    expect(adminOrOwnReseller(staff('moderator'))).toBe(false)
    expect(adminOrOwnReseller(member())).toBe(false)
  })
})

describe('cartOwner', () => {
  const read = cartOwner({ staffRead: true })
  const write = cartOwner({ staffRead: false })
  it('reaches an anonymous cart only by its id, never by listing', () => {
    expect(read({ ...anonymous, id: 'abc' } as AccessArgs)).toEqual({ member: { exists: false } })
    expect(read(anonymous)).toBe(false)
  })
  it("gives a member its own carts, plus an anonymous one by id (to merge it)", () => {
    expect(read(member(7))).toEqual({ member: { equals: 7 } })
    expect(read({ ...member(7), id: 'abc' } as AccessArgs)).toEqual({ or: [{ member: { equals: 7 } }, { member: { exists: false } }] })
  })
  it('lets commerce staff read carts but not change them; other staff nothing', () => {
    expect(read(staff('support'))).toBe(true)
    expect(write({ ...staff('admin'), id: 'abc' } as AccessArgs)).toBe(false)
    expect(read({ ...staff('editor'), id: 'abc' } as AccessArgs)).toBe(false)
  })
})

describe('approvedOrOwnReview', () => {
  it('shows the public approved reviews, a member also its own, moderators everything', () => {
    expect(approvedOrOwnReview(anonymous)).toEqual({ status: { equals: 'approved' } })
    expect(approvedOrOwnReview(member(3))).toEqual({ or: [{ status: { equals: 'approved' } }, { member: { equals: 3 } }] })
    expect(approvedOrOwnReview(staff('moderator'))).toBe(true)
    expect(approvedOrOwnReview(staff('support'))).toEqual({ status: { equals: 'approved' } })
  })
})
