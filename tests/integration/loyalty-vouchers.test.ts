import { beforeAll, describe, expect, it } from 'vitest'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { createMember, createVoucher, setBalance } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let admin: StaffFixture
let editor: StaffFixture
let support: StaffFixture

beforeAll(async () => {
  ctx = await getTestContext()
  admin = await createStaff(ctx.payload, ctx.api, 'admin')
  editor = await createStaff(ctx.payload, ctx.api, 'editor')
  support = await createStaff(ctx.payload, ctx.api, 'support')
})

const DAY = 86_400_000

describe('who sees which vouchers', () => {
  it('the public sees active vouchers inside their validity window only; staff see all', async () => {
    const tag = uniq('VIS').toUpperCase()
    const live = await createVoucher(ctx.payload, { code: `${tag}-LIVE`, validFrom: new Date(Date.now() - DAY).toISOString(), validTo: new Date(Date.now() + DAY).toISOString() })
    const open = await createVoucher(ctx.payload, { code: `${tag}-OPEN` })
    const inactive = await createVoucher(ctx.payload, { code: `${tag}-OFF`, status: 'inactive' })
    const future = await createVoucher(ctx.payload, { code: `${tag}-SOON`, validFrom: new Date(Date.now() + DAY).toISOString() })
    const past = await createVoucher(ctx.payload, { code: `${tag}-GONE`, validTo: new Date(Date.now() - DAY).toISOString() })
    const query = `${ctx.api}/vouchers?limit=50&where[code][like]=${tag}`

    const anon = await rest(query)
    expect(anon.status).toBe(200)
    expect(anon.body.docs.map((d: { id: number }) => d.id).sort()).toEqual([live.id, open.id].sort())
    const member = await createMember(ctx.payload)
    const asMember = await rest(query, { token: member.token })
    expect(asMember.body.docs).toHaveLength(2)
    expect((await rest(`${ctx.api}/vouchers/${inactive.id}`)).status).toBe(404)

    const asSupport = await rest(query, { token: support.token })
    expect(asSupport.body.docs.map((d: { id: number }) => d.id).sort()).toEqual([live.id, open.id, inactive.id, future.id, past.id].sort())
  })
})

describe('who changes vouchers', () => {
  it('admins create and change them; members and support cannot', async () => {
    const code = uniq('NEW').toUpperCase()
    const data = { code, name: 'Ten off', pointsCost: 100, stock: 5, discountType: 'fixed', discountValue: 1000 }
    expect((await rest(`${ctx.api}/vouchers`, { token: support.token, body: data })).status).toBe(403)
    const m = await createMember(ctx.payload)
    expect((await rest(`${ctx.api}/vouchers`, { token: m.token, body: data })).status).toBe(403)
    const created = await rest(`${ctx.api}/vouchers`, { token: admin.token, body: { ...data, code: code.toLowerCase() } })
    expect(created.status).toBe(201)
    expect(created.body.doc.code).toBe(code)
    const dup = await rest(`${ctx.api}/vouchers`, { token: admin.token, body: data })
    expect(dup.status).toBe(400)
  })

  it('editors change the description only: stock, cost and status they send are dropped', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 300, stock: 7 })
    const description = { root: { type: 'root', version: 1, direction: null, format: '', indent: 0, children: [{ type: 'paragraph', version: 1, direction: null, format: '', indent: 0, textFormat: 0, textStyle: '', children: [{ type: 'text', version: 1, text: 'A lovely voucher', detail: 0, format: 0, mode: 'normal', style: '' }] }] } }
    const res = await rest(`${ctx.api}/vouchers/${v.id}`, { method: 'PATCH', token: editor.token, body: { description, stock: 9999, pointsCost: 1, status: 'inactive', code: 'HIJACK' } })
    expect(res.status).toBe(200)
    const after = await ctx.payload.findByID({ collection: 'vouchers', id: v.id })
    expect(JSON.stringify(after.description)).toContain('A lovely voucher')
    expect(after).toMatchObject({ stock: 7, pointsCost: 300, status: 'active', code: v.code })
    expect((await rest(`${ctx.api}/vouchers/${v.id}`, { method: 'DELETE', token: editor.token })).status).toBe(403)
  })

  it('rejects impossible vouchers with 400', async () => {
    const base = { name: 'Bad', discountType: 'percentage', stock: 1 }
    expect((await rest(`${ctx.api}/vouchers`, { token: admin.token, body: { ...base, code: uniq('B'), pointsCost: 10, discountValue: 150 } })).status).toBe(400)
    expect((await rest(`${ctx.api}/vouchers`, { token: admin.token, body: { ...base, code: uniq('B'), pointsCost: 0, discountValue: 10 } })).status).toBe(400)
    expect((await rest(`${ctx.api}/vouchers`, { token: admin.token, body: { ...base, code: uniq('B'), pointsCost: 10, discountValue: 10, stock: -1 } })).status).toBe(400)
  })
})

describe('redeem rate limit', () => {
  it('answers 429 with Retry-After past the per-member limit', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 1, stock: 1000 })
    const m = await createMember(ctx.payload)
    await setBalance(ctx.payload, m.id, 1000, admin.id)
    const limit = Number(process.env.RATE_LIMIT_REDEEM || 20)
    const statuses: number[] = []
    let retryAfter: string | null = null
    for (let i = 0; i <= limit; i++) {
      const r = await rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: { voucher: v.id } })
      statuses.push(r.status)
      if (r.status === 429) retryAfter = r.headers.get('retry-after')
    }
    expect(statuses.slice(0, limit).every((s) => s === 201)).toBe(true)
    expect(statuses[limit]).toBe(429)
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
    expect((await ctx.payload.count({ collection: 'redemptions', where: { member: { equals: m.id } } })).totalDocs).toBe(limit)
  })
})

describe('stock under concurrent admin edits', () => {
  it("an admin's save never writes back stale stock; restocking is a delta", async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 1, stock: 30 })
    const members = await Promise.all(Array.from({ length: 12 }, () => createMember(ctx.payload)))
    const redeems = members.map((m) => rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: { voucher: v.id } }))
    // What the admin panel sends: the whole form, including the stock it loaded.
    const saves = Array.from({ length: 6 }, (_, i) =>
      rest(`${ctx.api}/vouchers/${v.id}`, { method: 'PATCH', token: admin.token, body: { name: `Renamed ${i}`, stock: 30 } }),
    )
    const results = await Promise.all([...redeems, ...saves])
    expect(results.slice(0, 12).filter((r) => r.status === 201)).toHaveLength(12)
    expect(results.slice(12).every((r) => r.status === 200)).toBe(true)
    expect((await ctx.payload.findByID({ collection: 'vouchers', id: v.id })).stock).toBe(18)

    const restock = await rest(`${ctx.api}/vouchers/${v.id}`, { method: 'PATCH', token: admin.token, body: { stockAdjustment: 5, stock: 30 } })
    expect(restock.status).toBe(200)
    expect((await ctx.payload.findByID({ collection: 'vouchers', id: v.id })).stock).toBe(23)
    expect((await rest(`${ctx.api}/vouchers/${v.id}`, { method: 'PATCH', token: editor.token, body: { stockAdjustment: 100 } })).status).toBe(200)
    expect((await ctx.payload.findByID({ collection: 'vouchers', id: v.id })).stock).toBe(23)
  })

  it('removing more than is left is refused and changes nothing', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 1, stock: 2 })
    const m = await createMember(ctx.payload)
    expect((await rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: { voucher: v.id } })).status).toBe(201)
    const res = await rest(`${ctx.api}/vouchers/${v.id}`, { method: 'PATCH', token: admin.token, body: { stockAdjustment: -2, name: 'Lowered' } })
    expect(res.status).toBe(409)
    expect(res.body.errors[0].code).toBe('OUT_OF_STOCK')
    const after = await ctx.payload.findByID({ collection: 'vouchers', id: v.id })
    expect(after.stock).toBe(1)
    expect(after.name).not.toBe('Lowered')
    expect((await rest(`${ctx.api}/vouchers/${v.id}`, { method: 'PATCH', token: admin.token, body: { stockAdjustment: 1.5 } })).status).toBe(400)
  })
})
