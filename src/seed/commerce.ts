import type { Payload } from 'payload'
import type { OrderStatus } from '../domain/orders'
import { slugify } from '../domain/slug'
import { allowComputedWrites, dbFor, inTransaction, rows, sql, type Db } from '../lib/db/sql'
import { PatronError } from '../lib/errors'
import { reconcileAlert } from '../services/commerce/inventory'
import { transitionOrder, type OrderActor } from '../services/commerce/orders'
import { recordManualPayment, refundTransaction } from '../services/commerce/payments'
import { loadCommerceSettings } from '../services/commerce/settings'
import { demoMemberEmail, DEMO_MEMBER_COUNT } from './loyalty'
import { COURIERS } from './couriers'
import { seededRandom, type Rng } from './random'

/**
 * Commerce demo data: a catalogue of handmade products in nested categories,
 * resellers with their clients, ~150 orders over the last 90 days in every
 * state (with manual payments, refunds and commission), and reviews.
 *
 * Deterministic (seeded generators, fixed keys) and idempotent: categories are
 * looked up by slug, products by SKU, resellers by e-mail, clients by name
 * within their reseller, orders by the key in their staff notes ("Demo order
 * D017"), reviews by product and member. An order found half-way (an earlier
 * run stopped) is moved on to its planned state. Everything goes through the
 * services (pricing hook, transitions, payments), so stock, credit, points and
 * commission are the real thing; only timestamps are back-dated afterwards.
 */

const DAY = 86_400_000
const HOUR = 3_600_000
const MINUTE = 60_000
/** Products created at once (each is its own transaction, with a version row). */
const PRODUCT_CONCURRENCY = 4
/** Orders processed at once (one customer's orders always in the same lane). */
const ORDER_LANES = 3

// ---------------------------------------------------------------------------
// Catalogue

type CategoryDef = { slug: string; title: string; parent?: string }

export const DEMO_CATEGORIES: readonly CategoryDef[] = [
  { slug: 'ceramics', title: 'Ceramics' },
  { slug: 'mugs-and-cups', title: 'Mugs & Cups', parent: 'ceramics' },
  { slug: 'bowls-and-plates', title: 'Bowls & Plates', parent: 'ceramics' },
  { slug: 'vases-and-planters', title: 'Vases & Planters', parent: 'ceramics' },
  { slug: 'textiles', title: 'Textiles' },
  { slug: 'throws-and-blankets', title: 'Throws & Blankets', parent: 'textiles' },
  { slug: 'cushions-and-table-linen', title: 'Cushions & Table Linen', parent: 'textiles' },
  { slug: 'jewellery', title: 'Jewellery' },
  { slug: 'woodwork', title: 'Woodwork' },
  { slug: 'candles', title: 'Candles & Home Fragrance' },
  { slug: 'leather-goods', title: 'Leather Goods' },
  { slug: 'paper-and-stationery', title: 'Paper & Stationery' },
]

type ProductType = { name: string; price: [number, number]; size: string; material?: string }

type Family = {
  /** Middle part of the SKU: HM-<code>-<type><variant>. */
  code: string
  category: string
  material: string
  /** Attribute name of the variant: Glaze, Colour, Metal… */
  variantLabel: string
  variants: readonly string[]
  types: readonly ProductType[]
  care: string
  makers: readonly string[]
  blurb: string
}

const GLAZES = ['Speckled Oatmeal', 'Celadon', 'Tenmoku', 'Cobalt Drip', 'Milk White', 'Sage', 'Rust', 'Charcoal Matte'] as const
const TEXTILE_COLOURS = ['Natural', 'Indigo', 'Terracotta', 'Moss', 'Charcoal', 'Mustard'] as const

const FAMILIES: readonly Family[] = [
  {
    code: 'MUG',
    category: 'mugs-and-cups',
    material: 'Stoneware',
    variantLabel: 'Glaze',
    variants: GLAZES,
    types: [
      { name: 'Stoneware Mug', price: [2400, 3200], size: '350 ml' },
      { name: 'Espresso Cup', price: [1400, 1900], size: '90 ml' },
      { name: 'Tea Bowl', price: [2200, 2900], size: '250 ml' },
      { name: 'Tumbler', price: [1800, 2400], size: '300 ml' },
      { name: 'Latte Cup & Saucer', price: [3200, 3900], size: '280 ml' },
    ],
    care: 'Dishwasher and microwave safe',
    makers: ['Studio Alma, Lisbon', 'Barro Vivo, Caldas da Rainha', 'North Kiln, Leeds'],
    blurb: 'Thrown on the wheel and glazed by hand, so no two are quite alike.',
  },
  {
    code: 'BWL',
    category: 'bowls-and-plates',
    material: 'Stoneware',
    variantLabel: 'Glaze',
    variants: GLAZES.slice(0, 6),
    types: [
      { name: 'Breakfast Bowl', price: [2200, 2800], size: 'Ø 15 cm' },
      { name: 'Ramen Bowl', price: [3400, 4200], size: 'Ø 19 cm' },
      { name: 'Serving Bowl', price: [5800, 7800], size: 'Ø 28 cm' },
      { name: 'Side Plate', price: [1800, 2400], size: 'Ø 19 cm' },
      { name: 'Dinner Plate', price: [2800, 3600], size: 'Ø 27 cm' },
      { name: 'Serving Platter', price: [6400, 8900], size: '38 × 24 cm' },
    ],
    care: 'Dishwasher safe; avoid sudden changes of temperature',
    makers: ['Studio Alma, Lisbon', 'Barro Vivo, Caldas da Rainha', 'Kiln & Co., Bristol'],
    blurb: 'Everyday tableware with a soft satin glaze that pools at the rim.',
  },
  {
    code: 'VAS',
    category: 'vases-and-planters',
    material: 'Earthenware',
    variantLabel: 'Finish',
    variants: ['Raw Terracotta', 'Smoked Raku', 'Ash Glaze', 'Crackle White', 'Ocean Blue'],
    types: [
      { name: 'Bud Vase', price: [1900, 2600], size: 'H 12 cm' },
      { name: 'Bottle Vase', price: [4200, 5600], size: 'H 26 cm' },
      { name: 'Moon Jar', price: [9800, 14500], size: 'H 30 cm' },
      { name: 'Hanging Planter', price: [3400, 4400], size: 'Ø 16 cm, jute cord' },
      { name: 'Footed Planter', price: [3900, 5200], size: 'Ø 18 cm, with drainage hole' },
    ],
    care: 'Wipe clean; raku pieces are decorative and not watertight',
    makers: ['Terra Nova Ceramics, Porto', 'Smoke & Fire Studio, Brighton'],
    blurb: 'Hand-built and fired slowly, with the marks of the maker left in the clay.',
  },
  {
    code: 'THR',
    category: 'throws-and-blankets',
    material: 'Merino wool',
    variantLabel: 'Colour',
    variants: TEXTILE_COLOURS,
    types: [
      { name: 'Merino Throw', price: [11900, 14900], size: '130 × 180 cm' },
      { name: 'Alpaca Blanket', price: [16900, 21900], size: '140 × 200 cm', material: 'Alpaca wool' },
      { name: 'Linen Bedspread', price: [18900, 23900], size: '240 × 260 cm', material: 'Stonewashed linen' },
      { name: 'Waffle Cotton Throw', price: [7900, 9900], size: '130 × 170 cm', material: 'Organic cotton' },
    ],
    care: 'Hand wash cold or dry clean; dry flat',
    makers: ['Tear Mill, Covilhã', 'Loom & Lore, Donegal', 'Hilo Studio, Oaxaca'],
    blurb: 'Woven on a wooden hand loom in small batches, finished with a twisted fringe.',
  },
  {
    code: 'LIN',
    category: 'cushions-and-table-linen',
    material: 'Linen',
    variantLabel: 'Colour',
    variants: TEXTILE_COLOURS.slice(0, 5),
    types: [
      { name: 'Block-Printed Cushion Cover', price: [3200, 4200], size: '45 × 45 cm' },
      { name: 'Woven Cushion', price: [5400, 6900], size: '50 × 50 cm, feather pad', material: 'Wool and cotton' },
      { name: 'Linen Tablecloth', price: [6900, 8900], size: '150 × 250 cm' },
      { name: 'Linen Napkins (set of 4)', price: [2800, 3600], size: '45 × 45 cm each' },
      { name: 'Table Runner', price: [3400, 4400], size: '40 × 200 cm' },
      { name: 'Tea Towel', price: [1200, 1600], size: '50 × 70 cm' },
    ],
    care: 'Machine wash at 40 °C; iron while damp',
    makers: ['Casa do Linho, Guimarães', 'Indigo Hands, Jaipur', 'Loom & Lore, Donegal'],
    blurb: 'Printed with carved wooden blocks and natural dyes, then washed soft.',
  },
  {
    code: 'JWL',
    category: 'jewellery',
    material: 'Recycled metal',
    variantLabel: 'Metal',
    variants: ['Sterling Silver', 'Gold Vermeil', 'Brass', 'Oxidised Silver', 'Rose Gold Vermeil'],
    types: [
      { name: 'Hammered Hoop Earrings', price: [3900, 6900], size: 'Ø 25 mm' },
      { name: 'Stud Earrings', price: [2400, 4200], size: '6 mm' },
      { name: 'Pendant Necklace', price: [5400, 8900], size: '45 cm chain' },
      { name: 'Stacking Ring', price: [2800, 4900], size: 'Made to order, sizes J–T' },
      { name: 'Signet Ring', price: [7900, 12900], size: 'Made to order, sizes J–T' },
      { name: 'Cuff Bracelet', price: [6400, 9900], size: 'Adjustable' },
      { name: 'Chain Bracelet', price: [4400, 6900], size: '18 cm + 2 cm extender' },
    ],
    care: 'Polish with a soft cloth; keep away from perfume',
    makers: ['Oficina Prata, Lisbon', 'Wren Jewellery, Edinburgh', 'Atelier Or, Lyon'],
    blurb: 'Cut, hammered and polished at the bench from recycled metal.',
  },
  {
    code: 'WOD',
    category: 'woodwork',
    material: 'Hardwood',
    variantLabel: 'Wood',
    variants: ['Oak', 'Walnut', 'Cherry', 'Ash', 'Olive'],
    types: [
      { name: 'Chopping Board', price: [4400, 6900], size: '40 × 25 × 2.5 cm' },
      { name: 'Serving Board', price: [3400, 5400], size: '45 × 18 cm, with handle' },
      { name: 'Salad Servers', price: [2400, 3400], size: '30 cm' },
      { name: 'Spoon Set', price: [2800, 3900], size: 'Three spoons, 18–25 cm' },
      { name: 'Spatula', price: [1400, 1900], size: '30 cm' },
      { name: 'Turned Bowl', price: [5900, 9900], size: 'Ø 24 cm' },
      { name: 'Coaster Set', price: [1900, 2600], size: 'Four, Ø 10 cm' },
    ],
    care: 'Hand wash only; oil now and then with food-safe oil',
    makers: ['Green Wood Guild, Sintra', 'Hollow Oak Workshop, Hereford', 'Carpintaria Sá, Braga'],
    blurb: 'Carved and turned from sustainably felled local timber, finished with beeswax.',
  },
  {
    code: 'CND',
    category: 'candles',
    material: 'Soy wax, cotton wick',
    variantLabel: 'Scent',
    variants: ['Fig & Cedar', 'Lavender & Sage', 'Orange Blossom', 'Sea Salt', 'Tobacco & Vanilla', 'Unscented'],
    types: [
      { name: 'Soy Candle in Tin', price: [1600, 2200], size: '180 g, about 35 hours' },
      { name: 'Pillar Candle', price: [1900, 2600], size: '7 × 15 cm' },
      { name: 'Ceramic Vessel Candle', price: [3800, 4900], size: '300 g, about 60 hours' },
      { name: 'Taper Candles (pair)', price: [1200, 1600], size: '25 cm', material: 'Beeswax' },
      { name: 'Reed Diffuser', price: [2800, 3600], size: '200 ml', material: 'Plant-based oils, rattan reeds' },
    ],
    care: 'Trim the wick to 5 mm before each burn; never leave a flame unattended',
    makers: ['Luz Candle Co., Lisbon', 'Hearth & Wick, York'],
    blurb: 'Poured by hand in small batches with essential oils; phthalate-free.',
  },
  {
    code: 'LTH',
    category: 'leather-goods',
    material: 'Vegetable-tanned leather',
    variantLabel: 'Colour',
    variants: ['Tan', 'Chestnut', 'Black', 'Olive'],
    types: [
      { name: 'Card Holder', price: [2900, 3900], size: '10 × 7 cm, four slots' },
      { name: 'Bifold Wallet', price: [5900, 7900], size: '11 × 9 cm' },
      { name: 'Key Fob', price: [1400, 1900], size: '9 cm, brass ring' },
      { name: 'Belt', price: [6400, 8400], size: '3.5 cm wide, sizes 80–110' },
      { name: 'Tote Bag', price: [16900, 22900], size: '38 × 40 × 12 cm' },
      { name: 'Notebook Cover', price: [4400, 5900], size: 'A5' },
      { name: 'Watch Strap', price: [3400, 4900], size: '18 or 20 mm' },
    ],
    care: 'Condition twice a year with leather balm; it darkens beautifully with use',
    makers: ['Couro Atelier, Porto', 'Saddle Row, Northampton', 'Pelletteria Fiore, Florence'],
    blurb: 'Cut and saddle-stitched by hand with waxed linen thread.',
  },
  {
    code: 'PAP',
    category: 'paper-and-stationery',
    material: 'Recycled cotton paper',
    variantLabel: 'Colour',
    variants: ['Kraft', 'Indigo', 'Forest', 'Blush'],
    types: [
      { name: 'Hand-bound Notebook', price: [1800, 2600], size: 'A5, 120 pages' },
      { name: 'Marbled Journal', price: [2900, 3900], size: 'A5, 160 pages' },
      { name: 'Letterpress Card Set', price: [1400, 1900], size: 'Six cards with envelopes' },
      { name: 'Sketchbook', price: [2200, 2900], size: 'A4, 80 pages, 180 gsm' },
    ],
    care: 'Keep dry',
    makers: ['Papelaria Manual, Lisbon', 'Deckle Press, Bath'],
    blurb: 'Sewn with a coptic stitch so it lies flat when open.',
  },
]

export type ProductPlan = {
  sku: string
  title: string
  slug: string
  category: string
  price: number
  stock: number
  reorderThreshold: number | null
  status: 'active' | 'archived'
  draft: boolean
  attributes: Array<{ name: string; value: string }>
  description: string
}

/** The demo catalogue, computed (not stored) so that every run plans the same. SKUs start with `HM-`. */
export function planCatalogue(): ProductPlan[] {
  const plans: ProductPlan[] = []
  let i = 0
  for (const f of FAMILIES) {
    for (const [t, type] of f.types.entries()) {
      for (const [v, variant] of f.variants.entries()) {
        const sku = `HM-${f.code}-${t + 1}${String(v + 1).padStart(2, '0')}`
        const rng = seededRandom(`patron-demo:product:${sku}`)
        const title = `${variant} ${type.name}`
        const base = rng.int(type.price[0] / 50, type.price[1] / 50) * 50
        const price = rng.chance(0.5) ? base - 5 : base
        // A few products low or out of stock (low-stock alerts), a few archived, a few drafts.
        const low = i % 29 === 11
        const archived = !low && i % 83 === 40
        const draft = !low && !archived && i % 71 === 20
        const stock = low ? rng.pick([0, 1, 2, 3, 4]) : rng.int(25, 140)
        const reorderThreshold = !low && rng.chance(0.15) ? rng.pick([3, 8, 10, 15]) : null
        plans.push({
          sku,
          title,
          slug: slugify(title),
          category: f.category,
          price,
          stock,
          reorderThreshold,
          status: archived ? 'archived' : 'active',
          draft,
          attributes: [
            { name: 'Material', value: type.material ?? f.material },
            { name: f.variantLabel, value: variant },
            { name: 'Size', value: type.size },
            { name: 'Maker', value: rng.pick(f.makers) },
            { name: 'Care', value: f.care },
          ],
          description: `${f.blurb} ${title}, ${type.size.toLowerCase()}.${draft ? ' Coming soon.' : ''}`,
        })
        i++
      }
    }
  }
  return plans
}

const richText = (text: string) => ({
  root: {
    type: 'root',
    format: '' as const,
    indent: 0,
    version: 1,
    direction: 'ltr' as const,
    children: [
      {
        type: 'paragraph',
        format: '',
        indent: 0,
        version: 1,
        direction: 'ltr',
        textFormat: 0,
        textStyle: '',
        children: [{ type: 'text', detail: 0, format: 0, mode: 'normal', style: '', text, version: 1 }],
      },
    ],
  },
})

// ---------------------------------------------------------------------------
// Resellers and their clients

type ClientDef = { name: string; email: string; phone: string; planType: string; status: 'active' | 'inactive' | 'suspended'; monthlyLimit: number | null }

type ResellerDef = {
  email: string
  businessName: string
  contactPerson: string
  phone: string
  address: string
  city: string
  state?: string
  country: string
  /** Where it ends up; a `suspended` one is created active, orders, and is suspended once its orders are in. */
  status: 'pending' | 'active' | 'suspended'
  creditLimit: number
  commissionRate: number
  /** Demo orders it places. */
  orders: number
  /** Largest quantity per line of its orders. */
  maxQuantity: number
  clients: ClientDef[]
}

const client = (name: string, email: string, phone: string, planType: string, monthlyLimit: number | null = null, status: ClientDef['status'] = 'active'): ClientDef => ({
  name,
  email,
  phone,
  planType,
  status,
  monthlyLimit,
})

export const DEMO_RESELLERS: readonly ResellerDef[] = [
  {
    email: 'orders@clayandco.example',
    businessName: 'Clay & Co. Concept Store',
    contactPerson: 'Marta Ribeiro',
    phone: '+351 213 000 101',
    address: 'Rua das Flores 45',
    city: 'Lisbon',
    country: 'PT',
    status: 'active',
    creditLimit: 1_500_000,
    commissionRate: 12,
    orders: 10,
    maxQuantity: 8,
    clients: [
      client('Hotel Alfama Terrace', 'purchasing@alfamaterrace.example', '+351 213 000 201', 'hospitality', 600_000),
      client('Café Ginja', 'ola@cafeginja.example', '+351 213 000 202', 'hospitality'),
      client('Atelier Nove Interiors', 'studio@ateliernove.example', '+351 213 000 203', 'interior design'),
      client('Lisbon Wedding Co.', 'hello@lisbonwedding.example', '+351 213 000 204', 'events', 200_000, 'inactive'),
    ],
  },
  {
    email: 'einkauf@nordicnest.example',
    businessName: 'Nordic Nest Interiors',
    contactPerson: 'Jonas Weber',
    phone: '+49 30 0000 1102',
    address: 'Torstraße 112',
    city: 'Berlin',
    state: 'Berlin',
    country: 'DE',
    status: 'active',
    creditLimit: 1_200_000,
    commissionRate: 10,
    orders: 9,
    maxQuantity: 8,
    clients: [
      client('Mitte Coworking', 'office@mittecowork.example', '+49 30 0000 2201', 'corporate gifts'),
      client('Restaurant Fjord', 'kueche@fjord.example', '+49 30 0000 2202', 'hospitality'),
      client('Studio Lehmann Architekten', 'info@lehmann-arch.example', '+49 30 0000 2203', 'interior design', null, 'suspended'),
    ],
  },
  {
    email: 'commandes@maisonartisan.example',
    businessName: 'Maison Artisan',
    contactPerson: 'Camille Laurent',
    phone: '+33 1 00 00 11 03',
    address: '18 Rue de Charonne',
    city: 'Paris',
    state: 'Île-de-France',
    country: 'FR',
    status: 'active',
    creditLimit: 2_000_000,
    commissionRate: 15,
    orders: 10,
    maxQuantity: 10,
    clients: [
      client('Hôtel du Marais', 'achats@hoteldumarais.example', '+33 1 00 00 22 01', 'hospitality', 800_000),
      client('Bistrot Lucien', 'lucien@bistrot.example', '+33 1 00 00 22 02', 'hospitality'),
      client('Galerie Sable', 'contact@galeriesable.example', '+33 1 00 00 22 03', 'retail'),
      client('Le Bon Cadeau', 'pro@leboncadeau.example', '+33 1 00 00 22 04', 'corporate gifts'),
    ],
  },
  {
    email: 'buying@makersmarket.example',
    businessName: "The Maker's Market",
    contactPerson: 'Priya Shah',
    phone: '+44 20 0000 1104',
    address: '7 Columbia Road',
    city: 'London',
    country: 'GB',
    status: 'active',
    creditLimit: 1_000_000,
    commissionRate: 8,
    orders: 8,
    maxQuantity: 8,
    clients: [
      client('Shoreditch Supper Club', 'chef@supperclub.example', '+44 20 0000 2201', 'hospitality'),
      client('Kew Garden Café', 'manager@kewcafe.example', '+44 20 0000 2202', 'hospitality'),
      client('Brightside Corporate Gifts', 'orders@brightside.example', '+44 20 0000 2203', 'corporate gifts', 500_000),
    ],
  },
  {
    email: 'pedidos@casaoficio.example',
    businessName: 'Casa Oficio',
    contactPerson: 'Lucía Martín',
    phone: '+34 91 000 1105',
    address: 'Calle de Fuencarral 60',
    city: 'Madrid',
    state: 'Madrid',
    country: 'ES',
    status: 'active',
    creditLimit: 800_000,
    commissionRate: 10,
    orders: 7,
    maxQuantity: 6,
    clients: [
      client('Hostal Lavapiés', 'reservas@hostallavapies.example', '+34 91 000 2201', 'hospitality'),
      client('Taberna El Olivo', 'olivo@taberna.example', '+34 91 000 2202', 'hospitality'),
      client('Regalos Sol', 'tienda@regalossol.example', '+34 91 000 2203', 'retail'),
    ],
  },
  {
    email: 'shop@harbourgifts.example',
    businessName: 'Harbour Gift Shop',
    contactPerson: "Niamh O'Connor",
    phone: '+353 1 000 1106',
    address: '3 Quay Street',
    city: 'Dublin',
    country: 'IE',
    status: 'active',
    creditLimit: 250_000,
    commissionRate: 5,
    orders: 4,
    maxQuantity: 4,
    clients: [
      client('Howth Lighthouse B&B', 'stay@howthbnb.example', '+353 1 000 2201', 'hospitality'),
      client('Seaview Tearooms', 'tea@seaview.example', '+353 1 000 2202', 'hospitality', 100_000),
    ],
  },
  {
    email: 'inkoop@atelierverde.example',
    businessName: 'Atelier Verde',
    contactPerson: 'Sanne de Vries',
    phone: '+31 20 000 1107',
    address: 'Prinsengracht 300',
    city: 'Amsterdam',
    country: 'NL',
    status: 'pending',
    creditLimit: 500_000,
    commissionRate: 10,
    orders: 0,
    maxQuantity: 0,
    clients: [client('Café De Tuin', 'info@cafedetuin.example', '+31 20 000 2201', 'hospitality')],
  },
  {
    email: 'geral@oldtowncrafts.example',
    businessName: 'Old Town Crafts',
    contactPerson: 'Rui Carvalho',
    phone: '+351 22 000 1108',
    address: 'Rua de Santa Catarina 210',
    city: 'Porto',
    country: 'PT',
    status: 'suspended',
    creditLimit: 600_000,
    commissionRate: 10,
    orders: 7,
    maxQuantity: 6,
    clients: [
      client('Ribeira Guesthouse', 'casa@ribeiraguest.example', '+351 22 000 2201', 'hospitality'),
      client('Livraria Porto Gifts', 'loja@livrariaporto.example', '+351 22 000 2202', 'retail'),
    ],
  },
]

export const DEMO_RESELLER_EMAILS: readonly string[] = DEMO_RESELLERS.map((r) => r.email)
/** The reseller the demo `reseller@patron.local` login belongs to. */
export const DEMO_LOGIN_RESELLER_EMAIL = DEMO_RESELLERS[0].email

export type DemoResellers = {
  /** Reseller id by e-mail. */
  ids: Map<string, number>
  /** Client id by `<reseller e-mail>/<client name>`. */
  clients: Map<string, number>
  /** E-mails of the resellers created by this call. */
  created: Set<string>
}

/**
 * The demo resellers (by e-mail) and their clients (by name within the
 * reseller), created when missing. A reseller meant to end up suspended is
 * created active, so that it can place its orders first.
 */
export async function ensureDemoResellers(payload: Payload, onProgress: (msg: string) => void = () => {}): Promise<DemoResellers> {
  const existing = await payload.find({ collection: 'resellers', where: { email: { in: DEMO_RESELLER_EMAILS } }, limit: DEMO_RESELLERS.length, depth: 0, pagination: false, overrideAccess: true })
  const ids = new Map(existing.docs.map((r) => [r.email.toLowerCase(), r.id]))
  const created = new Set<string>()
  for (const [i, r] of DEMO_RESELLERS.entries()) {
    onProgress(`resellers ${i + 1}/${DEMO_RESELLERS.length}`)
    if (ids.has(r.email)) continue
    const doc = await payload.create({
      collection: 'resellers',
      overrideAccess: true,
      depth: 0,
      data: {
        email: r.email,
        businessName: r.businessName,
        contactPerson: r.contactPerson,
        phone: r.phone,
        address: r.address,
        city: r.city,
        state: r.state ?? null,
        country: r.country,
        status: r.status === 'suspended' ? 'active' : r.status,
        creditLimit: r.creditLimit,
        commissionRate: r.commissionRate,
      },
    })
    ids.set(r.email, doc.id)
    created.add(r.email)
  }
  const clients = new Map<string, number>()
  const wanted = DEMO_RESELLERS.flatMap((r) => r.clients.map((c) => ({ r, c })))
  const existingClients = await payload.find({
    collection: 'reseller-clients',
    where: { reseller: { in: [...ids.values()] } },
    depth: 0,
    pagination: false,
    overrideAccess: true,
  })
  const have = new Map(existingClients.docs.map((c) => [`${typeof c.reseller === 'object' ? c.reseller.id : c.reseller}/${c.name}`, c.id]))
  for (const [i, { r, c }] of wanted.entries()) {
    onProgress(`reseller clients ${i + 1}/${wanted.length}`)
    const resellerId = ids.get(r.email)!
    let id = have.get(`${resellerId}/${c.name}`)
    if (id === undefined) {
      const doc = await payload.create({
        collection: 'reseller-clients',
        overrideAccess: true,
        depth: 0,
        data: { reseller: resellerId, name: c.name, email: c.email, phone: c.phone, planType: c.planType, status: c.status, monthlyLimit: c.monthlyLimit },
      })
      id = doc.id
    }
    clients.set(`${r.email}/${c.name}`, id)
  }
  if (created.size) {
    // They have been selling for us for a while.
    const createdIds = [...created].map((e) => ids.get(e)!)
    await (await dbFor(payload)).execute(
      sql`update resellers set created_at = now() - interval '150 days' - (id % 30) * interval '1 day' where id in ${inList(createdIds)}`,
    )
  }
  return { ids, clients, created }
}

// ---------------------------------------------------------------------------
// Orders

type OrderKind = 'member' | 'reseller' | 'admin'
type Payment = { when: 'placed' | 'delivered'; part: 'full' | 'half'; method: 'bank_transfer' | 'cash' }

export type OrderPlan = {
  /** Natural key, kept in the order's staff notes: `Demo order D017`. */
  key: string
  kind: OrderKind
  memberEmail?: string
  resellerEmail?: string
  clientName?: string
  lines: Array<{ sku: string; quantity: number }>
  target: OrderStatus
  /** Cancelled orders: after confirming (stock and credit come back) or straight from pending. */
  cancelAfterConfirm: boolean
  payment: Payment | null
  refund: { kind: 'partial' | 'full'; reason: string } | null
  courier: string
  trackingNumber: string
  customerNote: string | null
  staffNote: string | null
  /** Hours before now the order was placed, and the hours between its steps. */
  placedHoursAgo: number
  gaps: { confirm: number; dispatch: number; deliver: number; complete: number; cancel: number; pay: number; refund: number }
  /** Recent orders whose steps would run past now are squeezed into this share (%) of the time since they were placed. */
  squeeze: number
  address: { line1: string; postalCode: string }
}

export const DEMO_ORDER_COUNT = 150
const ORDER_MARKER = 'Demo order '
const orderMarker = (key: string) => `${ORDER_MARKER}${key}`

const STREETS = ['Rua Augusta', 'Avenida da Liberdade', 'Calle Mayor', 'Hauptstraße', 'Rue Oberkampf', 'High Street', 'Grafton Street', 'Keizersgracht', 'Rua do Almada', 'Church Road']
const CUSTOMER_NOTES = [
  'Gift wrap, please.',
  'Please leave it with the neighbour at no. 12 if I am out.',
  'Deliver after 5 pm if possible.',
  'It is a birthday present: no prices in the parcel, please.',
  'Ring the bell twice, the buzzer is broken.',
]
const STAFF_NOTES = ['Phone order.', 'Sold at the Christmas market stall.', 'Customer asked for extra padding.', 'Repeat customer: add a thank-you card.']
const PARTIAL_REFUNDS = ['One piece arrived chipped', 'Colour differs from the photo: kept with a discount', 'Goodwill: delivery was a week late']
const WALK_IN = ['Sofia Marques', 'Tom Fletcher', 'Élodie Martin', 'Kasper Jensen', 'Aoife Byrne']


const isOrderable = (p: ProductPlan) => p.status === 'active' && !p.draft && p.stock >= 20

/** Status for an order placed `days` ago: old orders are done, recent ones still moving. */
function statusFor(rng: Rng, days: number): OrderStatus {
  const r = rng.next()
  if (days > 30) return r < 0.72 ? 'completed' : r < 0.86 ? 'delivered' : 'cancelled'
  if (days > 10) return r < 0.3 ? 'completed' : r < 0.6 ? 'delivered' : r < 0.76 ? 'dispatched' : r < 0.88 ? 'confirmed' : 'cancelled'
  return r < 0.3 ? 'pending' : r < 0.52 ? 'confirmed' : r < 0.72 ? 'dispatched' : r < 0.87 ? 'delivered' : 'cancelled'
}

/**
 * The demo orders, oldest first. `members` are the e-mails of the active demo
 * members. Planned stock never runs out: every order fits whatever the order
 * in which they are placed.
 */
export function planOrders(members: readonly string[], products: readonly ProductPlan[]): OrderPlan[] {
  const rng = seededRandom('patron-demo:orders')
  const orderable = products.filter(isOrderable)
  const stockLeft = new Map(orderable.map((p) => [p.sku, p.stock]))
  const pickLines = (count: number, maxQty: number, singleMostly: boolean) => {
    const lines: Array<{ sku: string; quantity: number }> = []
    for (let tries = 0; lines.length < count && tries < count * 20; tries++) {
      const p = rng.pick(orderable)
      const quantity = singleMostly ? (rng.chance(0.8) ? 1 : 2) : rng.int(2, maxQty)
      if (lines.some((l) => l.sku === p.sku) || (stockLeft.get(p.sku) ?? 0) - quantity < 1) continue
      stockLeft.set(p.sku, stockLeft.get(p.sku)! - quantity)
      lines.push({ sku: p.sku, quantity })
    }
    return lines
  }

  type Slot = { kind: OrderKind; reseller?: ResellerDef }
  const slots: Slot[] = []
  for (const r of DEMO_RESELLERS) for (let i = 0; i < r.orders; i++) slots.push({ kind: 'reseller', reseller: r })
  const adminOrders = 25
  const memberOrders = DEMO_ORDER_COUNT - slots.length - adminOrders
  for (let i = 0; i < memberOrders; i++) slots.push({ kind: 'member' })
  for (let i = 0; i < adminOrders; i++) slots.push({ kind: 'admin' })

  const plans: OrderPlan[] = slots.map((slot, i) => {
    // Recent days are busier than older ones.
    const days = Math.floor(89 * Math.pow(rng.next(), 1.4))
    const placedHoursAgo = days * 24 + rng.int(2, 20)
    const target = statusFor(rng, days)
    const cancelAfterConfirm = target === 'cancelled' && rng.chance(0.4)
    const [courier, tracking] = rng.pick(COURIERS)
    const plan: OrderPlan = {
      key: `D${String(i + 1).padStart(3, '0')}`,
      kind: slot.kind,
      lines: [],
      target,
      cancelAfterConfirm,
      payment: null,
      refund: null,
      courier,
      trackingNumber: tracking(rng),
      customerNote: null,
      staffNote: null,
      placedHoursAgo,
      gaps: {
        confirm: rng.int(1, 26),
        dispatch: rng.int(12, 48),
        deliver: rng.int(20, 96),
        complete: rng.int(5 * 24, 14 * 24),
        cancel: rng.int(1, 40),
        pay: rng.int(1, 5 * 24),
        refund: rng.int(24, 96),
      },
      squeeze: rng.int(30, 95),
      address: { line1: `${rng.pick(STREETS)} ${rng.int(1, 240)}`, postalCode: `${rng.int(1000, 9999)}-${rng.int(100, 999)}` },
    }
    const settled = target === 'delivered' || target === 'completed'
    if (slot.kind === 'member') {
      // member01 (the demo login) gets a handful of orders to look at.
      plan.memberEmail = i % 8 === 0 ? members[0] : rng.pick(members)
      plan.lines = pickLines(rng.int(1, 3), 2, true)
      if (target === 'pending') plan.payment = rng.chance(0.35) ? { when: 'placed', part: 'full', method: 'bank_transfer' } : null
      else if (target === 'cancelled') plan.payment = rng.chance(0.6) ? { when: 'placed', part: 'full', method: 'bank_transfer' } : null
      else plan.payment = rng.chance(0.85) ? { when: 'placed', part: 'full', method: 'bank_transfer' } : { when: 'delivered', part: 'full', method: 'cash' }
      if (rng.chance(0.2)) plan.customerNote = rng.pick(CUSTOMER_NOTES)
    } else if (slot.kind === 'admin') {
      if (rng.chance(0.6)) plan.memberEmail = rng.pick(members)
      plan.lines = pickLines(rng.int(1, 4), 3, false)
      plan.staffNote = plan.memberEmail ? STAFF_NOTES[0] : rng.pick(STAFF_NOTES.slice(1))
      plan.payment = target === 'pending' && rng.chance(0.5) ? null : { when: 'placed', part: 'full', method: rng.chance(0.7) ? 'cash' : 'bank_transfer' }
    } else {
      const r = slot.reseller!
      plan.resellerEmail = r.email
      const clients = r.clients.filter((c) => c.status === 'active')
      if (clients.length && rng.chance(0.65)) plan.clientName = rng.pick(clients).name
      plan.lines = pickLines(rng.int(2, 5), r.maxQuantity, false)
      // Resellers pay on account after delivery; Old Town Crafts fell behind (and was suspended).
      const payRate = r.status === 'suspended' ? 0.4 : 1
      const x = rng.next()
      if (target === 'completed') plan.payment = x < 0.85 * payRate ? { when: 'delivered', part: 'full', method: 'bank_transfer' } : x < payRate ? { when: 'delivered', part: 'half', method: 'bank_transfer' } : null
      else if (target === 'delivered') plan.payment = x < 0.45 * payRate ? { when: 'delivered', part: 'full', method: 'bank_transfer' } : x < 0.65 * payRate ? { when: 'delivered', part: 'half', method: 'bank_transfer' } : null
      else if (target === 'cancelled') plan.payment = x < 0.3 ? { when: 'placed', part: 'full', method: 'bank_transfer' } : null
      else plan.payment = x < 0.1 ? { when: 'placed', part: 'full', method: 'bank_transfer' } : null
    }
    if (settled && plan.payment) {
      const y = rng.next()
      if (y < 0.1) plan.refund = { kind: 'partial', reason: rng.pick(PARTIAL_REFUNDS) }
      else if (y < 0.125 && plan.payment.part === 'full') plan.refund = { kind: 'full', reason: 'Returned within 30 days' }
    }
    return plan
  })
  const sorted = plans.filter((p) => p.lines.length > 0).sort((a, b) => b.placedHoursAgo - a.placedHoursAgo || a.key.localeCompare(b.key))
  fitCredit(sorted, new Map(products.map((p) => [p.sku, p.price])))
  return sorted
}

/**
 * Keeps reseller orders within their credit limit and their clients within
 * their monthly limit, replaying the orders in date order on estimated totals
 * (goods plus a margin for tax and fees; every seeded confirmation counts in
 * the current month). An order that would not fit drops its client, or stays
 * pending (waiting for credit) without a payment.
 */
function fitCredit(orders: OrderPlan[], priceOf: Map<string, number>): void {
  const owed = new Map<string, number>()
  const usage = new Map<string, number>()
  for (const o of orders) {
    const r = DEMO_RESELLERS.find((x) => x.email === o.resellerEmail)
    if (!r) continue
    const goods = o.lines.reduce((s, l) => s + (priceOf.get(l.sku) ?? 0) * l.quantity, 0)
    const total = Math.ceil(goods * 1.3) + 5_000
    const paid = !o.payment ? 0 : o.payment.part === 'full' ? total : Math.floor(total / 2)
    const confirms = o.target !== 'pending' && !(o.target === 'cancelled' && !o.cancelAfterConfirm)
    const limitOf = (name: string | undefined) => r.clients.find((c) => c.name === name)?.monthlyLimit ?? null
    const clientKey = `${r.email}/${o.clientName}`
    let balance = owed.get(r.email) ?? 0
    if (o.payment?.when === 'placed') balance -= paid
    if (confirms) {
      const limit = limitOf(o.clientName)
      if (o.clientName && limit !== null && (usage.get(clientKey) ?? 0) + total > limit) o.clientName = undefined
      if (balance + total > r.creditLimit) {
        o.target = 'pending'
        o.cancelAfterConfirm = false
        o.payment = null
        o.refund = null
        o.staffNote = 'Waiting for credit approval.'
        continue
      }
      balance += total
      if (o.clientName) usage.set(`${r.email}/${o.clientName}`, (usage.get(`${r.email}/${o.clientName}`) ?? 0) + total)
    }
    if (o.target === 'cancelled') {
      // Cancelling releases the credit (after confirm) and refunds what was paid.
      if (o.cancelAfterConfirm) balance -= total
      balance += o.payment ? paid : 0
    } else if (o.payment?.when === 'delivered') balance -= paid
    if (o.refund) balance += o.refund.kind === 'full' ? paid : Math.min(paid, total)
    owed.set(r.email, balance)
  }
}

/**
 * Splits the orders (oldest first) into `n` lanes by customer: a member's,
 * a reseller's or the walk-in orders always share a lane, and lanes get about
 * the same number of orders.
 */
function lanesOf(orders: readonly OrderPlan[], n: number): Array<Array<{ plan: OrderPlan; index: number }>> {
  const byCustomer = new Map<string, Array<{ plan: OrderPlan; index: number }>>()
  for (const [index, plan] of orders.entries()) {
    const key = plan.memberEmail ?? plan.resellerEmail ?? 'walk-in'
    byCustomer.set(key, [...(byCustomer.get(key) ?? []), { plan, index }])
  }
  const lanes = Array.from({ length: n }, () => [] as Array<{ plan: OrderPlan; index: number }>)
  const groups = [...byCustomer.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
  for (const [, group] of groups) lanes.reduce((min, lane) => (lane.length < min.length ? lane : min)).push(...group)
  return lanes.map((lane) => lane.sort((a, b) => a.index - b.index))
}

const FORWARD: readonly OrderStatus[] = ['pending', 'confirmed', 'dispatched', 'delivered', 'completed']

/** The moves from pending to the order's planned state. */
function stepsOf(plan: OrderPlan): OrderStatus[] {
  if (plan.target === 'cancelled') return plan.cancelAfterConfirm ? ['confirmed', 'cancelled'] : ['cancelled']
  return FORWARD.slice(1, FORWARD.indexOf(plan.target) + 1) as OrderStatus[]
}

type Times = Partial<Record<OrderStatus | 'paid' | 'refunded' | 'placed', number>>

/** When each step happened (ms), squeezed to end before now for recent orders. */
function timesOf(plan: OrderPlan, nowMs: number): Times {
  const placed = nowMs - plan.placedHoursAgo * HOUR
  const steps = stepsOf(plan)
  const gapOf: Record<string, number> = {
    confirmed: plan.gaps.confirm,
    dispatched: plan.gaps.dispatch,
    delivered: plan.gaps.deliver,
    completed: plan.gaps.complete,
    cancelled: plan.gaps.cancel,
  }
  const latest = nowMs - 20 * MINUTE
  const total = steps.reduce((s, st) => s + gapOf[st] * HOUR, 0)
  const scale = total > 0 && placed + total > latest ? (Math.max(0, latest - placed) * plan.squeeze) / 100 / total : 1
  const times: Times = { placed }
  let t = placed
  for (const st of steps) {
    t += Math.round(gapOf[st] * HOUR * scale)
    times[st] = t
  }
  if (plan.payment?.when === 'placed') times.paid = placed + Math.min(HOUR, Math.round(((steps.length ? times[steps[0]]! : latest) - placed) / 2))
  if (plan.payment?.when === 'delivered' && times.delivered) {
    const until = times.completed ?? latest
    times.paid = Math.max(times.delivered + MINUTE, Math.min(until - MINUTE, times.delivered + plan.gaps.pay * HOUR))
  }
  if (plan.refund) times.refunded = Math.min(latest, (times.delivered ?? placed) + plan.gaps.refund * HOUR)
  return times
}

type OrderState = { id: number; status: OrderStatus; orderNumber: string; total: number; amountPaid: number; createdAt: Date }

async function orderState(db: Db, id: number): Promise<OrderState> {
  const [o] = await rows<{ id: number; status: OrderStatus; order_number: string; total: string; amount_paid: string; created_at: Date }>(
    db,
    sql`select id, status, order_number, total, amount_paid, created_at from orders where id = ${id}`,
  )
  return { id: Number(o.id), status: o.status, orderNumber: o.order_number, total: Number(o.total), amountPaid: Number(o.amount_paid), createdAt: new Date(o.created_at) }
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString())
const inList = (ids: readonly number[]) =>
  sql`(${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )})`

/**
 * Moves orders' timestamps (and those of their money and stock records) to
 * when the plan says things happened: one set-based pass for all of them.
 */
async function backdateOrders(payload: Payload, orders: ReadonlyArray<{ id: number; times: Times }>): Promise<void> {
  if (!orders.length) return
  const ts = (ms: number | undefined) => sql`${iso(ms)}::timestamptz`
  const values = sql.join(
    orders.map(({ id, times: t }) => {
      const last = Math.max(...Object.values(t).filter((v): v is number => v !== undefined))
      return sql`(${id}::int, ${ts(t.placed)}, ${ts(last)}, ${ts(t.confirmed)}, ${ts(t.dispatched)}, ${ts(t.delivered)}, ${ts(t.completed)},
        ${ts(t.cancelled)}, ${ts(t.paid)}, ${ts(t.cancelled ?? t.refunded)})`
    }),
    sql`, `,
  )
  const v = sql`(values ${values}) as v(id, placed, last, confirmed, dispatched, delivered, completed, cancelled, paid, refunded)`
  // Keeps a step's time empty when the order never took that step.
  const at = (column: string, value: string) =>
    sql`${sql.identifier(column)} = case when o.${sql.identifier(column)} is null then null else coalesce(v.${sql.identifier(value)}, o.${sql.identifier(column)}) end`
  await inTransaction(payload, undefined, (db) =>
    allowComputedWrites(db, async () => {
      await db.execute(sql`update orders o set created_at = v.placed, updated_at = v.last,
          ${at('confirmed_at', 'confirmed')}, ${at('dispatched_at', 'dispatched')}, ${at('delivered_at', 'delivered')},
          ${at('completed_at', 'completed')}, ${at('cancelled_at', 'cancelled')}
        from ${v} where o.id = v.id`)
      await db.execute(sql`update transactions t set created_at = x.at, updated_at = x.at, processed_at = case when t.processed_at is null then null else x.at end
        from (select v.id, case t2.type when 'payment' then v.paid when 'credit' then v.confirmed when 'commission' then v.delivered when 'refund' then v.refunded end as at, t2.id as tx
              from ${v} join transactions t2 on t2.order_id = v.id) x
        where t.id = x.tx and x.at is not null`)
      await db.execute(sql`update stock_movements m set created_at = x.at, updated_at = x.at
        from (select m2.id, case m2.reason when 'order' then v.confirmed when 'cancel' then v.cancelled end as at
              from ${v} join orders o on o.id = v.id join stock_movements m2 on m2.order_ref = o.order_number) x
        where m.id = x.id and x.at is not null`)
    }),
  )
}

// ---------------------------------------------------------------------------
// Reviews

type ReviewPlan = { orderKey: string; memberEmail: string; sku: string; rating: number; title: string; body: string; status: 'approved' | 'pending' | 'rejected'; daysAfter: number }

const REVIEW_TEXT: Record<number, ReadonlyArray<[string, string]>> = {
  5: [
    ['Beautiful', 'Even nicer in person than in the photos. You can feel it was made by hand.'],
    ['Perfect gift', 'Bought it for my sister and she loved it. Lovely packaging too.'],
    ['Excellent quality', 'Solid, well finished and it arrived quickly. Will order again.'],
  ],
  4: [
    ['Very nice', 'Lovely piece; the colour is a little darker than on screen but I like it.'],
    ['Good value', 'Well made and useful every day. Delivery took a few days longer than expected.'],
  ],
  3: [['Fine', 'It is nice, but smaller than I imagined. Check the size before ordering.']],
  2: [['Not quite right', 'The finish was uneven on mine. Customer service was helpful though.']],
}
/** What moderators reject. */
const SPAM_REVIEW: [string, string] = ['Best prices!!!', 'Same thing much cheaper on my website, link in my profile. Free shipping worldwide!!!']

function planReviews(orders: readonly OrderPlan[]): ReviewPlan[] {
  const rng = seededRandom('patron-demo:reviews')
  const seen = new Set<string>()
  const plans: ReviewPlan[] = []
  for (const o of orders) {
    if (!o.memberEmail || (o.target !== 'delivered' && o.target !== 'completed') || !rng.chance(0.45)) continue
    const sku = rng.pick(o.lines).sku
    if (seen.has(`${o.memberEmail}/${sku}`)) continue
    seen.add(`${o.memberEmail}/${sku}`)
    // Moderators have caught up with older reviews; the last few weeks' wait in the queue.
    const x = rng.next()
    const recent = o.placedHoursAgo < 25 * 24
    const status = x < 0.06 ? 'rejected' : recent && x < 0.7 ? 'pending' : 'approved'
    const rating = status === 'rejected' ? 5 : rng.pick([5, 5, 5, 4, 4, 3, 2])
    const [title, body] = status === 'rejected' ? SPAM_REVIEW : rng.pick(REVIEW_TEXT[rating])
    plans.push({ orderKey: o.key, memberEmail: o.memberEmail, sku, rating, title, body, status, daysAfter: rng.int(1, 6) })
  }
  return plans
}

// ---------------------------------------------------------------------------

export type CommerceSeedStats = {
  categoriesCreated: number
  productsCreated: number
  resellersCreated: number
  ordersCreated: number
  ordersMoved: number
  ordersSkipped: number
  paymentsRecorded: number
  refundsMade: number
  reviewsCreated: number
}

export async function seedCommerceDemo(payload: Payload, onProgress: (msg: string) => void = () => {}): Promise<CommerceSeedStats> {
  const stats: CommerceSeedStats = {
    categoriesCreated: 0,
    productsCreated: 0,
    resellersCreated: 0,
    ordersCreated: 0,
    ordersMoved: 0,
    ordersSkipped: 0,
    paymentsRecorded: 0,
    refundsMade: 0,
    reviewsCreated: 0,
  }
  const db = await dbFor(payload)
  const nowMs = Date.now()
  const settings = await loadCommerceSettings(payload)
  // The demo admin handles the orders and records the payments (else the oldest admin).
  const admins = await payload.find({ collection: 'users', where: { role: { in: ['admin', 'super-admin'] } }, sort: 'createdAt', limit: 100, depth: 0, overrideAccess: true })
  const admin = admins.docs.find((u) => u.email === 'admin@patron.local') ?? admins.docs[0]
  if (!admin) throw new Error('the commerce demo needs an admin account (seed the staff accounts first)')
  const adminId = admin.id
  const actor: OrderActor = { kind: 'staff', id: adminId, role: admin.role ?? 'admin' }

  // Categories, by slug (parents first).
  const haveCategories = await payload.find({ collection: 'categories', where: { slug: { in: DEMO_CATEGORIES.map((c) => c.slug) } }, depth: 0, pagination: false, overrideAccess: true })
  const categoryId = new Map(haveCategories.docs.map((c) => [c.slug, c.id]))
  for (const [i, c] of DEMO_CATEGORIES.entries()) {
    onProgress(`categories ${i + 1}/${DEMO_CATEGORIES.length}`)
    if (categoryId.has(c.slug)) continue
    const doc = await payload.create({ collection: 'categories', overrideAccess: true, depth: 0, data: { title: c.title, slug: c.slug, parent: c.parent ? categoryId.get(c.parent) : null } })
    categoryId.set(c.slug, doc.id)
    stats.categoriesCreated++
  }

  // Products, by SKU.
  const catalogue = planCatalogue()
  const productId = new Map<string, number>()
  for (const r of await rows<{ id: number; sku: string }>(db, sql`select id, sku from products where sku like 'HM-%'`)) productId.set(r.sku, Number(r.id))
  const createdProducts: number[] = []
  let done = 0
  await eachLimited(catalogue, PRODUCT_CONCURRENCY, async (p) => {
    if (!productId.has(p.sku)) {
      const doc = await payload.create({
        collection: 'products',
        overrideAccess: true,
        depth: 0,
        draft: p.draft,
        data: {
          title: p.title,
          slug: p.slug,
          sku: p.sku,
          description: richText(p.description),
          category: categoryId.get(p.category),
          price: p.price,
          stockQuantity: p.stock,
          reorderThreshold: p.reorderThreshold,
          attributes: p.attributes,
          status: p.status,
          _status: p.draft ? 'draft' : 'published',
        },
      })
      productId.set(p.sku, doc.id)
      createdProducts.push(doc.id)
    }
    onProgress(`products ${++done}/${catalogue.length}`)
  })
  stats.productsCreated = createdProducts.length
  if (createdProducts.length) {
    // The catalogue went up about four months ago; low stock shows as open alerts straight away.
    await inTransaction(payload, undefined, async (tx) => {
      await tx.execute(sql`update products set created_at = now() - interval '120 days' + (id % 600) * interval '1 minute' where id in ${inList(createdProducts)}`)
      await tx.execute(sql`update stock_movements m set created_at = p.created_at, updated_at = p.created_at from products p
        where m.product_id = p.id and m.reason = 'initial' and p.id in ${inList(createdProducts)}`)
      for (const p of catalogue) {
        const id = productId.get(p.sku)!
        const threshold = p.reorderThreshold ?? settings.defaultReorderThreshold
        if (p.status === 'active' && p.stock <= threshold && createdProducts.includes(id)) await reconcileAlert(tx, id, p.stock, threshold)
      }
    })
  }

  // Resellers and clients.
  const resellers = await ensureDemoResellers(payload, onProgress)
  stats.resellersCreated = resellers.created.size

  // Orders, by the key in their staff notes; a half-done one is moved on.
  const memberRows = await rows<{ id: number; email: string; name: string | null; phone: string | null; city: string | null; country: string | null }>(
    db,
    sql`select id, email, name, phone, city, country from members
        where email in ${sql`(${sql.join(
          Array.from({ length: DEMO_MEMBER_COUNT }, (_, i) => sql`${demoMemberEmail(i + 1)}`),
          sql`, `,
        )})`} and status = 'active' order by email`,
  )
  const members = new Map(memberRows.map((m) => [m.email, m]))
  const orders = memberRows.length ? planOrders(memberRows.map((m) => m.email), catalogue) : []
  const existingOrders = await rows<{ id: number; notes: string }>(db, sql`select id, notes from orders where starts_with(notes, ${ORDER_MARKER})`)
  const orderId = new Map<string, number>()
  for (const o of existingOrders) {
    const key = /^Demo order (D\d{3})/.exec(o.notes)?.[1]
    if (key) orderId.set(key, Number(o.id))
  }
  const suspendedWithNewOrders = new Set<string>()
  const states = new Map<string, OrderState>()
  const toBackdate: Array<{ id: number; times: Times }> = []
  const processOrder = async (plan: OrderPlan, i: number) => {
    const member = plan.memberEmail ? members.get(plan.memberEmail) : undefined
    const reseller = plan.resellerEmail ? DEMO_RESELLERS.find((r) => r.email === plan.resellerEmail) : undefined
    let id = orderId.get(plan.key)
    let touched = false
    try {
      if (id === undefined) {
        const address = member
          ? { name: member.name, phone: member.phone, city: member.city, country: member.country }
          : reseller
            ? { name: plan.clientName ?? reseller.businessName, phone: reseller.phone, city: reseller.city, country: reseller.country }
            : { name: WALK_IN[i % WALK_IN.length], phone: null, city: 'Lisbon', country: 'PT' }
        const doc = await payload.create({
          collection: 'orders',
          overrideAccess: true,
          depth: 0,
          data: {
            items: plan.lines.map((l) => ({ product: productId.get(l.sku)!, quantity: l.quantity })),
            member: member?.id ?? null,
            reseller: reseller ? resellers.ids.get(reseller.email) : null,
            resellerClient: reseller && plan.clientName ? resellers.clients.get(`${reseller.email}/${plan.clientName}`) : null,
            ...(plan.kind === 'member' ? { source: 'storefront' as const } : {}),
            deliveryAddress: { ...address, line1: plan.address.line1, postalCode: plan.address.postalCode },
            courier: plan.target === 'pending' || plan.target === 'cancelled' ? null : plan.courier,
            customerNote: plan.customerNote,
            notes: plan.staffNote ? `${orderMarker(plan.key)}. ${plan.staffNote}` : orderMarker(plan.key),
          } as never,
        })
        id = doc.id
        orderId.set(plan.key, id)
        stats.ordersCreated++
        touched = true
        if (reseller?.status === 'suspended') suspendedWithNewOrders.add(reseller.email)
      }
      const state = await orderState(db, id)
      states.set(plan.key, state)
      const steps = stepsOf(plan)
      if (state.status !== 'pending' && !steps.includes(state.status)) {
        stats.ordersSkipped++ // moved by hand since: leave it be
        return
      }
      const pay = async () => {
        if (!plan.payment || state.status === 'cancelled' || state.amountPaid > 0) return
        const amount = plan.payment.part === 'full' ? state.total : Math.floor(state.total / 2)
        if (amount <= 0) return
        await recordManualPayment(payload, { orderId: state.id, amount, method: plan.payment.method, createdBy: adminId })
        state.amountPaid = amount
        stats.paymentsRecorded++
        touched = true
      }
      if (state.status === 'pending' && plan.payment?.when === 'placed') await pay()
      for (const to of steps.slice(steps.indexOf(state.status) + 1)) {
        await transitionOrder(payload, {
          orderId: state.id,
          to,
          actor,
          trackingNumber: to === 'dispatched' ? plan.trackingNumber : undefined,
          note: to === 'cancelled' ? (plan.kind === 'member' ? 'Customer changed their mind' : 'Cancelled at the customer’s request') : null,
        })
        state.status = to
        touched = true
        if (to === 'delivered' && plan.payment?.when === 'delivered') await pay()
      }
      if ((state.status === 'delivered' || state.status === 'completed') && plan.payment?.when === 'delivered') await pay()
      if (plan.refund && (state.status === 'delivered' || state.status === 'completed') && state.amountPaid > 0) {
        const [r] = await rows<{ payment: number | null; refunds: number; unit: string | null }>(
          db,
          sql`select (select id from transactions where order_id = ${state.id} and type = 'payment' and status = 'completed' order by id limit 1) as payment,
                (select count(*)::int from transactions where order_id = ${state.id} and type = 'refund') as refunds,
                (select unit_price from orders_items where _parent_id = ${state.id} order by _order limit 1) as unit`,
        )
        if (r.payment && r.refunds === 0) {
          const amount = plan.refund.kind === 'full' ? undefined : Math.min(Number(r.unit ?? 0), state.amountPaid)
          await refundTransaction(payload, { transactionId: Number(r.payment), amount, reason: plan.refund.reason, createdBy: adminId })
          stats.refundsMade++
          touched = true
        }
      }
    } catch (err) {
      // Data changed by hand since the last run (stock, credit, statuses): leave this order where it is.
      if (!(err instanceof PatronError)) throw err
      stats.ordersSkipped++
      payload.logger.warn(`demo order ${plan.key} left as it is: ${err.message}`)
    }
    if (id === undefined) return
    const times = timesOf(plan, nowMs)
    if (touched) stats.ordersMoved++
    // Back-dated at the end; also when an earlier run stopped before doing it.
    if (touched || (states.get(plan.key)?.createdAt.getTime() ?? 0) > times.placed! + MINUTE) toBackdate.push({ id, times })
  }
  // A few lanes at once, each customer's orders in one lane in date order (its credit, tier and
  // points come out the same every run); the plan leaves enough stock for any interleaving.
  let ordersDone = 0
  await Promise.all(
    lanesOf(orders, ORDER_LANES).map(async (lane) => {
      for (const { plan, index } of lane) {
        await processOrder(plan, index)
        onProgress(`orders ${++ordersDone}/${orders.length}`)
      }
    }),
  )
  await backdateOrders(payload, toBackdate)


  // A client's usage is this month's confirmed orders: recount it now that the orders are back-dated.
  const clientIds = [...resellers.clients.values()]
  if (clientIds.length && toBackdate.length) {
    await inTransaction(payload, undefined, (tx) =>
      allowComputedWrites(tx, () =>
        tx.execute(sql`update reseller_clients c set current_usage = (
            select coalesce(sum(o.total), 0) from orders o
            where o.reseller_client_id = c.id and o.status in ('confirmed', 'dispatched', 'delivered', 'completed')
              and o.confirmed_at >= date_trunc('month', now()))
          where c.id in ${inList(clientIds)}`),
      ),
    )
  }
  // Resellers meant to end up suspended, once their orders are in (only when this run placed them).
  for (const r of DEMO_RESELLERS) {
    if (r.status === 'suspended' && (resellers.created.has(r.email) || suspendedWithNewOrders.has(r.email))) {
      await payload.update({ collection: 'resellers', id: resellers.ids.get(r.email)!, data: { status: 'suspended' }, overrideAccess: true, depth: 0 })
    }
  }

  // Reviews by members of products delivered to them, by product and member.
  const reviews = planReviews(orders)
  for (const [i, rv] of reviews.entries()) {
    onProgress(`reviews ${i + 1}/${reviews.length}`)
    const member = members.get(rv.memberEmail)
    const product = productId.get(rv.sku)
    const state = states.get(rv.orderKey)
    if (!member || !product || !state || (state.status !== 'delivered' && state.status !== 'completed')) continue
    const [dup] = await rows<{ n: number }>(db, sql`select count(*)::int as n from reviews where member_id = ${member.id} and product_id = ${product}`)
    if (dup.n > 0) continue
    const doc = await payload.create({
      collection: 'reviews',
      overrideAccess: true,
      depth: 0,
      data: {
        product,
        member: member.id,
        rating: rv.rating,
        title: rv.title,
        body: rv.body,
        status: rv.status,
        ...(rv.status === 'rejected' ? { moderationNote: 'Advertising' } : {}),
      },
    })
    stats.reviewsCreated++
    const plan = orders.find((o) => o.key === rv.orderKey)!
    const delivered = timesOf(plan, nowMs).delivered ?? nowMs - DAY
    await db.execute(sql`update reviews set created_at = ${iso(Math.min(nowMs - HOUR, delivered + rv.daysAfter * DAY))}, updated_at = now() where id = ${doc.id}`)
  }
  return stats
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
