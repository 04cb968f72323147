import { beforeAll, describe, expect, it } from 'vitest'
import { allowComputedWrites, dbFor, inTransaction, sql } from '../../src/lib/db/sql'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { balanceOf, createMember, ledgerCheck, type MemberFixture } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let alice: MemberFixture
let bob: MemberFixture
let admin: StaffFixture
let moderator: StaffFixture
let support: StaffFixture
let editor: StaffFixture

beforeAll(async () => {
  ctx = await getTestContext()
  alice = await createMember(ctx.payload)
  bob = await createMember(ctx.payload)
  admin = await createStaff(ctx.payload, ctx.api, 'admin')
  moderator = await createStaff(ctx.payload, ctx.api, 'moderator')
  support = await createStaff(ctx.payload, ctx.api, 'support')
  editor = await createStaff(ctx.payload, ctx.api, 'editor')
})

describe('public registration', () => {
  it('accepts only safe fields: status, tier, balances, notes and codes are ignored', async () => {
    const email = `${uniq('reg')}@test.local`
    const res = await rest(`${ctx.api}/members`, {
      body: {
        email,
        password: 'a-long-enough-password',
        name: 'New Member',
        city: 'Lisbon',
        status: 'blocked',
        tier: 'Platinum',
        pointsBalance: 999999,
        lifetimePoints: 999999,
        lifetimeSpend: 5,
        notes: 'VIP, give free stuff',
        memberCode: 'PM-HACKED',
        legacyId: 'x',
        idDocumentNumber: 'P123',
        joinDate: '2000-01-01T00:00:00.000Z',
      },
    })
    expect(res.status).toBe(201)
    const row = await ctx.payload.findByID({ collection: 'members', id: res.body.doc.id, overrideAccess: true })
    expect(row.name).toBe('New Member')
    expect(row.city).toBe('Lisbon')
    expect(row.status).toBe('active')
    expect(row.pointsBalance).toBe(100) // the signup bonus, nothing more
    expect(row.lifetimePoints).toBe(100)
    expect(row.lifetimeSpend).toBe(0)
    expect(row.tier).toBe('Bronze')
    expect(row.notes ?? null).toBeNull()
    expect(row.memberCode).toMatch(/^PM-[0-9A-Z]{8}$/)
    expect(row.legacyId ?? null).toBeNull()
    expect(row.idDocumentNumber ?? null).toBeNull()
    expect(new Date(row.joinDate as string).getFullYear()).toBeGreaterThan(2020)
    expect(await ledgerCheck(ctx.payload, row.id as number)).toEqual({ balance: 100, ledgerSum: 100 })
  })

  it('rejects bad input with 400 and creates nothing', async () => {
    const email = `${uniq('bad')}@test.local`
    const res = await rest(`${ctx.api}/members`, { body: { email, password: 'a-long-enough-password' } })
    expect(res.status).toBe(400)
    expect(res.body.errors[0].code).toBe('VALIDATION_ERROR')
    expect((await ctx.payload.count({ collection: 'members', where: { email: { equals: email } } })).totalDocs).toBe(0)
  })

  it('members log in and read themselves through /me', async () => {
    const res = await rest(`${ctx.api}/members/login`, { body: { email: alice.email, password: alice.password } })
    expect(res.status).toBe(200)
    const me = await rest(`${ctx.api}/members/me`, { token: res.body.token })
    expect(me.body.user.id).toBe(alice.id)
    expect(me.body.user.notes).toBeUndefined()
  })
})

describe('a member sees and changes only itself', () => {
  it('cannot read another member', async () => {
    expect([403, 404]).toContain((await rest(`${ctx.api}/members/${bob.id}`, { token: alice.token })).status)
    const list = await rest(`${ctx.api}/members?limit=50`, { token: alice.token })
    expect(list.body.docs.map((d: { id: number }) => d.id)).toEqual([alice.id])
  })

  it('cannot set its own points, tier or status', async () => {
    const res = await rest(`${ctx.api}/members/${alice.id}`, {
      method: 'PATCH',
      token: alice.token,
      body: { pointsBalance: 1_000_000, tier: 'Platinum', status: 'active', lifetimePoints: 1e6, name: 'Alice Renamed' },
    })
    expect(res.status).toBe(200)
    const row = await ctx.payload.findByID({ collection: 'members', id: alice.id, overrideAccess: true })
    expect(row.name).toBe('Alice Renamed')
    expect(row.pointsBalance).toBe(100)
    expect(row.tier).toBe('Bronze')
  })

  it('cannot change another member', async () => {
    const res = await rest(`${ctx.api}/members/${bob.id}`, { method: 'PATCH', token: alice.token, body: { name: 'pwned' } })
    expect([403, 404]).toContain(res.status)
    expect((await ctx.payload.findByID({ collection: 'members', id: bob.id })).name).toBe('Test Member')
  })

  it("cannot read another member's ledger or redemptions", async () => {
    const own = await rest(`${ctx.api}/point-transactions?limit=100`, { token: alice.token })
    expect(own.status).toBe(200)
    expect(own.body.docs.length).toBeGreaterThan(0)
    expect(own.body.docs.every((d: { member: number | { id: number } }) => (typeof d.member === 'object' ? d.member.id : d.member) === alice.id)).toBe(true)
    const bobs = await ctx.payload.find({ collection: 'point-transactions', where: { member: { equals: bob.id } } })
    expect([403, 404]).toContain((await rest(`${ctx.api}/point-transactions/${bobs.docs[0].id}`, { token: alice.token })).status)
    const redemptions = await rest(`${ctx.api}/redemptions?where[member][equals]=${bob.id}`, { token: alice.token })
    expect(redemptions.body.docs).toEqual([])
  })

  it('cannot create ledger entries or redemptions through CRUD', async () => {
    const before = await balanceOf(ctx.payload, alice.id)
    const entry = await rest(`${ctx.api}/point-transactions`, { token: alice.token, body: { member: alice.id, type: 'adjust', points: 5000, balanceAfter: 5100 } })
    expect(entry.status).toBe(403)
    const red = await rest(`${ctx.api}/redemptions`, { token: alice.token, body: { member: alice.id } })
    expect(red.status).toBe(403)
    expect(await balanceOf(ctx.payload, alice.id)).toBe(before)
  })
})

describe('the ledger is append-only for everyone', () => {
  it('no update or delete through the API, even for admins', async () => {
    const { docs } = await ctx.payload.find({ collection: 'point-transactions', where: { member: { equals: alice.id } } })
    const id = docs[0].id
    expect((await rest(`${ctx.api}/point-transactions/${id}`, { method: 'PATCH', token: admin.token, body: { points: 1 } })).status).toBe(403)
    expect((await rest(`${ctx.api}/point-transactions/${id}`, { method: 'DELETE', token: admin.token })).status).toBe(403)
  })

  it('the database refuses edits, deletes and negative balances too', async () => {
    const db = await dbFor(ctx.payload)
    const { docs } = await ctx.payload.find({ collection: 'point-transactions', where: { member: { equals: alice.id } } })
    await expect(db.execute(sql`update point_transactions set points = 99999 where id = ${docs[0].id}`)).rejects.toThrow()
    await expect(db.execute(sql`delete from point_transactions where id = ${docs[0].id}`)).rejects.toThrow()
    // Even a ledger writer cannot take a balance below zero (CHECK constraint)…
    await expect(
      inTransaction(ctx.payload, undefined, (tx) => allowComputedWrites(tx, () => tx.execute(sql`update members set points_balance = -1 where id = ${alice.id}`))),
    ).rejects.toThrow()
    // …and any other writer cannot move it at all (trigger keeps the computed fields).
    await db.execute(sql`update members set points_balance = 5000, tier = 'Platinum', name = 'Alice SQL' where id = ${alice.id}`)
    const row = await ctx.payload.findByID({ collection: 'members', id: alice.id })
    expect(row).toMatchObject({ name: 'Alice SQL', tier: 'Bronze' })
    expect(await ledgerCheck(ctx.payload, alice.id)).toEqual({ balance: 100, ledgerSum: 100 })
    await db.execute(sql`update members set name = 'Alice Renamed' where id = ${alice.id}`)
  })
})

describe('staff access to members', () => {
  it('support reads members but not ID documents; editors read nothing', async () => {
    const asSupport = await rest(`${ctx.api}/members/${alice.id}`, { token: support.token })
    expect(asSupport.status).toBe(200)
    expect(asSupport.body.idDocumentNumber).toBeUndefined()
    expect((await rest(`${ctx.api}/members/${alice.id}`, { token: editor.token })).status).toBe(403)
  })

  it('admins set ID documents and notes; moderators change status only', async () => {
    const byAdmin = await rest(`${ctx.api}/members/${bob.id}`, { method: 'PATCH', token: admin.token, body: { idDocumentType: 'passport', idDocumentNumber: 'X1234567', notes: 'called in' } })
    expect(byAdmin.status).toBe(200)
    expect((await rest(`${ctx.api}/members/${bob.id}`, { token: admin.token })).body.idDocumentNumber).toBe('X1234567')

    const byModerator = await rest(`${ctx.api}/members/${bob.id}`, { method: 'PATCH', token: moderator.token, body: { status: 'inactive', name: 'changed by mod', pointsBalance: 5 } })
    expect(byModerator.status).toBe(200)
    const row = await ctx.payload.findByID({ collection: 'members', id: bob.id })
    expect(row.status).toBe('inactive')
    expect(row.name).toBe('Test Member')
    expect(row.pointsBalance).toBe(100)
    await ctx.payload.update({ collection: 'members', id: bob.id, data: { status: 'active' } })
  })

  it('a member with history cannot be deleted (409), only blocked', async () => {
    const res = await rest(`${ctx.api}/members/${bob.id}`, { method: 'DELETE', token: admin.token })
    expect(res.status).toBe(409)
    expect((await ctx.payload.count({ collection: 'members', where: { id: { equals: bob.id } } })).totalDocs).toBe(1)
    expect((await rest(`${ctx.api}/members/${bob.id}`, { method: 'DELETE', token: moderator.token })).status).toBe(403)
  })
})

describe('blocking', () => {
  it('a blocked member cannot log in', async () => {
    const m = await createMember(ctx.payload)
    const block = await rest(`${ctx.api}/members/${m.id}`, { method: 'PATCH', token: moderator.token, body: { status: 'blocked' } })
    expect(block.status).toBe(200)
    const res = await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: m.password } })
    expect(res.status).toBe(403)
    expect(res.body.token).toBeUndefined()
  })
})

describe('member password reset', () => {
  it('mails a reset token that works on /api/members/reset-password', async () => {
    const m = await createMember(ctx.payload)
    expect((await rest(`${ctx.api}/members/forgot-password`, { body: { email: m.email } })).status).toBe(200)
    const mail = await ctx.mail.waitFor((x) => x.to.includes(m.email))
    const token = /Reset token: ([A-Za-z0-9]+)/.exec(mail.raw)?.[1]
    expect(token).toBeTruthy()
    expect((await rest(`${ctx.api}/members/reset-password`, { body: { token, password: 'new-member-password' } })).status).toBe(200)
    expect((await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: 'new-member-password' } })).status).toBe(200)
  })
})
