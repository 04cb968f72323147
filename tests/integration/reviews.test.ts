import type { Payload } from 'payload'
import { beforeAll, describe, expect, it } from 'vitest'
import { dbFor, rows, sql } from '../../src/lib/db/sql'
import { createOrder, createProduct, moveOrder } from '../helpers/commerce'
import { getTestContext, type TestContext } from '../helpers/context'
import { createMember, type MemberFixture } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let payload: Payload
let admin: StaffFixture
let moderator: StaffFixture
let editor: StaffFixture

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  admin = await createStaff(payload, ctx.api, 'admin')
  moderator = await createStaff(payload, ctx.api, 'moderator')
  editor = await createStaff(payload, ctx.api, 'editor')
})

/** A member's order of `productId`, moved up to `until` (delivered unless told). */
async function orderFor(member: MemberFixture, productId: number, until: 'pending' | 'confirmed' | 'dispatched' | 'delivered' | 'cancelled' = 'delivered') {
  const order = await createOrder(payload, { items: [{ product: productId, quantity: 1 }], member: member.id })
  if (until === 'cancelled') {
    await moveOrder(payload, order.id, 'cancelled')
    return order
  }
  const path = ['confirmed', 'dispatched', 'delivered']
  for (const step of path.slice(0, path.indexOf(until) + 1)) {
    await moveOrder(payload, order.id, step, step === 'dispatched' ? { trackingNumber: `TRK-${order.id}` } : {})
  }
  return order
}

/** A member who has received `productId`. */
async function buyer(productId: number) {
  const m = await createMember(payload)
  await orderFor(m, productId)
  return m
}

const write = (token: string | undefined, body: Record<string, unknown>) => rest(`${ctx.api}/reviews?depth=0`, { method: 'POST', token, body })
const patch = (id: number, token: string | undefined, body: Record<string, unknown>) => rest(`${ctx.api}/reviews/${id}?depth=0`, { method: 'PATCH', token, body })
const listFor = async (productId: number, token?: string) => {
  const res = await rest(`${ctx.api}/reviews?depth=0&limit=100&where[product][equals]=${productId}`, { token })
  expect(res.status).toBe(200)
  return res.body.docs as Array<{ id: number; member: number; rating: number; status: string; body: string; moderationNote?: string }>
}

async function ratingOf(productId: number) {
  const [r] = await rows<{ avg: string | null; n: number | null }>(await dbFor(payload), sql`select rating_average as avg, rating_count as n from products where id = ${productId}`)
  const api = await rest(`${ctx.api}/products/${productId}?depth=0`)
  expect(api.status).toBe(200)
  const db = { average: r.avg === null ? null : Number(r.avg), count: Number(r.n ?? 0) }
  expect({ average: api.body.ratingAverage ?? null, count: api.body.ratingCount ?? 0 }).toEqual(db)
  return db
}

async function reviewRow(id: number) {
  const [r] = await rows<{ status: string; rating: string; body: string; member_id: number; product_id: number }>(
    await dbFor(payload),
    sql`select status, rating, body, member_id, product_id from reviews where id = ${id}`,
  )
  return r
}

describe('writing a review', () => {
  it('is refused (403) until the member has received the product', async () => {
    const p = await createProduct(payload)
    const m = await createMember(payload)
    const body = { product: p.id, rating: 5, body: 'Lovely' }
    expect((await write(m.token, body)).status).toBe(403)
    for (const until of ['pending', 'confirmed', 'dispatched', 'cancelled'] as const) {
      await orderFor(m, p.id, until)
      const res = await write(m.token, body)
      expect(res.status, `${until}: ${JSON.stringify(res.body)}`).toBe(403)
    }
    // Someone else's delivery does not count.
    await buyer(p.id)
    expect((await write(m.token, body)).status).toBe(403)
    // Neither anonymous callers nor staff write reviews.
    expect([401, 403]).toContain((await write(undefined, body)).status)
    expect((await write(admin.token, body)).status).toBe(403)
    expect((await payload.count({ collection: 'reviews', where: { product: { equals: p.id } }, overrideAccess: true })).totalDocs).toBe(0)
  })

  it('after delivery: 201, pending, by the signed-in member whatever the client sent; once per product', async () => {
    const p = await createProduct(payload)
    const m = await createMember(payload)
    const other = await createMember(payload)
    await orderFor(m, p.id)
    const res = await write(m.token, { product: p.id, rating: 4, title: 'Good', body: 'Works well', status: 'approved', member: other.id, moderationNote: 'ok' })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.doc).toMatchObject({ product: p.id, member: m.id, rating: 4, status: 'pending', body: 'Works well' })
    expect(await reviewRow(res.body.doc.id)).toMatchObject({ status: 'pending', member_id: m.id, product_id: p.id })
    expect(await ratingOf(p.id)).toEqual({ average: null, count: 0 })

    const again = await write(m.token, { product: p.id, rating: 5, body: 'Even better' })
    expect(again.status, JSON.stringify(again.body)).toBe(409)
    expect((await payload.count({ collection: 'reviews', where: { member: { equals: m.id } }, overrideAccess: true })).totalDocs).toBe(1)
    expect((await payload.count({ collection: 'reviews', where: { member: { equals: other.id } }, overrideAccess: true })).totalDocs).toBe(0)
  })

  it('concurrent reviews of one product by one member: exactly one is written, the rest 409', async () => {
    const p = await createProduct(payload)
    const m = await buyer(p.id)
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => write(m.token, { product: p.id, rating: 5, body: `Take ${i}` })))
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409])
    expect((await payload.count({ collection: 'reviews', where: { member: { equals: m.id } }, overrideAccess: true })).totalDocs).toBe(1)
  })

  it('refuses ratings outside 1–5 or not whole, and a missing body or product (400)', async () => {
    const p = await createProduct(payload)
    const m = await buyer(p.id)
    for (const rating of [0, 6, 3.5, -1, null, 'five']) {
      const res = await write(m.token, { product: p.id, rating, body: 'Hmm' })
      expect(res.status, `rating ${JSON.stringify(rating)}: ${JSON.stringify(res.body)}`).toBe(400)
    }
    expect((await write(m.token, { product: p.id, rating: 3 })).status).toBe(400)
    expect((await write(m.token, { rating: 3, body: 'No product' })).status).toBe(400)
    expect((await payload.count({ collection: 'reviews', where: { member: { equals: m.id } }, overrideAccess: true })).totalDocs).toBe(0)
    // Still free to write a valid one.
    expect((await write(m.token, { product: p.id, rating: 3, body: 'Fine' })).status).toBe(201)
  })
})

describe('moderation and the product rating', () => {
  it('shows pending reviews to their author and staff only; approved ones to everyone; rating follows approvals', async () => {
    const p = await createProduct(payload)
    const [alice, bob, carol] = [await buyer(p.id), await buyer(p.id), await buyer(p.id)]
    const a = (await write(alice.token, { product: p.id, rating: 4, body: 'Nice' })).body.doc
    const b = (await write(bob.token, { product: p.id, rating: 5, body: 'Great' })).body.doc
    expect(a?.id && b?.id).toBeTruthy()

    expect(await listFor(p.id)).toEqual([])
    expect((await rest(`${ctx.api}/reviews/${a.id}`)).status).toBe(404)
    expect((await listFor(p.id, alice.token)).map((r) => r.id)).toEqual([a.id])
    expect((await listFor(p.id, carol.token)).map((r) => r.id)).toEqual([])
    expect((await rest(`${ctx.api}/reviews/${a.id}`, { token: carol.token })).status).toBe(404)
    expect((await listFor(p.id, moderator.token)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort())

    // A member cannot approve, not even its own review.
    const self = await patch(a.id, alice.token, { status: 'approved' })
    expect(self.status).toBe(403)
    expect((await reviewRow(a.id)).status).toBe('pending')
    expect((await patch(a.id, undefined, { status: 'approved' })).status).toBe(403)

    const approveA = await patch(a.id, moderator.token, { status: 'approved', moderationNote: 'checked' })
    expect(approveA.status, JSON.stringify(approveA.body)).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 4, count: 1 })
    const publicList = await listFor(p.id)
    expect(publicList.map((r) => r.id)).toEqual([a.id])
    expect(publicList[0].moderationNote).toBeUndefined()
    expect((await rest(`${ctx.api}/reviews/${a.id}?depth=0`)).body).toMatchObject({ id: a.id, status: 'approved', rating: 4 })

    expect((await patch(b.id, moderator.token, { status: 'approved' })).status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 4.5, count: 2 })
    expect((await listFor(p.id)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort())

    // Rejecting one recomputes.
    expect((await patch(b.id, moderator.token, { status: 'rejected' })).status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 4, count: 1 })
    expect((await listFor(p.id)).map((r) => r.id)).toEqual([a.id])
    expect((await listFor(p.id, bob.token)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort())

    // A change that does not touch the status leaves the rating alone; approving again brings it back.
    expect((await patch(b.id, moderator.token, { moderationNote: 'spam?' })).status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 4, count: 1 })
    expect((await patch(b.id, moderator.token, { status: 'approved' })).status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 4.5, count: 2 })

    // Three approved: 4, 5, 2 → 3.67
    const c = (await write(carol.token, { product: p.id, rating: 2, body: 'Meh' })).body.doc
    expect(await ratingOf(p.id)).toEqual({ average: 4.5, count: 2 })
    expect((await patch(c.id, admin.token, { status: 'approved' })).status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 3.67, count: 3 })

    // Deleting an approved review recomputes: by an admin, and by its author.
    expect((await rest(`${ctx.api}/reviews/${c.id}`, { method: 'DELETE', token: admin.token })).status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 4.5, count: 2 })
    expect([403, 404]).toContain((await rest(`${ctx.api}/reviews/${b.id}`, { method: 'DELETE', token: alice.token })).status)
    expect((await rest(`${ctx.api}/reviews/${b.id}`, { method: 'DELETE', token: moderator.token })).status).toBe(403)
    expect((await rest(`${ctx.api}/reviews/${b.id}`, { method: 'DELETE', token: bob.token })).status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 4, count: 1 })
    expect((await reviewRow(a.id)).status).toBe('approved')
  })

  it('concurrent approvals of one product’s reviews all count', async () => {
    const p = await createProduct(payload)
    const buyers = await Promise.all(Array.from({ length: 6 }, () => buyer(p.id)))
    const reviews: number[] = []
    for (const [i, m] of buyers.entries()) {
      const res = await write(m.token, { product: p.id, rating: (i % 5) + 1, body: `Review ${i}` })
      expect(res.status).toBe(201)
      reviews.push(res.body.doc.id)
    }
    const results = await Promise.all(reviews.map((id) => patch(id, moderator.token, { status: 'approved' })))
    expect(results.map((r) => r.status)).toEqual(reviews.map(() => 200))
    // ratings 1, 2, 3, 4, 5, 1 → 16 / 6 = 2.67
    expect(await ratingOf(p.id)).toEqual({ average: 2.67, count: 6 })
  })

  it('keeps the rating and text of a review out of a moderator’s or editor’s reach', async () => {
    const p = await createProduct(payload)
    const m = await buyer(p.id)
    const r = (await write(m.token, { product: p.id, rating: 5, body: 'Original words' })).body.doc
    for (const staff of [editor, moderator]) {
      const res = await patch(r.id, staff.token, { rating: 1, body: 'Put in my mouth', title: 'Changed', product: 1, member: 1 })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect(await reviewRow(r.id)).toMatchObject({ rating: '5', body: 'Original words', member_id: m.id, product_id: p.id })
    }
    const approved = await patch(r.id, editor.token, { status: 'approved', rating: 1 })
    expect(approved.status).toBe(200)
    expect(await ratingOf(p.id)).toEqual({ average: 5, count: 1 })
    expect(await reviewRow(r.id)).toMatchObject({ status: 'approved', rating: '5' })
  })

  it('keeps the rating fields of a product out of the API’s reach', async () => {
    const p = await createProduct(payload)
    const res = await rest(`${ctx.api}/products/${p.id}?depth=0`, { method: 'PATCH', token: admin.token, body: { ratingAverage: 5, ratingCount: 999 } })
    expect([200, 400, 403]).toContain(res.status)
    expect(await ratingOf(p.id)).toEqual({ average: null, count: 0 })
  })
})
