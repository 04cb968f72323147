import type { Payload } from 'payload'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { patronJobs } from '../../src/jobs'
import { dbFor, rows, sql } from '../../src/lib/db/sql'
import { mergeCartIntoMember, removeAbandonedCarts } from '../../src/services/commerce/carts'
import { createProduct, orderRow } from '../helpers/commerce'
import { getTestContext, type TestContext } from '../helpers/context'
import { createMember, createVoucher, setBalance, type MemberFixture } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let payload: Payload
let admin: StaffFixture
let savedSettings: Record<string, unknown>

// Settings used by every expectation below: delivery 4.50, tax 8 %, service charge 1.00.
const SETTINGS = { deliveryFee: 450, taxRate: 8, serviceCharge: 100 }

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  admin = await createStaff(payload, ctx.api, 'admin')
  const s = (await payload.findGlobal({ slug: 'settings', depth: 0, overrideAccess: true })) as unknown as Record<string, unknown>
  savedSettings = { deliveryFee: s.deliveryFee, taxRate: s.taxRate, serviceCharge: s.serviceCharge, abandonedCartDays: s.abandonedCartDays }
  await payload.updateGlobal({ slug: 'settings', data: SETTINGS as never })
})

afterAll(async () => {
  // Other files share this database: leave the settings as we found them.
  await payload.updateGlobal({ slug: 'settings', data: savedSettings as never })
})

type Line = { product: number; quantity: number }

const createCart = (items: Line[], token?: string, extra: Record<string, unknown> = {}) =>
  rest(`${ctx.api}/carts?depth=0`, { method: 'POST', token, body: { items, ...extra } })
const getCart = (id: string, token?: string) => rest(`${ctx.api}/carts/${id}?depth=0`, { token })
const patchCart = (id: string, body: Record<string, unknown>, token?: string) => rest(`${ctx.api}/carts/${id}?depth=0`, { method: 'PATCH', token, body })
const checkout = (id: string, token?: string, body: Record<string, unknown> = {}) => rest(`${ctx.api}/carts/${id}/checkout`, { method: 'POST', token, body })

async function cartRow(id: string) {
  const [c] = await rows<{ id: string; member_id: number | null; status: string; order_id: number | null; total: string }>(
    await dbFor(payload),
    sql`select id, member_id, status, order_id, total from carts where id = ${id}`,
  )
  return c
}

async function cartLines(id: string) {
  return rows<{ product_id: number; quantity: string }>(await dbFor(payload), sql`select product_id, quantity from carts_items where _parent_id = ${id} order by _order`)
}

/** Totals the way SPEC §2 says: goods + tax on goods (half up) + delivery + service charge. */
function expectedTotals(goods: number) {
  const taxAmount = Math.round((goods * SETTINGS.taxRate) / 100)
  return { subtotal: goods, taxAmount, deliveryFee: SETTINGS.deliveryFee, serviceCharge: SETTINGS.serviceCharge, total: goods + taxAmount + SETTINGS.deliveryFee + SETTINGS.serviceCharge }
}

async function memberCarts(m: MemberFixture) {
  const res = await rest(`${ctx.api}/carts?depth=0&limit=100`, { token: m.token })
  expect(res.status).toBe(200)
  return res.body.docs as Array<{ id: string; member: number; status: string; items: Line[] }>
}

describe('anonymous carts', () => {
  it('gets a random url-safe id (not the client one) and totals computed by the server', async () => {
    const a = await createProduct(payload, { price: 1250, stock: 10 })
    const b = await createProduct(payload, { price: 399, stock: 10 })
    const chosen = 'my-own-chosen-cart-id-0001'
    const res = await createCart(
      [
        { product: a.id, quantity: 2, unitPrice: 1, lineTotal: 2, title: 'cheap' } as Line,
        { product: b.id, quantity: 3 },
      ],
      undefined,
      { id: chosen, subtotal: 1, total: 1, deliveryFee: 0, taxAmount: 0, status: 'converted', member: 1 },
    )
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const cart = res.body.doc
    expect(typeof cart.id).toBe('string')
    expect(cart.id).not.toBe(chosen)
    expect(cart.id).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    expect(cart.status).toBe('active')
    expect(cart.member ?? null).toBeNull()
    expect(cart.items).toHaveLength(2)
    expect(cart.items[0]).toMatchObject({ product: a.id, quantity: 2, unitPrice: 1250, lineTotal: 2500 })
    expect(cart.items[1]).toMatchObject({ product: b.id, quantity: 3, unitPrice: 399, lineTotal: 1197 })
    // 36.97 of goods, 8 % tax = 2.96 (2.9576 half up), delivery 4.50, service 1.00
    expect(cart).toMatchObject({ subtotal: 3697, taxAmount: 296, deliveryFee: 450, serviceCharge: 100, total: 3697 + 296 + 450 + 100 })
    expect(await payload.count({ collection: 'carts', where: { id: { equals: chosen } }, overrideAccess: true })).toMatchObject({ totalDocs: 0 })
    const row = await cartRow(cart.id)
    expect(row).toMatchObject({ status: 'active', member_id: null })
    expect(Number(row.total)).toBe(4543)

    // Two carts never share an id.
    const other = await createCart([{ product: a.id, quantity: 1 }], undefined, { id: cart.id })
    expect(other.status).toBe(201)
    expect(other.body.doc.id).not.toBe(cart.id)
    expect(await cartLines(cart.id)).toHaveLength(2)
  })

  it('is readable by its id, never by listing', async () => {
    const p = await createProduct(payload, { price: 500 })
    const created = await createCart([{ product: p.id, quantity: 1 }])
    expect(created.status).toBe(201)
    const id = created.body.doc.id as string

    const one = await getCart(id)
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ id, items: [{ product: p.id, quantity: 1 }], ...expectedTotals(500) })

    const list = await rest(`${ctx.api}/carts?depth=0&limit=100`)
    if (list.status === 200) expect(list.body.docs).toEqual([])
    else expect([401, 403]).toContain(list.status)
    const filtered = await rest(`${ctx.api}/carts?depth=0&where[id][equals]=${id}`)
    if (filtered.status === 200) expect(filtered.body.docs).toEqual([])
    else expect([401, 403]).toContain(filtered.status)

    expect((await getCart('no-such-cart-id-aaaaaaaaaa')).status).toBe(404)
  })

  it('recomputes lines and totals when the items change, ignoring client prices', async () => {
    const a = await createProduct(payload, { price: 1000, stock: 20 })
    const b = await createProduct(payload, { price: 250, stock: 20 })
    const id = (await createCart([{ product: a.id, quantity: 1 }])).body.doc.id as string

    const res = await patchCart(id, { items: [{ product: a.id, quantity: 3, unitPrice: 1 }, { product: b.id, quantity: 2 }], total: 5, subtotal: 5 })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.doc.items).toMatchObject([
      { product: a.id, quantity: 3, unitPrice: 1000, lineTotal: 3000 },
      { product: b.id, quantity: 2, unitPrice: 250, lineTotal: 500 },
    ])
    expect(res.body.doc).toMatchObject(expectedTotals(3500))

    // The same product twice is one line.
    const merged = await patchCart(id, { items: [{ product: b.id, quantity: 1 }, { product: b.id, quantity: 4 }] })
    expect(merged.status, JSON.stringify(merged.body)).toBe(200)
    expect(merged.body.doc.items).toMatchObject([{ product: b.id, quantity: 5, lineTotal: 1250 }])
    expect(merged.body.doc).toMatchObject(expectedTotals(1250))

    const emptied = await patchCart(id, { items: [] })
    expect(emptied.status).toBe(200)
    expect(emptied.body.doc).toMatchObject({ items: [], subtotal: 0, total: 0 })
  })

  it('refuses unpublished or archived products (400) and quantities above the stock (409 OUT_OF_STOCK)', async () => {
    const ok = await createProduct(payload, { price: 700, stock: 3 })
    const draft = await createProduct(payload, { published: false })
    const archived = await createProduct(payload, { status: 'archived' })
    for (const product of [draft.id, archived.id, 999_999_999]) {
      const res = await createCart([{ product, quantity: 1 }])
      expect(res.status, JSON.stringify(res.body)).toBe(400)
    }
    for (const quantity of [0, -1, 1.5]) {
      const res = await createCart([{ product: ok.id, quantity }])
      expect(res.status, `quantity ${quantity}`).toBe(400)
    }
    const tooMany = await createCart([{ product: ok.id, quantity: 4 }])
    expect(tooMany.status, JSON.stringify(tooMany.body)).toBe(409)
    expect(tooMany.body.errors[0].code).toBe('OUT_OF_STOCK')

    const id = (await createCart([{ product: ok.id, quantity: 3 }])).body.doc.id as string
    const patchTooMany = await patchCart(id, { items: [{ product: ok.id, quantity: 4 }] })
    expect(patchTooMany.status).toBe(409)
    expect(patchTooMany.body.errors[0].code).toBe('OUT_OF_STOCK')
    const patchDraft = await patchCart(id, { items: [{ product: ok.id, quantity: 1 }, { product: draft.id, quantity: 1 }] })
    expect(patchDraft.status).toBe(400)
    expect(await cartLines(id)).toEqual([{ product_id: ok.id, quantity: '3' }])
  })
})

describe('member carts', () => {
  it('belong to the signed-in member and are invisible to other members and anonymous callers holding the id', async () => {
    const p = await createProduct(payload, { price: 800 })
    const owner = await createMember(payload)
    const other = await createMember(payload)
    const res = await createCart([{ product: p.id, quantity: 2 }], owner.token, { member: other.id })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const id = res.body.doc.id as string
    expect(res.body.doc.member).toBe(owner.id)

    expect((await getCart(id, owner.token)).status).toBe(200)
    expect((await memberCarts(owner)).map((c) => c.id)).toContain(id)

    for (const token of [other.token, undefined]) {
      expect((await getCart(id, token)).status).toBe(404)
      expect((await patchCart(id, { items: [{ product: p.id, quantity: 1 }] }, token)).status).toBe(404)
      expect((await rest(`${ctx.api}/carts/${id}`, { method: 'DELETE', token })).status).toBe(404)
    }
    expect((await memberCarts(other)).map((c) => c.id)).not.toContain(id)
    const byWhere = await rest(`${ctx.api}/carts?depth=0&where[id][equals]=${id}`, { token: other.token })
    expect(byWhere.status).toBe(200)
    expect(byWhere.body.docs).toEqual([])
    expect(await cartLines(id)).toEqual([{ product_id: p.id, quantity: '2' }])
    expect((await cartRow(id)).member_id).toBe(owner.id)

    // A member's list shows its own carts only, never anonymous ones.
    const anon = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    const mine = await memberCarts(owner)
    expect(mine.every((c) => c.member === owner.id)).toBe(true)
    expect(mine.map((c) => c.id)).not.toContain(anon)
  })

  it('at login, an anonymous cart becomes the member’s when it has none', async () => {
    const p = await createProduct(payload, { price: 900, stock: 10 })
    const m = await createMember(payload)
    const created = (await createCart([{ product: p.id, quantity: 2 }])).body.doc
    const id = created.id as string

    const login = await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: m.password, cart: id } })
    expect(login.status, JSON.stringify(login.body)).toBe(200)
    expect(await cartRow(id)).toMatchObject({ member_id: m.id, status: 'active' })
    expect((await getCart(id, m.token)).body.createdAt).toBe(created.createdAt)
    const carts = await memberCarts(m)
    expect(carts.map((c) => c.id)).toEqual([id])
    expect(carts[0].items).toMatchObject([{ product: p.id, quantity: 2 }])
    // Now it is the member's: an anonymous caller holding the id no longer reaches it.
    expect((await getCart(id)).status).toBe(404)
    // The session the login created survived the merge.
    const me = await rest(`${ctx.api}/members/me`, { token: login.body.token })
    expect(me.body?.user?.id).toBe(m.id)
    expect((await getCart(id, login.body.token)).status).toBe(200)
  })

  it('at login, drops lines no longer on sale and caps quantities at the stock; the login never fails for the cart', async () => {
    const a = await createProduct(payload, { price: 1000, stock: 10 })
    const gone = await createProduct(payload, { price: 500, stock: 10 })
    const m = await createMember(payload)
    const id = (await createCart([{ product: a.id, quantity: 8 }, { product: gone.id, quantity: 1 }])).body.doc.id as string
    await payload.update({ collection: 'products', id: gone.id, data: { status: 'archived' } as never, overrideAccess: true })
    await payload.update({ collection: 'products', id: a.id, data: { stockAdjustment: -5 } as never, overrideAccess: true })
    const login = await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: m.password, cart: id } })
    expect(login.status, JSON.stringify(login.body)).toBe(200)
    expect(await cartRow(id)).toMatchObject({ member_id: m.id })
    expect(await cartLines(id)).toEqual([{ product_id: a.id, quantity: '5' }])
    expect((await getCart(id, login.body.token)).body).toMatchObject(expectedTotals(5000))

    // The service on its own (no login request) does the same in its own transaction.
    const other = await createMember(payload)
    const anon = (await createCart([{ product: a.id, quantity: 2 }])).body.doc.id as string
    expect(await mergeCartIntoMember(payload, anon, other.id)).toEqual({ cartId: anon })
    expect(await cartRow(anon)).toMatchObject({ member_id: other.id, status: 'active' })
    expect(await mergeCartIntoMember(payload, anon, m.id)).toBeNull()
    expect((await cartRow(anon)).member_id).toBe(other.id)

    // An unknown or malformed cart id does not fail the login either.
    for (const cart of ['no-such-cart-id-aaaaaaaaaa', 42, 'x'.repeat(200)]) {
      const res = await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: m.password, cart } })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect((await rest(`${ctx.api}/members/me`, { token: res.body.token })).body?.user?.id).toBe(m.id)
    }
  })

  it('at login, anonymous lines join the member’s own cart (quantities summed) and the anonymous cart disappears', async () => {
    const a = await createProduct(payload, { price: 1000, stock: 10 })
    const b = await createProduct(payload, { price: 300, stock: 10 })
    const m = await createMember(payload)
    const own = (await createCart([{ product: a.id, quantity: 1 }], m.token)).body.doc.id as string
    const anon = (await createCart([{ product: a.id, quantity: 2 }, { product: b.id, quantity: 4 }])).body.doc.id as string

    const login = await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: m.password, cart: anon } })
    expect(login.status, JSON.stringify(login.body)).toBe(200)
    expect(login.body.token).toBeTruthy()
    expect(await cartRow(anon)).toBeUndefined()
    expect(await cartLines(anon)).toEqual([])
    const carts = await memberCarts(m)
    expect(carts.map((c) => c.id)).toEqual([own])
    const res = await getCart(own, m.token)
    expect(res.body.items.map((i: Line) => [i.product, i.quantity]).sort()).toEqual([[a.id, 3], [b.id, 4]].sort())
    expect(res.body).toMatchObject(expectedTotals(3000 + 1200))

    // Another member's cart id in the login body changes nothing.
    const stranger = await createMember(payload)
    const theirs = (await createCart([{ product: b.id, quantity: 1 }], stranger.token)).body.doc.id as string
    const again = await rest(`${ctx.api}/members/login`, { body: { email: m.email, password: m.password, cart: theirs } })
    expect(again.status).toBe(200)
    expect(await cartRow(theirs)).toMatchObject({ member_id: stranger.id, status: 'active' })
    expect((await memberCarts(m)).map((c) => c.id)).toEqual([own])
  })
})

describe('POST /api/carts/:id/checkout', () => {
  it('creates a pending order priced afresh from the products, converts the cart and refuses a second checkout', async () => {
    const a = await createProduct(payload, { price: 1500, stock: 10 })
    const b = await createProduct(payload, { price: 200, stock: 10 })
    const m = await createMember(payload)
    const id = (await createCart([{ product: a.id, quantity: 2 }, { product: b.id, quantity: 1 }], m.token)).body.doc.id as string
    // The price changes after the cart was filled: the order takes today's price.
    await payload.update({ collection: 'products', id: a.id, data: { price: 1600 } as never, overrideAccess: true })

    const res = await checkout(id, m.token, { total: 1, subtotal: 1, status: 'delivered', paymentStatus: 'paid', member: 1, deliveryAddress: { line1: '1 Main St', city: 'Springfield' } })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const order = res.body.order
    expect(order).toMatchObject({ status: 'pending', paymentStatus: 'pending', member: m.id, source: 'storefront', ...expectedTotals(3400), discountTotal: 0 })
    expect(order.items.map((i: { product: number | { id: number }; quantity: number; unitPrice: number }) => [typeof i.product === 'object' ? i.product.id : i.product, i.quantity, i.unitPrice])).toEqual([
      [a.id, 2, 1600],
      [b.id, 1, 200],
    ])
    const row = await orderRow(payload, order.id)
    expect(row).toMatchObject({ status: 'pending', member_id: m.id })
    expect(Number(row.total)).toBe(expectedTotals(3400).total)

    expect(await cartRow(id)).toMatchObject({ status: 'converted', order_id: order.id, member_id: m.id })
    const cart = await getCart(id, m.token)
    expect(cart.body).toMatchObject({ status: 'converted', order: order.id })

    const orders = await rest(`${ctx.api}/orders?depth=0&where[member][equals]=${m.id}`, { token: m.token })
    expect(orders.body.docs.map((o: { id: number }) => o.id)).toEqual([order.id])
    // Another member sees neither the order nor the cart.
    const stranger = await createMember(payload)
    expect((await rest(`${ctx.api}/orders/${order.id}?depth=0`, { token: stranger.token })).status).toBe(404)
    const theirList = await rest(`${ctx.api}/orders?depth=0&limit=100&where[member][equals]=${m.id}`, { token: stranger.token })
    expect(theirList.status).toBe(200)
    expect(theirList.body.docs).toEqual([])
    expect((await getCart(id, stranger.token)).status).toBe(404)
    expect((await getCart(id)).status).toBe(404)

    const second = await checkout(id, m.token)
    expect(second.status).toBe(409)
    const changed = await patchCart(id, { items: [{ product: b.id, quantity: 2 }] }, m.token)
    expect(changed.status, JSON.stringify(changed.body)).toBe(409)
    expect(await cartLines(id)).toHaveLength(2)
    expect((await payload.count({ collection: 'orders', where: { member: { equals: m.id } }, overrideAccess: true })).totalDocs).toBe(1)
  })

  it('checks a cart out once under concurrent requests, and a change racing the checkout never lands after it', async () => {
    const a = await createProduct(payload, { price: 1000, stock: 50 })
    const b = await createProduct(payload, { price: 100, stock: 50 })
    const m = await createMember(payload)
    const id = (await createCart([{ product: a.id, quantity: 1 }], m.token)).body.doc.id as string
    const results = await Promise.all(Array.from({ length: 4 }, () => checkout(id, m.token)))
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409])
    expect((await payload.count({ collection: 'orders', where: { member: { equals: m.id } }, overrideAccess: true })).totalDocs).toBe(1)

    for (let round = 0; round < 4; round++) {
      const cart = (await createCart([{ product: a.id, quantity: 1 }])).body.doc.id as string
      const [changed, done] = await Promise.all([
        patchCart(cart, { items: [{ product: a.id, quantity: 2 }, { product: b.id, quantity: 3 }] }),
        checkout(cart, m.token),
      ])
      expect(done.status, JSON.stringify(done.body)).toBe(201)
      expect([200, 409]).toContain(changed.status)
      const ordered = await rows<{ product_id: number; quantity: string }>(
        await dbFor(payload),
        sql`select product_id, quantity from orders_items where _parent_id = ${done.body.order.id} order by _order`,
      )
      // The converted cart shows exactly what was ordered.
      expect(await cartLines(cart)).toEqual(ordered)
    }
  })

  it('refuses to check out a cart whose product went off sale (400), leaving it active', async () => {
    const p = await createProduct(payload, { price: 1000, stock: 5 })
    const m = await createMember(payload)
    const id = (await createCart([{ product: p.id, quantity: 1 }], m.token)).body.doc.id as string
    await payload.update({ collection: 'products', id: p.id, data: { status: 'archived' } as never, overrideAccess: true })
    const res = await checkout(id, m.token)
    expect(res.status, JSON.stringify(res.body)).toBe(400)
    expect(await cartRow(id)).toMatchObject({ status: 'active', order_id: null })
  })

  it('lets a member check out an anonymous cart it holds, which becomes its own', async () => {
    const p = await createProduct(payload, { price: 1000, stock: 5 })
    const m = await createMember(payload)
    const id = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    const res = await checkout(id, m.token)
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body.order).toMatchObject({ member: m.id, status: 'pending' })
    expect(await cartRow(id)).toMatchObject({ status: 'converted', member_id: m.id })
    expect((await getCart(id)).status).toBe(404)
  })

  it('refuses anonymous callers, staff, other members, unknown and empty carts', async () => {
    const p = await createProduct(payload, { price: 1000, stock: 5 })
    const owner = await createMember(payload)
    const other = await createMember(payload)
    const id = (await createCart([{ product: p.id, quantity: 1 }], owner.token)).body.doc.id as string
    const anonId = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string

    expect([401, 403]).toContain((await checkout(anonId)).status)
    expect([401, 403]).toContain((await checkout(id)).status)
    expect((await checkout(id, admin.token)).status).toBe(403)
    const stolen = await checkout(id, other.token)
    expect(stolen.status).toBe(404)
    expect((await checkout('no-such-cart-id-aaaaaaaaaa', owner.token)).status).toBe(404)
    expect(await cartRow(id)).toMatchObject({ status: 'active', member_id: owner.id, order_id: null })
    expect(await cartRow(anonId)).toMatchObject({ status: 'active', member_id: null, order_id: null })
    expect((await payload.count({ collection: 'orders', where: { member: { equals: other.id } }, overrideAccess: true })).totalDocs).toBe(0)

    const empty = (await createCart([], owner.token)).body.doc.id as string
    const res = await checkout(empty, owner.token)
    expect(res.status).toBe(400)
    expect((await cartRow(empty)).status).toBe('active')
  })

  it('applies a pending voucher redemption of the member and marks it used; another member’s is 400, a used one 409', async () => {
    const p = await createProduct(payload, { price: 2000, stock: 20 })
    const voucher = await createVoucher(payload, { pointsCost: 100, stock: 10, discountType: 'fixed', discountValue: 500 })
    const m = await createMember(payload)
    const other = await createMember(payload)
    await setBalance(payload, m.id, 500, admin.id)
    await setBalance(payload, other.id, 500, admin.id)
    const redeemed = await rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: { voucher: voucher.id } })
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(201)
    const redemption = redeemed.body.redemption.id as number
    const theirs = (await rest(`${ctx.api}/redemptions/redeem`, { token: other.token, body: { voucher: voucher.id } })).body.redemption.id as number

    // Someone else's redemption: refused, the cart stays active, nothing used.
    const cartA = (await createCart([{ product: p.id, quantity: 2 }], m.token)).body.doc.id as string
    const wrong = await checkout(cartA, m.token, { redemption: theirs })
    expect(wrong.status, JSON.stringify(wrong.body)).toBe(400)
    expect((await cartRow(cartA)).status).toBe('active')
    expect((await payload.findByID({ collection: 'redemptions', id: theirs, overrideAccess: true })).status).toBe('pending')

    const res = await checkout(cartA, m.token, { redemption, discountTotal: 4000 })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    // 40.00 − 5.00 = 35.00 of goods; 8 % tax = 2.80; + 4.50 + 1.00
    expect(res.body.order).toMatchObject({ subtotal: 4000, discountTotal: 500, taxAmount: 280, total: 3500 + 280 + 450 + 100, redemption })
    const used = await payload.findByID({ collection: 'redemptions', id: redemption, overrideAccess: true })
    expect(used.status).toBe('used')
    expect(used.usedAt).toBeTruthy()

    const cartB = (await createCart([{ product: p.id, quantity: 1 }], m.token)).body.doc.id as string
    const reuse = await checkout(cartB, m.token, { redemption })
    expect(reuse.status, JSON.stringify(reuse.body)).toBe(409)
    expect(await cartRow(cartB)).toMatchObject({ status: 'active', order_id: null })
    expect((await payload.count({ collection: 'orders', where: { member: { equals: m.id } }, overrideAccess: true })).totalDocs).toBe(1)

    // Garbage is a 400, not a 500.
    for (const body of [{ redemption: 'abc' }, { deliveryAddress: 'street' }, { customerNote: 5 }]) {
      const bad = await checkout(cartB, m.token, body)
      expect(bad.status, JSON.stringify(body)).toBe(400)
    }
    expect((await cartRow(cartB)).status).toBe('active')
  })
})

describe('abandoned carts', () => {
  async function age(id: string, days: number) {
    await (await dbFor(payload)).execute(sql`update carts set updated_at = now() - make_interval(days => ${days}) where id = ${id}`)
  }

  it('removeAbandonedCarts deletes active carts untouched for N days, keeping fresh and converted ones', async () => {
    const p = await createProduct(payload, { price: 100, stock: 50 })
    const m = await createMember(payload)
    const stale = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    const staleMember = (await createCart([{ product: p.id, quantity: 1 }], m.token)).body.doc.id as string
    const fresh = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    const recent = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    const converted = (await createCart([{ product: p.id, quantity: 1 }], m.token)).body.doc.id as string
    expect((await checkout(converted, m.token)).status).toBe(201)
    await age(stale, 31)
    await age(staleMember, 40)
    await age(recent, 29)
    await age(converted, 400)

    const removed = await removeAbandonedCarts(payload, 30)
    expect(removed).toBeGreaterThanOrEqual(2)
    expect(await cartRow(stale)).toBeUndefined()
    expect(await cartRow(staleMember)).toBeUndefined()
    expect(await cartLines(stale)).toEqual([])
    expect(await cartRow(fresh)).toBeDefined()
    expect(await cartRow(recent)).toBeDefined()
    expect(await cartRow(converted)).toMatchObject({ status: 'converted' })
    // Idempotent: a second run finds none of ours.
    await removeAbandonedCarts(payload, 30)
    expect(await cartRow(fresh)).toBeDefined()

    await expect(removeAbandonedCarts(payload, 0)).rejects.toMatchObject({ status: 400 })
  })

  it('the remove-abandoned-carts job uses settings.abandonedCartDays', async () => {
    const job = patronJobs.find((j) => j.slug === 'remove-abandoned-carts')
    expect(job).toBeDefined()
    await payload.updateGlobal({ slug: 'settings', data: { abandonedCartDays: 7 } as never })
    const p = await createProduct(payload, { price: 100, stock: 50 })
    const old = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    const young = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    await age(old, 8)
    await age(young, 6)

    const summary = await job!.run(payload, {} as never)
    expect((summary as { cartsRemoved: number }).cartsRemoved).toBeGreaterThanOrEqual(1)
    expect(await cartRow(old)).toBeUndefined()
    expect(await cartRow(young)).toBeDefined()

    // The same through Payload's job queue, as the worker runs it.
    const older = (await createCart([{ product: p.id, quantity: 1 }])).body.doc.id as string
    await age(older, 9)
    const queued = await payload.jobs.queue({ task: 'remove-abandoned-carts', input: {} } as never)
    await payload.jobs.runByID({ id: queued.id })
    expect(await cartRow(older)).toBeUndefined()
    expect(await cartRow(young)).toBeDefined()
  })
})
