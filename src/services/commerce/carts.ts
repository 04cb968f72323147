import crypto from 'node:crypto'
import { commitTransaction, createLocalReq, initTransaction, killTransaction, type Payload, type PayloadRequest } from 'payload'
import { priceOrder } from '../../domain/pricing'
import { dbFor, rows, sql, type Db } from '../../lib/db/sql'
import { badRequest, conflict, notFound, PatronError } from '../../lib/errors'
import { parseOrderLines, snapshotLines } from './orders'
import { loadCommerceSettings, type CommerceSettings } from './settings'

/** A cart id: 128 random bits, URL-safe. Holding it is what gives access to an anonymous cart. */
export const newCartId = () => crypto.randomBytes(16).toString('base64url')

type CartLine = { productId: number; quantity: number; title: string; unitPrice: number; stock: number }

/** Each line checked against a published, active product and its stock (409 OUT_OF_STOCK past it). */
async function snapshotCartLines(db: Db, items: unknown[]): Promise<CartLine[]> {
  if (items.length === 0) return []
  const lines = await snapshotLines(db, parseOrderLines(items, 999))
  for (const line of lines) {
    if (line.quantity > line.stock) {
      throw conflict('OUT_OF_STOCK', `Only ${line.stock} of "${line.title}" in stock.`, { productId: line.productId, available: line.stock, requested: line.quantity })
    }
  }
  return lines
}

/** A cart's lines and totals from checked lines: prices from the products, fees and tax from the settings. */
function priceLines(lines: CartLine[], settings: CommerceSettings) {
  if (lines.length === 0) return { items: [], subtotal: 0, deliveryFee: 0, serviceCharge: 0, taxAmount: 0, total: 0, currency: settings.currency }
  const totals = priceOrder(lines, settings)
  return {
    items: lines.map((l, i) => ({ product: l.productId, quantity: l.quantity, title: l.title, unitPrice: l.unitPrice, lineTotal: totals.lineTotals[i] })),
    subtotal: totals.subtotal,
    deliveryFee: totals.deliveryFee,
    serviceCharge: totals.serviceCharge,
    taxAmount: totals.taxAmount,
    total: totals.total,
    currency: settings.currency,
  }
}

/**
 * The server's version of a cart's lines and totals: each line checked
 * against a published, active product and its stock; prices from the
 * products; fees and tax from the settings. An empty cart totals zero.
 */
export async function priceCartData(payload: Payload, req: PayloadRequest, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const settings = await loadCommerceSettings(payload, req)
  const items = Array.isArray(data.items) ? data.items : []
  return { ...data, ...priceLines(await snapshotCartLines(await dbFor(payload, req), items), settings) }
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
 * (quantities summed) and the anonymous cart is removed. Lines of products no
 * longer on sale are dropped and quantities capped at the stock, so a merge
 * never fails for those.
 *
 * Pass the login's `req`: the merge then runs inside the login's transaction
 * (which holds the member row locked until it commits, so a separate
 * transaction writing a cart that references the member would wait for the
 * login, which waits for the merge: a deadlock). It runs under a savepoint and
 * writes below Payload's operations, so a merge that fails rolls back alone
 * and never takes the login's transaction (its new session) with it.
 */
export async function mergeCartIntoMember(payload: Payload, cartId: string, memberId: number, req?: PayloadRequest): Promise<{ cartId: string } | null> {
  const txReq = req ?? (await createLocalReq({}, payload))
  const owns = await initTransaction(txReq)
  const db = await dbFor(payload, txReq)
  await db.execute(sql`savepoint patron_cart_merge`)
  try {
    const result = await mergeInTransaction(payload, db, txReq, cartId, memberId)
    await db.execute(sql`release savepoint patron_cart_merge`)
    if (owns) await commitTransaction(txReq)
    return result
  } catch (err) {
    await db.execute(sql`rollback to savepoint patron_cart_merge`).catch(() => undefined)
    if (owns) await killTransaction(txReq)
    throw err
  }
}

async function mergeInTransaction(payload: Payload, db: Db, req: PayloadRequest, cartId: string, memberId: number): Promise<{ cartId: string } | null> {
  const [anon] = await rows<CartRow>(db, sql`select id, member_id, status from carts where id = ${cartId} and member_id is null and status = 'active' for update`)
  if (!anon) return null
  const [own] = await rows<CartRow>(
    db,
    sql`select id, member_id, status from carts where member_id = ${memberId} and status = 'active' order by updated_at desc, created_at desc limit 1 for update`,
  )
  const target = own ?? anon
  const lines = await rows<{ product_id: number; quantity: string }>(
    db,
    sql`select product_id, quantity from carts_items where _parent_id in (${target.id}, ${anon.id})
        order by case when _parent_id = ${target.id} then 0 else 1 end, _order`,
  )
  const quantities = new Map<number, number>()
  for (const l of lines) quantities.set(Number(l.product_id), (quantities.get(Number(l.product_id)) ?? 0) + Number(l.quantity))
  const products = quantities.size
    ? await rows<{ id: number; stock_quantity: string; ok: boolean }>(
        db,
        sql`select id, stock_quantity, (_status = 'published' and status = 'active') as ok from products where id in ${sql`(${sql.join(
          [...quantities.keys()].map((id) => sql`${id}`),
          sql`, `,
        )})`}`,
      )
    : []
  const orderable = new Map(products.filter((p) => p.ok && Number(p.stock_quantity) > 0).map((p) => [Number(p.id), Number(p.stock_quantity)]))
  const items = [...quantities]
    .filter(([id]) => orderable.has(id))
    .map(([id, quantity]) => ({ product: id, quantity: Math.min(quantity, orderable.get(id) ?? 0, 999) }))
  // Settings from the pool: reading them through the login's request would risk Payload rolling that transaction back on an error.
  const priced = priceLines(await snapshotCartLines(db, items), await loadCommerceSettings(payload))
  await payload.db.updateOne({
    collection: 'carts',
    id: target.id,
    data: { ...priced, items: priced.items.map((i) => ({ ...i, id: crypto.randomBytes(12).toString('hex') })), member: memberId, updatedAt: new Date().toISOString() },
    req,
  })
  if (target.id !== anon.id) await db.execute(sql`delete from carts where id = ${anon.id}`)
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
