import { dbFor, sql } from '../../src/lib/db/sql'
import { beforeAll, describe, expect, it } from 'vitest'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
const staff = {} as Record<'superAdmin' | 'admin' | 'moderator' | 'support' | 'editor' | 'reseller', StaffFixture>

beforeAll(async () => {
  ctx = await getTestContext()
  staff.superAdmin = await createStaff(ctx.payload, ctx.api, 'super-admin')
  staff.admin = await createStaff(ctx.payload, ctx.api, 'admin')
  staff.moderator = await createStaff(ctx.payload, ctx.api, 'moderator')
  staff.support = await createStaff(ctx.payload, ctx.api, 'support')
  staff.editor = await createStaff(ctx.payload, ctx.api, 'editor')
  staff.reseller = await createStaff(ctx.payload, ctx.api, 'reseller')
})

const roleOf = async (id: number) => (await ctx.payload.findByID({ collection: 'users', id, depth: 0 })).role

describe('roles: only the super-admin grants them', () => {
  it('a moderator cannot change another account, its role included', async () => {
    const res = await rest(`${ctx.api}/users/${staff.editor.id}`, { method: 'PATCH', token: staff.moderator.token, body: { role: 'admin' } })
    expect([403, 404]).toContain(res.status)
    expect(await roleOf(staff.editor.id)).toBe('editor')
  })

  it('a moderator cannot promote itself: the role it sends is dropped', async () => {
    const res = await rest(`${ctx.api}/users/${staff.moderator.id}`, {
      method: 'PATCH',
      token: staff.moderator.token,
      body: { role: 'super-admin', name: 'Renamed moderator' },
    })
    expect(res.status).toBe(200)
    expect(res.body.doc.name).toBe('Renamed moderator')
    expect(await roleOf(staff.moderator.id)).toBe('moderator')
  })

  it('an admin can edit staff but not their roles', async () => {
    const res = await rest(`${ctx.api}/users/${staff.support.id}`, { method: 'PATCH', token: staff.admin.token, body: { role: 'admin', name: 'Support renamed' } })
    expect(res.status).toBe(200)
    expect(await roleOf(staff.support.id)).toBe('support')
  })

  it('an admin cannot change or delete a super-admin', async () => {
    const patch = await rest(`${ctx.api}/users/${staff.superAdmin.id}`, { method: 'PATCH', token: staff.admin.token, body: { name: 'hijacked' } })
    expect([403, 404]).toContain(patch.status)
    const del = await rest(`${ctx.api}/users/${staff.superAdmin.id}`, { method: 'DELETE', token: staff.admin.token })
    expect([403, 404]).toContain(del.status)
    const doc = await ctx.payload.findByID({ collection: 'users', id: staff.superAdmin.id })
    expect(doc.name).not.toBe('hijacked')
  })

  it('an account created by an admin gets the default role whatever it asks for', async () => {
    const res = await rest(`${ctx.api}/users`, {
      token: staff.admin.token,
      body: { email: `${uniq('new')}@test.local`, password: 'long-enough-password', role: 'super-admin' },
    })
    expect(res.status).toBe(201)
    expect(res.body.doc.role).toBe('editor')
  })

  it('the super-admin grants roles', async () => {
    const target = await createStaff(ctx.payload, ctx.api, 'editor')
    const res = await rest(`${ctx.api}/users/${target.id}`, { method: 'PATCH', token: staff.superAdmin.token, body: { role: 'support' } })
    expect(res.status).toBe(200)
    expect(await roleOf(target.id)).toBe('support')
  })
})

describe('support and editor cannot manage staff accounts', () => {
  for (const who of ['support', 'editor', 'moderator', 'reseller'] as const) {
    it(`${who}: no create, update or delete of other accounts`, async () => {
      const token = staff[who].token
      const victim = await createStaff(ctx.payload, ctx.api, 'editor')
      const email = `${uniq('x')}@test.local`
      const create = await rest(`${ctx.api}/users`, { token, body: { email, password: 'long-enough-password' } })
      expect(create.status).toBe(403)
      expect((await ctx.payload.find({ collection: 'users', where: { email: { equals: email } } })).totalDocs).toBe(0)

      const update = await rest(`${ctx.api}/users/${victim.id}`, { method: 'PATCH', token, body: { name: 'changed' } })
      expect([403, 404]).toContain(update.status)
      const del = await rest(`${ctx.api}/users/${victim.id}`, { method: 'DELETE', token })
      expect([403, 404]).toContain(del.status)
      const after = await ctx.payload.findByID({ collection: 'users', id: victim.id })
      expect(after.name).toBe('Test editor')
    })
  }

  it('they only see their own account in the list', async () => {
    const res = await rest(`${ctx.api}/users?limit=100`, { token: staff.support.token })
    expect(res.status).toBe(200)
    expect(res.body.docs.map((d: { id: number }) => d.id)).toEqual([staff.support.id])
  })

  it('anonymous callers cannot list staff', async () => {
    const res = await rest(`${ctx.api}/users`)
    expect(res.status).toBe(403)
    expect(res.body.errors[0].code).toBe('FORBIDDEN')
  })
})

describe('API keys', () => {
  it('an integration account authenticates with its key; only the super-admin issues keys', async () => {
    const integ = await createStaff(ctx.payload, ctx.api, 'integration')
    const key = `key-${uniq()}`
    const byAdmin = await rest(`${ctx.api}/users/${integ.id}`, { method: 'PATCH', token: staff.admin.token, body: { enableAPIKey: true, apiKey: key } })
    expect(byAdmin.status).toBe(403)
    expect((await rest(`${ctx.api}/users/me`, { apiKey: key })).body.user).toBeNull()

    const bySuper = await rest(`${ctx.api}/users/${integ.id}`, { method: 'PATCH', token: staff.superAdmin.token, body: { enableAPIKey: true, apiKey: key } })
    expect(bySuper.status).toBe(200)
    expect(JSON.stringify(bySuper.body)).not.toContain(key)
    const me = await rest(`${ctx.api}/users/me`, { apiKey: key })
    expect(me.body.user.id).toBe(integ.id)
    expect(me.body.user.role).toBe('integration')
  })

  it('a key set on a non-integration account is dropped', async () => {
    const target = await createStaff(ctx.payload, ctx.api, 'support')
    const key = `key-${uniq()}`
    const res = await rest(`${ctx.api}/users/${target.id}`, { method: 'PATCH', token: staff.superAdmin.token, body: { enableAPIKey: true, apiKey: key } })
    expect(res.status).toBe(200)
    expect((await rest(`${ctx.api}/users/me`, { apiKey: key })).body.user).toBeNull()
  })

  it('an integration account moved to another role loses its key', async () => {
    const integ = await createStaff(ctx.payload, ctx.api, 'integration')
    const key = `key-${uniq()}`
    await rest(`${ctx.api}/users/${integ.id}`, { method: 'PATCH', token: staff.superAdmin.token, body: { enableAPIKey: true, apiKey: key } })
    expect((await rest(`${ctx.api}/users/me`, { apiKey: key })).body.user?.id).toBe(integ.id)
    const demote = await rest(`${ctx.api}/users/${integ.id}`, { method: 'PATCH', token: staff.superAdmin.token, body: { role: 'support' } })
    expect(demote.status).toBe(200)
    expect((await rest(`${ctx.api}/users/me`, { apiKey: key })).body.user).toBeNull()
  })
})

describe('first account', () => {
  it('the first staff account ever created becomes super-admin', async () => {
    const { payload } = ctx
    // Inside a transaction that is rolled back: no staff accounts exist, then one is created.
    const transactionID = await payload.db.beginTransaction()
    const req = { transactionID } as never
    try {
      // An empty staff table, as on a new install: accounts with history cannot be deleted through Payload,
      // so remove the rows directly with triggers and foreign keys off (rolled back below).
      const db = await dbFor(payload, req)
      await db.execute(sql`set local session_replication_role = replica`)
      await db.execute(sql`delete from users`)
      await db.execute(sql`set local session_replication_role = origin`)
      const first = await payload.create({ collection: 'users', data: { email: `${uniq('first')}@test.local`, password: 'long-enough-password', role: 'editor' }, req })
      expect(first.role).toBe('super-admin')
      const second = await payload.create({ collection: 'users', data: { email: `${uniq('second')}@test.local`, password: 'long-enough-password', role: 'editor' }, req })
      expect(second.role).toBe('editor')
    } finally {
      await payload.db.rollbackTransaction(transactionID!)
    }
    expect((await payload.count({ collection: 'users' })).totalDocs).toBeGreaterThan(2)
  })
})
