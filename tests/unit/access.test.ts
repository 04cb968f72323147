import { describe, expect, it } from 'vitest'
import { anyone } from '../../collections/access/anyone'
import { canAccessAdminPanel } from '../../collections/access/canAccessAdminPanel'
import { canDeleteStaffAccount } from '../../collections/access/canDeleteStaffAccount'
import { canManageStaffAccount } from '../../collections/access/canManageStaffAccount'
import { hasRole } from '../../collections/access/hasRole'
import { isAdmin } from '../../collections/access/isAdmin'
import { isAdminOrSelf } from '../../collections/access/isAdminOrSelf'
import { isStaff } from '../../collections/access/isStaff'
import { isSuperAdmin } from '../../collections/access/isSuperAdmin'
import { nobody } from '../../collections/access/nobody'
import type { AccessArgs } from '../../collections/access/types'
import { ROLES, type Role } from '../../src/domain/roles'

const ID = 42

/** Access args for a signed-in staff account. */
const staff = (role: Role, id: number | string = ID): AccessArgs => ({ req: { user: { id, collection: 'users', role } } })

/** Callers that must get nothing from any staff predicate. */
const outsiders: [string, AccessArgs][] = [
  ['anonymous (user null)', { req: { user: null } }],
  ['anonymous (no user key)', { req: {} }],
  ['a member', { req: { user: { id: ID, collection: 'members', email: 'm@example.com' } } }],
  // A member record can never be promoted by a role-like field.
  ...ROLES.map((role): [string, AccessArgs] => [`a member with role "${role}"`, { req: { user: { id: ID, collection: 'members', role } } }]),
  ['a user without a collection', { req: { user: { id: ID, role: 'super-admin' } } }],
  ['a user of another auth collection', { req: { user: { id: ID, collection: 'resellers', role: 'super-admin' } } }],
  ['a staff account without a role', { req: { user: { id: ID, collection: 'users', role: null } } }],
  ['a staff account with an empty role', { req: { user: { id: ID, collection: 'users', role: '' } } }],
]

/** Expected verdict of a boolean role predicate for each role. */
function roleTable(allowed: Role[]): [Role, boolean][] {
  return ROLES.map((role) => [role, allowed.includes(role)])
}

describe('anyone / nobody', () => {
  it('anyone is true and nobody false, whatever the caller', () => {
    expect(anyone()).toBe(true)
    expect(nobody()).toBe(false)
  })
})

describe('hasRole', () => {
  const supportOrEditor = hasRole('support', 'editor')

  it.each(roleTable(['support', 'editor']))('hasRole(support, editor) for %s is %s', (role, expected) => {
    expect(supportOrEditor(staff(role))).toBe(expected)
  })

  it('with no roles allows nobody', () => {
    const none = hasRole()
    for (const role of ROLES) expect(none(staff(role))).toBe(false)
  })

  it('rejects a role that only looks like one of the listed roles', () => {
    const adminOnly = hasRole('admin')
    expect(adminOnly({ req: { user: { id: ID, collection: 'users', role: 'Admin' } } })).toBe(false)
    expect(adminOnly({ req: { user: { id: ID, collection: 'users', role: 'super-admin' } } })).toBe(false)
  })

  it.each(outsiders)('denies %s', (_label, args) => {
    expect(hasRole(...ROLES)(args)).toBe(false)
  })
})

describe.each([
  { name: 'isSuperAdmin', predicate: isSuperAdmin, allowed: ['super-admin'] as Role[] },
  { name: 'isAdmin', predicate: isAdmin, allowed: ['super-admin', 'admin'] as Role[] },
  { name: 'isStaff', predicate: isStaff, allowed: ['super-admin', 'admin', 'moderator', 'support', 'editor'] as Role[] },
  {
    name: 'canAccessAdminPanel',
    predicate: canAccessAdminPanel,
    allowed: ['super-admin', 'admin', 'moderator', 'support', 'editor', 'reseller'] as Role[],
  },
])('$name', ({ predicate, allowed }) => {
  it.each(roleTable(allowed))('role %s → %s', (role, expected) => {
    expect(predicate(staff(role))).toBe(expected)
  })

  it.each(outsiders)('denies %s', (_label, args) => {
    expect(predicate(args)).toBe(false)
  })
})

describe('isAdminOrSelf (read staff accounts)', () => {
  it.each<Role>(['super-admin', 'admin'])('%s reads every account', (role) => {
    expect(isAdminOrSelf(staff(role))).toBe(true)
  })

  it.each<Role>(['moderator', 'support', 'editor', 'reseller', 'integration'])('%s reads only its own account', (role) => {
    expect(isAdminOrSelf(staff(role))).toEqual({ id: { equals: ID } })
  })

  it('constrains to the caller’s own id, string ids included', () => {
    expect(isAdminOrSelf(staff('editor', 7))).toEqual({ id: { equals: 7 } })
    expect(isAdminOrSelf(staff('support', 'abc'))).toEqual({ id: { equals: 'abc' } })
  })

  it.each(outsiders)('denies %s', (_label, args) => {
    expect(isAdminOrSelf(args)).toBe(false)
  })
})

describe('canManageStaffAccount (update staff accounts)', () => {
  it('the super-admin updates anyone', () => {
    expect(canManageStaffAccount(staff('super-admin'))).toBe(true)
  })

  it('an admin updates itself and every account that is not a super-admin', () => {
    expect(canManageStaffAccount(staff('admin'))).toEqual({
      or: [{ id: { equals: ID } }, { role: { not_equals: 'super-admin' } }],
    })
  })

  it.each<Role>(['moderator', 'support', 'editor', 'reseller', 'integration'])('%s updates only itself', (role) => {
    expect(canManageStaffAccount(staff(role))).toEqual({ id: { equals: ID } })
  })

  it('uses the caller’s own id', () => {
    expect(canManageStaffAccount(staff('admin', 9))).toEqual({
      or: [{ id: { equals: 9 } }, { role: { not_equals: 'super-admin' } }],
    })
    expect(canManageStaffAccount(staff('moderator', 9))).toEqual({ id: { equals: 9 } })
  })

  it.each(outsiders)('denies %s', (_label, args) => {
    expect(canManageStaffAccount(args)).toBe(false)
  })
})

describe('canDeleteStaffAccount', () => {
  it('the super-admin deletes any account but its own', () => {
    expect(canDeleteStaffAccount(staff('super-admin'))).toEqual({ id: { not_equals: ID } })
  })

  it('an admin deletes accounts below super-admin, never itself', () => {
    expect(canDeleteStaffAccount(staff('admin'))).toEqual({
      and: [{ id: { not_equals: ID } }, { role: { not_equals: 'super-admin' } }],
    })
  })

  it('uses the caller’s own id', () => {
    expect(canDeleteStaffAccount(staff('super-admin', 3))).toEqual({ id: { not_equals: 3 } })
    expect(canDeleteStaffAccount(staff('admin', 3))).toEqual({
      and: [{ id: { not_equals: 3 } }, { role: { not_equals: 'super-admin' } }],
    })
  })

  it.each<Role>(['moderator', 'support', 'editor', 'reseller', 'integration'])('%s deletes nothing, not even itself', (role) => {
    expect(canDeleteStaffAccount(staff(role))).toBe(false)
  })

  it.each(outsiders)('denies %s', (_label, args) => {
    expect(canDeleteStaffAccount(args)).toBe(false)
  })
})
