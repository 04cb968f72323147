import { describe, expect, it } from 'vitest'
import { ADMIN_PANEL_ROLES, DEFAULT_ROLE, ROLE_LABELS, ROLES, STAFF_ROLES, isRole, roleRank, type Role } from '../../src/domain/roles'

describe('ROLES', () => {
  it('lists the seven roles of SPEC §1, most powerful first', () => {
    expect(ROLES).toEqual(['super-admin', 'admin', 'moderator', 'support', 'editor', 'reseller', 'integration'])
  })

  it('has a label for every role and none for anything else', () => {
    expect(Object.keys(ROLE_LABELS).sort()).toEqual([...ROLES].sort())
    for (const role of ROLES) expect(ROLE_LABELS[role]).toMatch(/\S/)
  })

  it('gives new accounts the least-reaching back-office role', () => {
    expect(DEFAULT_ROLE).toBe('editor')
    expect(isRole(DEFAULT_ROLE)).toBe(true)
  })
})

describe('isRole', () => {
  it.each(ROLES)('accepts %s', (role) => {
    expect(isRole(role)).toBe(true)
  })

  it.each([
    ['an unknown role', 'owner'],
    ['a different case', 'Admin'],
    ['surrounding spaces', ' admin '],
    ['an underscore spelling', 'super_admin'],
    ['the empty string', ''],
    ['a number', 1],
    ['null', null],
    ['undefined', undefined],
    ['an array holding a role', ['admin']],
    ['an object', { role: 'admin' }],
  ])('rejects %s', (_label, value) => {
    expect(isRole(value)).toBe(false)
  })
})

describe('roleRank', () => {
  it('ranks the super-admin first (0) and integration last', () => {
    expect(roleRank('super-admin')).toBe(0)
    expect(roleRank('integration')).toBe(ROLES.length - 1)
  })

  it('is strictly increasing along ROLES, so a lower rank is more powerful', () => {
    const ranks = ROLES.map(roleRank)
    expect(ranks).toEqual(ROLES.map((_, i) => i))
  })

  it.each<[Role, Role]>([
    ['super-admin', 'admin'],
    ['admin', 'moderator'],
    ['moderator', 'support'],
    ['support', 'editor'],
    ['editor', 'reseller'],
    ['reseller', 'integration'],
  ])('%s outranks %s', (stronger, weaker) => {
    expect(roleRank(stronger)).toBeLessThan(roleRank(weaker))
  })
})

describe('STAFF_ROLES', () => {
  it('are the back-office roles: super-admin, admin, moderator, support, editor', () => {
    expect([...STAFF_ROLES].sort()).toEqual(['admin', 'editor', 'moderator', 'super-admin', 'support'])
  })

  it.each<Role>(['reseller', 'integration'])('exclude %s', (role) => {
    expect(STAFF_ROLES).not.toContain(role)
  })

  it('are all valid roles', () => {
    for (const role of STAFF_ROLES) expect(isRole(role)).toBe(true)
  })
})

describe('ADMIN_PANEL_ROLES', () => {
  it('are every staff role plus reseller', () => {
    expect([...ADMIN_PANEL_ROLES].sort()).toEqual([...STAFF_ROLES, 'reseller'].sort())
  })

  it('exclude integration (API keys only)', () => {
    expect(ADMIN_PANEL_ROLES).not.toContain('integration')
  })

  it('hold no duplicates and only valid roles', () => {
    expect(new Set(ADMIN_PANEL_ROLES).size).toBe(ADMIN_PANEL_ROLES.length)
    for (const role of ADMIN_PANEL_ROLES) expect(isRole(role)).toBe(true)
  })
})
