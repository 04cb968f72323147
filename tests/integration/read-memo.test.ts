import pg from 'pg'
import type { Payload } from 'payload'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awaitCacheInvalidation, ensureCacheInvalidation, localStamp } from '../../src/lib/cache-invalidation'
import { getTestContext, type TestContext } from '../helpers/context'
import { createMember, createVoucher } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff } from '../helpers/staff'

/*
 * Accounts, rules and settings are remembered in process between requests
 * (src/lib/db/read-memo.ts). These tests change the data the way another app
 * process would, on a connection of their own, and check that no request sees
 * the old data once the change's notification has arrived (awaitCacheInvalidation
 * sends a fence that arrives after every earlier commit's notification).
 */

let ctx: TestContext
let payload: Payload
let other: pg.Client

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  await ensureCacheInvalidation(payload, 10_000)
  other = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await other.connect()
})

afterAll(async () => {
  await other?.end()
})

const me = (token: string) => rest(`${ctx.api}/members/me`, { token })

it('is on: the listener runs and the account tables notify', () => {
  expect(localStamp(['members', 'users', 'loyalty', 'settings'])).not.toBeNull()
})

describe('member accounts', () => {
  it('a name changed by another process without a notification is not seen: the account is remembered', async () => {
    const m = await createMember(payload, { name: 'Before' })
    expect((await me(m.token)).body.user.name).toBe('Before')
    // session_replication_role = replica skips triggers, the notify trigger included:
    // what a change nobody announced would look like.
    await other.query('begin')
    await other.query(`set local session_replication_role = replica`)
    await other.query(`update members set name = 'Unannounced' where id = $1`, [m.id])
    await other.query('commit')
    await awaitCacheInvalidation()
    expect((await me(m.token)).body.user.name).toBe('Before')
    // Any announced change to a member moves the stamp: the next read goes to the database.
    await other.query(`update members set updated_at = now() where id = $1`, [m.id])
    await awaitCacheInvalidation()
    expect((await me(m.token)).body.user.name).toBe('Unannounced')
  })

  it('a change committed by another process is seen by the next request, 20 times over', async () => {
    const m = await createMember(payload, { name: 'Name 0' })
    for (let i = 1; i <= 20; i++) {
      expect((await me(m.token)).body.user.name).toBe(`Name ${i - 1}`)
      expect((await me(m.token)).body.user.name).toBe(`Name ${i - 1}`)
      await other.query(`update members set name = $2 where id = $1`, [m.id, `Name ${i}`])
      await awaitCacheInvalidation()
      expect((await me(m.token)).body.user.name).toBe(`Name ${i}`)
    }
  })

  it("a member's own change through the API shows in the very next request", async () => {
    const m = await createMember(payload, { name: 'Own 0' })
    for (let i = 1; i <= 10; i++) {
      expect((await me(m.token)).body.user.name).toBe(`Own ${i - 1}`)
      const patch = await rest(`${ctx.api}/members/${m.id}`, { method: 'PATCH', token: m.token, body: { name: `Own ${i}` } })
      expect(patch.status, JSON.stringify(patch.body)).toBe(200)
      expect((await me(m.token)).body.user.name).toBe(`Own ${i}`)
    }
  })

  it('a session ended elsewhere (logout on another process) stops its token at once', async () => {
    const m = await createMember(payload)
    const login = await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: m.password } })
    expect(login.status).toBe(200)
    const token = login.body.token as string
    expect((await me(token)).body.user.id).toBe(m.id)
    const ledger = `${ctx.api}/point-transactions?where[member][equals]=${m.id}`
    expect((await rest(ledger, { token })).status).toBe(200)
    const sid = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid as string
    const gone = await other.query(`delete from members_sessions where id = $1`, [sid])
    expect(gone.rowCount).toBe(1)
    await awaitCacheInvalidation()
    expect((await me(token)).body.user).toBeNull()
    expect((await rest(ledger, { token })).status).toBe(403)
    // The member's other session is untouched.
    expect((await me(m.token)).body.user.id).toBe(m.id)
  })

  it('a member blocked by another process can no longer redeem', async () => {
    const m = await createMember(payload)
    expect((await me(m.token)).body.user.status).toBe('active')
    await other.query(`update members set status = 'blocked' where id = $1`, [m.id])
    await awaitCacheInvalidation()
    expect((await me(m.token)).body.user.status).toBe('blocked')
    const v = await createVoucher(payload, { pointsCost: 1, stock: 5 })
    const redeem = await rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: { voucher: v.id } })
    expect(redeem.status, JSON.stringify(redeem.body)).toBe(403)
    expect(redeem.body.errors[0].code).toBe('MEMBER_INACTIVE')
    expect((await payload.findByID({ collection: 'vouchers', id: v.id, overrideAccess: true })).stock).toBe(5)
  })

  it('reads inside a transaction see its own uncommitted changes and leave nothing behind', async () => {
    const m = await createMember(payload, { name: 'Committed' })
    expect((await me(m.token)).body.user.name).toBe('Committed')
    const req = { transactionID: await payload.db.beginTransaction() } as never
    try {
      await payload.update({ collection: 'members', id: m.id, data: { name: 'Uncommitted' } as never, req, overrideAccess: true })
      const inside = await payload.findByID({ collection: 'members', id: m.id, req, overrideAccess: true })
      expect(inside.name).toBe('Uncommitted')
      // Outside the transaction, the committed name (not the transaction's).
      expect((await me(m.token)).body.user.name).toBe('Committed')
    } finally {
      await payload.db.rollbackTransaction((req as { transactionID: string | number }).transactionID)
    }
    expect((await me(m.token)).body.user.name).toBe('Committed')
  })

  it('answers hold the reader’s own account only, with the fields a member may read', async () => {
    const a = await createMember(payload, { name: 'Reader A' })
    const b = await createMember(payload, { name: 'Reader B' })
    await other.query(`update members set id_document_number = 'SECRET-1' where id = $1`, [a.id])
    await awaitCacheInvalidation()
    for (let i = 0; i < 3; i++) {
      const [ra, rb] = await Promise.all([me(a.token), me(b.token)])
      expect(ra.body.user.id).toBe(a.id)
      expect(rb.body.user.id).toBe(b.id)
      expect(ra.body.user).not.toHaveProperty('idDocumentNumber')
      expect(ra.body.user).not.toHaveProperty('hash')
      expect(ra.body.user).not.toHaveProperty('salt')
    }
    // An admin reading the same account (the same remembered row) still sees the admin-only field.
    const admin = await createStaff(payload, ctx.api, 'admin')
    const asAdmin = await rest(`${ctx.api}/members/${a.id}`, { token: admin.token })
    expect(asAdmin.body.idDocumentNumber).toBe('SECRET-1')
    expect((await me(a.token)).body.user).not.toHaveProperty('idDocumentNumber')
  })
})

describe('staff accounts', () => {
  it('a role changed by another process applies to the next request', async () => {
    const staff = await createStaff(payload, ctx.api, 'admin')
    const members = `${ctx.api}/members?limit=1`
    expect((await rest(members, { token: staff.token })).status).toBe(200)
    await other.query(`update users set role = 'editor' where id = $1`, [staff.id])
    await awaitCacheInvalidation()
    const after = await rest(members, { token: staff.token })
    expect(after.status).toBe(403)
    await other.query(`update users set role = 'admin' where id = $1`, [staff.id])
  })
})

describe('rules and settings', () => {
  type LoyaltyGlobal = { redemptionValidityDays?: number | null }
  const validity = async () => ((await payload.findGlobal({ slug: 'loyalty', depth: 0 })) as LoyaltyGlobal).redemptionValidityDays

  it('loyalty rules changed by another process are read again', async () => {
    const before = (await validity()) ?? 30
    // Saved once through Payload, so that the global has its row.
    await payload.updateGlobal({ slug: 'loyalty', data: { redemptionValidityDays: before } as never })
    expect(await validity()).toBe(before)
    expect(await validity()).toBe(before)
    const next = (before % 300) + 7
    const changed = await other.query(`update loyalty set redemption_validity_days = $1`, [next])
    expect(changed.rowCount).toBe(1)
    await awaitCacheInvalidation()
    try {
      expect(await validity()).toBe(next)
    } finally {
      await other.query(`update loyalty set redemption_validity_days = $1`, [before])
      await awaitCacheInvalidation()
    }
    expect(await validity()).toBe(before)
  })
})
