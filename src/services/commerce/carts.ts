import crypto from 'node:crypto'
import { commitTransaction, initTransaction, killTransaction, type Payload, type PayloadRequest } from 'payload'
import { priceOrder } from '../../domain/pricing'
import { dbFor, rows, sql } from '../../lib/db/sql'
import { badRequest, conflict, notFound, PatronError } from '../../lib/errors'
import { parseOrderLines, snapshotLines } from './orders'
import { loadCommerceSettings } from './settings'

/** A cart id: 128 random bits, URL-safe. Holding it is what gives access to an anonymous cart. */
export const newCartId = () => crypto.randomBytes(16).toString('base64url')

/**
 * The server's version of a cart's lines and totals: each line checked
 * against a published, active product and its stock; prices from the
 * products; fees and tax from the settings. An empty cart totals zero.
 */
export async function priceCartData(payload: Payload, req: PayloadRequest, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const settings = await loadCommerceSettings(payload, req)
  const items = Array.isArray(data.items) ? data.items : []
  if (items.length === 0) {
    return { ...data, items: [], subtotal: 0, deliveryFee: 0, serviceCharge: 0, taxAmount: 0, total: 0, currency: settings.currency }
  }
  const lines = await snapshotLines(await dbFor(payload, req), parseOrderLines(items, 999))
  for (const line of lines) {
    if (line.quantity > line.stock) {
      throw conflict('OUT_OF_STOCK', `Only ${line.stock} of "${line.title}" in stock.`, { productId: line.productId, available: line.stock, requested: line.quantity })
    }
  }
  const totals = priceOrder(lines, settings)
  return {
    ...data,
    items: lines.map((l, i) => ({ product: l.productId, quantity: l.quantity, title: l.title, unitPrice: l.unitPrice, lineTotal: totals.lineTotals[i] })),
    subtotal: totals.subtotal,
    deliveryFee: totals.deliveryFee,
    serviceCharge: totals.serviceCharge,
    taxAmount: totals.taxAmount,
    total: totals.total,
    currency: settings.currency,
  }
}

type CartRow = { id: string; member_id: number | null; status: string }

export type CheckoutInput = { cartId: string; memberId: number; deliveryAddress?: unknown; redemption?: unknown; customerNote?: unknown }

/**
 * Turns a cart into a pending order for the signed-in member, in one
 * transaction: the order is priced afresh from the products (the cart's
 * totals are only a preview), the cart is marked converted, and a second
 * checkout of the same cart is refused.
 */
export async function checkoutCart(req: PayloadRequest, input: CheckoutInput) {
  const payload = req.payload
  const owns = await initTransaction(req)
  try {
    const db = await dbFor(payload, req)
    const [cart] = await rows<CartRow>(db, sql`select id, member_id, status from carts where id = ${input.cartId} for update`)
    if (!cart || (cart.member_id !== null && Number(cart.member_id) !== input.memberId)) throw notFound('Cart not found.')
    if (cart.status !== 'active') throw conflict('CONFLICT', 'This cart has already been checked out.')
    const items = await rows<{ product_id: number; quantity: string }>(db, sql`select product_id, quantity from carts_items where _parent_id = ${cart.id} order by _order`)
    if (!items.length) throw badRequest('The cart is empty.')
    if (input.deliveryAddress !== undefined && (typeof input.deliveryAddress !== 'object' || input.deliveryAddress === null || Array.isArray(input.deliveryAddress))) {
      throw badRequest('`deliveryAddress` must be an object.', { field: 'deliveryAddress' })
    }
    if (input.customerNote !== undefined && typeof input.customerNote !== 'string') throw badRequest('`customerNote` must be text.', { field: 'customerNote' })
    const order = await payload.create({
      collection: 'orders',
      data: {
        items: items.map((i) => ({ product: Number(i.product_id), quantity: Number(i.quantity) })),
        member: input.memberId,
        deliveryAddress: input.deliveryAddress as never,
        redemption: (input.redemption ?? undefined) as never,
        customerNote: input.customerNote as string | undefined,
        // Lines, totals, number and status are filled in by the order's own hook (priceNewOrder).
      } as never,
      req,
      overrideAccess: true,
      depth: 0,
    })
    await db.execute(sql`update carts set status = 'converted', order_id = ${order.id}, member_id = ${input.memberId}, updated_at = now() where id = ${cart.id}`)
    if (owns) await commitTransaction(req)
    return order
  } catch (err) {
    if (owns) await killTransaction(req)
    throw err
  }
}

/**
 * At login: the anonymous cart the visitor filled becomes the member's.
 * With an active cart of its own already, the lines are added to it
 * (quantities summed, capped at the stock) and the anonymous cart is removed.
 */
export async function mergeCartIntoMember(payload: Payload, cartId: string, memberId: number): Promise<{ cartId: string } | null> {
  const [anon] = await rows<CartRow>(
    await dbFor(payload),
    sql`select id, member_id, status from carts where id = ${cartId} and member_id is null and status = 'active'`,
  )
  if (!anon) return null
  const own = await payload.find({ collection: 'carts', where: { and: [{ member: { equals: memberId } }, { status: { equals: 'active' } }] }, sort: '-updatedAt', limit: 1, depth: 0, overrideAccess: true })
  const anonCart = await payload.findByID({ collection: 'carts', id: cartId, depth: 0, overrideAccess: true })
  const target = own.docs[0]
  if (!target) {
    await payload.update({ collection: 'carts', id: cartId, data: { member: memberId } as never, overrideAccess: true, depth: 0 })
    return { cartId }
  }
  const quantities = new Map<number, number>()
  for (const item of [...(target.items ?? []), ...(anonCart.items ?? [])]) {
    const id = typeof item.product === 'object' ? item.product.id : item.product
    quantities.set(Number(id), (quantities.get(Number(id)) ?? 0) + Number(item.quantity))
  }
  const stock = await rows<{ id: number; stock_quantity: string; ok: boolean }>(
    await dbFor(payload),
    sql`select id, stock_quantity, (_status = 'published' and status = 'active') as ok from products where id in ${sql`(${sql.join(
      [...quantities.keys()].map((id) => sql`${id}`),
      sql`, `,
    )})`}`,
  )
  const items = stock
    .filter((p) => p.ok && Number(p.stock_quantity) > 0)
    .map((p) => ({ product: Number(p.id), quantity: Math.min(quantities.get(Number(p.id)) ?? 0, Number(p.stock_quantity), 999) }))
  await payload.update({ collection: 'carts', id: target.id, data: { items }, overrideAccess: true, depth: 0 })
  await payload.delete({ collection: 'carts', id: cartId, overrideAccess: true })
  return { cartId: String(target.id) }
}

/** Removes active carts nobody touched for `days` days. Returns how many. */
export async function removeAbandonedCarts(payload: Payload, days?: number): Promise<number> {
  const n = days ?? (await loadCommerceSettings(payload)).abandonedCartDays
  if (!Number.isFinite(n) || n < 1) throw new PatronError('VALIDATION_ERROR', 'abandonedCartDays must be at least 1.', 400)
  const removed = await rows<{ id: string }>(
    await dbFor(payload),
    sql`delete from carts where status = 'active' and updated_at < now() - make_interval(days => ${n}) returning id`,
  )
  return removed.length
}
