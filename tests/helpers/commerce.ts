import type { Payload } from 'payload'
import { dbFor, rows, sql } from '../../src/lib/db/sql'
import { transitionOrder } from '../../src/services/commerce/orders'
import { uniq } from './context'
import { createStaff, type StaffFixture } from './staff'

/** A published, active product with `stock` units at `price` cents. */
export async function createProduct(payload: Payload, data: { stock?: number; price?: number; published?: boolean; status?: string } = {}) {
  const sku = uniq('SKU').toUpperCase()
  const doc = await payload.create({
    collection: 'products',
    data: { title: `Product ${sku}`, sku, price: data.price ?? 1000, stockQuantity: data.stock ?? 100, status: data.status ?? 'active', _status: data.published === false ? 'draft' : 'published' } as never,
    draft: data.published === false,
    overrideAccess: true,
  })
  return { id: doc.id as number, sku, price: data.price ?? 1000 }
}

/** A reseller (active unless told) with the given credit limit and commission rate. */
export async function createReseller(payload: Payload, data: { creditLimit?: number; commissionRate?: number; status?: string } = {}) {
  const doc = await payload.create({
    collection: 'resellers',
    data: { businessName: `Reseller ${uniq()}`, email: `${uniq('r')}@test.local`, status: data.status ?? 'active', creditLimit: data.creditLimit ?? 1_000_000, commissionRate: data.commissionRate ?? 10 } as never,
    overrideAccess: true,
  })
  return { id: doc.id as number }
}

/** A `reseller` staff login linked to `resellerId`. */
export function createResellerLogin(payload: Payload, api: string, resellerId: number): Promise<StaffFixture> {
  return createStaff(payload, api, 'reseller', { reseller: resellerId })
}

export async function createClient(payload: Payload, resellerId: number, data: Record<string, unknown> = {}) {
  const doc = await payload.create({ collection: 'reseller-clients', data: { reseller: resellerId, name: `Client ${uniq()}`, ...data } as never, overrideAccess: true })
  return { id: doc.id as number }
}

/** A pending order through the trusted local API (priced by the order hook like any other). */
export async function createOrder(payload: Payload, data: { items: Array<{ product: number; quantity: number }>; member?: number; reseller?: number; resellerClient?: number; redemption?: number }) {
  const doc = await payload.create({ collection: 'orders', data: data as never, overrideAccess: true, depth: 0 })
  return doc as unknown as { id: number; orderNumber: string; total: number; subtotal: number; status: string }
}

/** Moves an order as the system (no role checks), for setting up a state. */
export const moveOrder = (payload: Payload, orderId: number, to: string, extra: { trackingNumber?: string } = {}) =>
  transitionOrder(payload, { orderId, to, actor: { kind: 'system' }, ...extra })

export async function orderRow(payload: Payload, id: number) {
  const [o] = await rows<Record<string, string | number | null>>(await dbFor(payload), sql`select * from orders where id = ${id}`)
  return o
}

export async function stockOf(payload: Payload, id: number): Promise<number> {
  const [r] = await rows<{ s: string }>(await dbFor(payload), sql`select stock_quantity as s from products where id = ${id}`)
  return Number(r.s)
}

export async function resellerBalance(payload: Payload, id: number): Promise<number> {
  const [r] = await rows<{ b: string }>(await dbFor(payload), sql`select current_balance as b from resellers where id = ${id}`)
  return Number(r.b)
}
