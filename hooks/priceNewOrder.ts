import type { CollectionBeforeChangeHook } from 'payload'
import { priceNewOrderData } from '../src/services/commerce/orders'

/** New orders get the server's lines, totals, number and status; client input for them is replaced. */
export const priceNewOrder: CollectionBeforeChangeHook = async ({ data, operation, req }) => {
  if (operation !== 'create') return data
  return priceNewOrderData(req.payload, req, data)
}
