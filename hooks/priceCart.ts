import type { CollectionBeforeChangeHook } from 'payload'
import { priceCartData } from '../src/services/commerce/carts'

/** Every saved cart is checked against the catalogue and stock, and totalled by the server. */
export const priceCart: CollectionBeforeChangeHook = ({ data, originalDoc, req }) =>
  priceCartData(req.payload, req, { ...data, items: data.items ?? originalDoc?.items ?? [] })
