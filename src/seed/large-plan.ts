/**
 * The large data set (`npm run seed:large`), planned in memory before a row is
 * written: pure functions, no database. src/seed/large.ts writes the plan with
 * bulk SQL.
 *
 * Everything follows the rules the app applies one document at a time, so the
 * data looks as if the app had made it over two years:
 * - each member's history is replayed in time order through the ledger's rules
 *   (src/domain/loyalty.ts): signup bonus, points earned on delivered orders at
 *   the member's tier multiplier, redemptions checked like the redeem service
 *   does (active and in-date voucher, minimum tier, per-member limit, points),
 *   cancellations and expired redemptions, and the nightly point expiry
 *   (oldest lots first) — so balances never go below zero and equal the sum of
 *   the entries;
 * - orders follow the state machine (src/domain/orders.ts) with totals from
 *   priceOrder (tax on the discounted goods), the voucher discount of a pending
 *   redemption, payments, refunds, reseller credit and commission, and the
 *   payment status from paymentStatusFor;
 * - stock starts with an `initial` movement and moves with every confirmed or
 *   cancelled order (a supplier restock when it would run out), opening and
 *   resolving low-stock alerts like the inventory service;
 * - reseller credit limits and client monthly limits are set so every confirm
 *   fitted them when it happened.
 * Deterministic: the same seed and scale give the same data.
 */
import { meetsMinTier, multiplierFor, pointsEarned, pointsExpiry, tierFor, tierMeasure, type LoyaltyRules } from '../domain/loyalty'
import type { OrderStatus } from '../domain/orders'
import { commissionFor, paymentStatusFor, priceOrder, type Discount, type OrderTotals, type PaymentStatus, type PricingSettings } from '../domain/pricing'
import { redemptionExpiry } from '../domain/redemption'
import { COURIERS } from './couriers'
import { randomDigits, type Rng } from './random'

export const DAY = 86_400_000
export const HOUR = 3_600_000
export const MINUTE = 60_000

/** E-mail domain of the large seed's members and resellers: how its rows are found again (see resetLarge). */
export const LARGE_EMAIL_DOMAIN = 'large.patron.local'
/** Prefix of the large seed's product SKUs and voucher codes; category slugs start with `lg-`. */
export const LARGE_PREFIX = 'LG-'

export type LargeCounts = {
  members: number
  ledger: number
  vouchers: number
  redemptions: number
  products: number
  resellers: number
  clients: number
  orders: number
}

/** Scale 1. */
export const FULL_SIZE: LargeCounts = {
  members: 50_000,
  ledger: 1_000_000,
  vouchers: 200,
  redemptions: 100_000,
  products: 5_000,
  resellers: 200,
  clients: 10_000,
  orders: 200_000,
}

/** Counts for a scale (1 = full size), with small floors so a tiny scale still has every kind of row. */
export function countsFor(scale: number): LargeCounts {
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10) throw new RangeError(`scale must be a number in (0, 10], got ${scale}`)
  const n = (full: number, min: number) => Math.max(min, Math.round(full * scale))
  const members = n(FULL_SIZE.members, 20)
  const resellers = n(FULL_SIZE.resellers, 3)
  return {
    members,
    ledger: n(FULL_SIZE.ledger, members * 4),
    vouchers: n(FULL_SIZE.vouchers, 5),
    redemptions: n(FULL_SIZE.redemptions, 10),
    products: n(FULL_SIZE.products, 10),
    resellers,
    clients: n(FULL_SIZE.clients, resellers * 2),
    orders: n(FULL_SIZE.orders, 30),
  }
}

export type LargeSettings = PricingSettings & { currency: string; defaultReorderThreshold: number }

// ---------------------------------------------------------------------------
// Codes

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * A code such as `ORD-7K2M9QXA` for the n-th row: an invertible scramble of n
 * in the code's 5·chars-bit space (so codes are unique without a lookup, and
 * look random), written in the Crockford alphabet the app's randomCode uses.
 */
export function scrambledCode(prefix: string, n: number, chars: number, salt: number): string {
  const bits = BigInt(chars * 5)
  const mask = (1n << bits) - 1n
  const shift = bits / 2n
  let x = (BigInt(n) + BigInt(salt) * 0x9e3779b1n) & mask
  for (const k of [0x2545f4914f6cdd1dn, 0x5851f42d4c957f2dn, 0x14057b7ef767814fn]) {
    x = (x * (k | 1n)) & mask
    x ^= x >> shift
  }
  let out = ''
  for (let i = 0; i < chars; i++) {
    out = ALPHABET[Number(x & 31n)] + out
    x >>= 5n
  }
  return `${prefix}-${out}`
}

// ---------------------------------------------------------------------------
// Plan types

export type PlanCategory = { title: string; slug: string; createdAt: number }

export type PlanProduct = {
  title: string
  slug: string
  sku: string
  category: number
  price: number
  status: 'active' | 'archived'
  /** No new orders after this (archived products). */
  archivedAt: number | null
  reorderThreshold: number | null
  createdAt: number
  updatedAt: number
  weight: number
  /** Final stock: the sum of its movements. */
  stock: number
}

export type PlanReseller = {
  businessName: string
  contactPerson: string
  email: string
  phone: string
  address: string
  city: string
  state: string
  country: string
  status: 'pending' | 'active' | 'suspended'
  createdAt: number
  suspendedAt: number | null
  commissionRate: number
  weight: number
  clients: number[]
  creditLimit: number
  balance: number
  updatedAt: number
}

export type PlanClient = {
  reseller: number
  name: string
  email: string
  phone: string
  planType: string
  status: 'active' | 'inactive' | 'suspended'
  createdAt: number
  hasLimit: boolean
  monthlyLimit: number | null
  usage: number
  updatedAt: number
}

export type MemberStatus = 'pending_verification' | 'active' | 'inactive' | 'blocked'

export type PlanMember = {
  name: string
  email: string
  code: string
  phone: string
  address: string
  city: string
  state: string
  postalCode: string
  country: string
  dateOfBirth: number
  idDocumentType: 'passport' | 'national_id' | 'driver_license' | null
  idDocumentNumber: string | null
  marketingOptIn: boolean
  status: MemberStatus
  joinAt: number
  /** Last moment of own activity (redeeming, shopping): now for active members. */
  activeUntil: number
  /** Entries to spread over the membership besides those orders, redemptions and expiry make. */
  fill: number
  plannedRedemptions: number
  orders: number[]
  result: MemberResult
}

export type MemberResult = {
  entries: PlanEntry[]
  redemptions: PlanRedemption[]
  balance: number
  lifetimePoints: number
  lifetimeSpend: number
  tier: string | null
  updatedAt: number
}

export type PlanVoucher = {
  code: string
  name: string
  discountType: 'percentage' | 'fixed'
  discountValue: number
  pointsCost: number
  perMemberLimit: number | null
  minTier: string | null
  validFrom: number | null
  validTo: number | null
  status: 'active' | 'inactive'
  createdAt: number
  weight: number
  initialStock: number
  stock: number
  updatedAt: number
}

export type RedemptionStatus = 'pending' | 'used' | 'expired' | 'cancelled'

export type PlanRedemption = {
  member: number
  voucher: number
  at: number
  expiresAt: number | null
  cost: number
  status: RedemptionStatus
  usedAt: number | null
  cancelledAt: number | null
  updatedAt: number
  /** Order the voucher discounted, or -1. */
  order: number
  /** Position in time order over all members (its id and code follow it); set by planLarge. */
  index: number
}

export type LedgerType = 'earn' | 'redeem' | 'adjust' | 'bonus' | 'expire' | 'refund'
/** How the entry's idempotency key is built once ids are known (large.ts). */
export type KeyKind = 'signup' | 'order' | 'redeem' | 'cancel' | 'redemption-expired' | 'expire' | null

export type PlanEntry = {
  t: number
  type: LedgerType
  points: number
  balanceAfter: number
  expiresAt: number | null
  spend: number | null
  redemption: PlanRedemption | null
  order: number
  /** Fixed text; null when built from codes at write time (order, redemption). */
  reason: string | null
  key: KeyKind
  /** expire entries: the expired-lot total and net debits the key names (0 otherwise). */
  keyLots: number
  keyDebits: number
}

export type PlanLine = { product: number; quantity: number; unitPrice: number; lineTotal: number }

export type PlanTransaction = {
  type: 'payment' | 'refund' | 'commission' | 'credit'
  status: 'completed' | 'cancelled'
  order: number
  member: number
  reseller: number
  amount: number
  method: 'card' | 'bank_transfer' | 'cash' | 'credit'
  refundOf: PlanTransaction | null
  reason: string | null
  at: number
  updatedAt: number
  /** Position in time order; set by planLarge. */
  index: number
}

export type PlanOrder = {
  number: string
  kind: 'member' | 'admin' | 'reseller'
  source: 'storefront' | 'admin' | 'reseller'
  member: number
  reseller: number
  client: number
  placedAt: number
  status: OrderStatus
  times: Partial<Record<'confirmed' | 'dispatched' | 'delivered' | 'completed' | 'cancelled', number>>
  cancelledFrom: 'pending' | 'confirmed' | null
  cancelledByMember: boolean
  lines: PlanLine[]
  baseTotals: OrderTotals
  totals: OrderTotals
  redemption: PlanRedemption | null
  courier: string | null
  trackingNumber: string | null
  customerNote: string | null
  notes: string | null
  address: { name: string; phone: string; line1: string; line2: string | null; city: string; postalCode: string; country: string }
  amountPaid: number
  amountRefunded: number
  paymentStatus: PaymentStatus
  commission: number
  updatedAt: number
}

export type PlanMovement = {
  product: number
  delta: number
  stockAfter: number
  reason: 'initial' | 'restock' | 'order' | 'cancel'
  note: string | null
  order: number
  at: number
  seq: number
}

export type PlanAlert = { product: number; stockAtAlert: number; threshold: number; status: 'open' | 'resolved'; at: number; resolvedAt: number | null; notifiedAt: number | null }

export type LargePlan = {
  now: number
  counts: LargeCounts
  categories: PlanCategory[]
  products: PlanProduct[]
  resellers: PlanReseller[]
  clients: PlanClient[]
  members: PlanMember[]
  vouchers: PlanVoucher[]
  /** In time order. */
  redemptions: PlanRedemption[]
  /** Total ledger entries (they live in each member's result). */
  ledgerEntries: number
  /** In time order (ids follow it). */
  orders: PlanOrder[]
  /** In time order. */
  transactions: PlanTransaction[]
  /** In time order. */
  movements: PlanMovement[]
  alerts: PlanAlert[]
}

export type PlanInput = {
  scale: number
  seed: number
  now: number
  settings: LargeSettings
  rules: LoyaltyRules
  onProgress?: (done: number, total: number) => void
}

// ---------------------------------------------------------------------------
// Small helpers

const FIRST = [
  'Ana', 'Bruno', 'Carla', 'Daniel', 'Elena', 'Filipe', 'Grace', 'Hugo', 'Inês', 'João', 'Karen', 'Luís', 'Marta', 'Nuno', 'Olivia', 'Pedro', 'Rita',
  'Samuel', 'Teresa', 'Vasco', 'Wendy', 'Yara', 'Zoe', 'Amir', 'Beatriz', 'Chen', 'Diego', 'Emma', 'Fatima', 'Gustav', 'Hana', 'Ivan', 'Jamal', 'Kai',
  'Lena', 'Mateo', 'Noor', 'Oscar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wei', 'Ximena', 'Yusuf', 'Zara',
] as const
const LAST = [
  'Almeida', 'Brown', 'Costa', 'Dias', 'Evans', 'Ferreira', 'Garcia', 'Hughes', 'Lopes', 'Martins', 'Nunes', 'Oliveira', 'Pereira', 'Ribeiro', 'Santos',
  'Silva', 'Sousa', 'Taylor', 'Walker', 'Young', 'Andersen', 'Bauer', 'Novak', 'Rossi', 'Dubois', 'Kowalski', 'Murphy', 'Jensen', 'Moreau', 'Schmidt',
  'Fischer', 'Romero', 'Nakamura', 'Okafor', 'Haddad', 'Lindqvist', 'Byrne', 'Kaur', 'Ito', 'Varga',
] as const
const CITIES: ReadonlyArray<[city: string, state: string, country: string, dial: string]> = [
  ['Lisbon', 'Lisboa', 'PT', '351'],
  ['Porto', 'Porto', 'PT', '351'],
  ['Braga', 'Braga', 'PT', '351'],
  ['Faro', 'Faro', 'PT', '351'],
  ['Madrid', 'Madrid', 'ES', '34'],
  ['Seville', 'Andalusia', 'ES', '34'],
  ['Berlin', 'Berlin', 'DE', '49'],
  ['Munich', 'Bavaria', 'DE', '49'],
  ['Paris', 'Île-de-France', 'FR', '33'],
  ['Lyon', 'Auvergne-Rhône-Alpes', 'FR', '33'],
  ['London', 'England', 'GB', '44'],
  ['Manchester', 'England', 'GB', '44'],
  ['Dublin', 'Leinster', 'IE', '353'],
  ['Amsterdam', 'North Holland', 'NL', '31'],
  ['Milan', 'Lombardy', 'IT', '39'],
]
const STREETS = [
  'Rua Augusta', 'Avenida da Liberdade', 'Calle Mayor', 'Hauptstraße', 'Rue Oberkampf', 'High Street', 'Grafton Street', 'Keizersgracht', 'Rua do Almada',
  'Church Road', 'Via Roma', 'Station Road', 'Rua de Santa Catarina', 'Gran Vía', 'Rue de Rivoli', 'Kastanienallee',
] as const
const CATEGORY_DEFS: ReadonlyArray<[title: string, code: string, nouns: readonly string[]]> = [
  ['Ceramics', 'CER', ['Mug', 'Bowl', 'Plate', 'Vase', 'Teapot']],
  ['Textiles', 'TEX', ['Tea Towel', 'Cushion Cover', 'Table Runner', 'Throw']],
  ['Jewellery', 'JWL', ['Ring', 'Necklace', 'Earrings', 'Bracelet']],
  ['Woodwork', 'WOD', ['Cutting Board', 'Spoon Set', 'Bowl', 'Tray']],
  ['Candles', 'CDL', ['Pillar Candle', 'Tin Candle', 'Taper Pair', 'Wax Melts']],
  ['Leather', 'LTH', ['Wallet', 'Card Holder', 'Belt', 'Key Fob']],
  ['Glass', 'GLS', ['Tumbler', 'Carafe', 'Suncatcher', 'Bud Vase']],
  ['Paper Goods', 'PAP', ['Notebook', 'Journal', 'Sketchbook', 'Planner']],
  ['Soap & Bath', 'SOP', ['Bar Soap', 'Bath Salts', 'Body Balm', 'Shampoo Bar']],
  ['Prints', 'PRT', ['Art Print', 'Linocut', 'Risograph Poster', 'Postcard Set']],
  ['Baskets', 'BSK', ['Market Basket', 'Storage Basket', 'Bread Basket', 'Plant Basket']],
  ['Knitwear', 'KNT', ['Beanie', 'Scarf', 'Mittens', 'Socks']],
  ['Metalwork', 'MTL', ['Hook Set', 'Candle Holder', 'Bottle Opener', 'Trivet']],
  ['Toys', 'TOY', ['Wooden Car', 'Rag Doll', 'Stacking Rings', 'Puzzle']],
  ['Kitchen', 'KIT', ['Apron', 'Oven Mitt', 'Salt Cellar', 'Butter Dish']],
  ['Home Décor', 'DEC', ['Wall Hanging', 'Mirror', 'Planter', 'Bookends']],
  ['Stationery', 'STA', ['Card Set', 'Wax Seal', 'Pen Roll', 'Bookmark']],
  ['Accessories', 'ACC', ['Hair Clip', 'Scrunchie', 'Pin Badge', 'Keyring']],
  ['Garden', 'GDN', ['Bird Feeder', 'Plant Marker Set', 'Watering Can', 'Seed Box']],
  ['Pet Goods', 'PET', ['Dog Collar', 'Cat Toy', 'Pet Bowl', 'Lead']],
  ['Bags', 'BAG', ['Tote Bag', 'Backpack', 'Pouch', 'Crossbody Bag']],
  ['Lighting', 'LGT', ['Pendant Shade', 'Table Lamp', 'Lantern', 'Night Light']],
  ['Rugs', 'RUG', ['Runner Rug', 'Bath Mat', 'Round Rug', 'Door Mat']],
  ['Tea & Coffee', 'TEA', ['Loose Leaf Tea', 'Coffee Blend', 'Tea Strainer', 'Pour-over Set']],
  ['Greeting Cards', 'CRD', ['Birthday Card', 'Thank You Card', 'Wedding Card', 'Blank Card']],
]
const ADJECTIVES = [
  'Speckled', 'Hand-thrown', 'Rustic', 'Indigo', 'Terracotta', 'Sage', 'Charcoal', 'Oat', 'Cobalt', 'Mustard', 'Moss', 'Linen', 'Walnut', 'Oak',
  'Copper', 'Brass', 'Amber', 'Coral', 'Midnight', 'Sandstone', 'Seafoam', 'Ivory', 'Rust', 'Heather', 'Pebble', 'Olive', 'Blush', 'Slate',
] as const
const RESELLER_KINDS = ['Mobile', 'Telecom', 'Connect', 'Phone Shop', 'Digital', 'Comms', 'SIM Store', 'Wireless'] as const
const PLAN_TYPES = ['Prepaid 5GB', 'Prepaid 20GB', 'Unlimited', 'Business 50GB', 'Family 4x10GB', 'Data only 100GB'] as const
const CUSTOMER_NOTES = [
  'Gift wrap, please.',
  'Please leave it with the neighbour if I am out.',
  'Deliver after 5 pm if possible.',
  'It is a present: no prices in the parcel, please.',
  'Ring the bell twice, the buzzer is broken.',
] as const
const STAFF_NOTES = ['Phone order.', 'Sold at the market stall.', 'Customer asked for extra padding.', 'Repeat customer: add a thank-you card.'] as const
const WALK_IN = ['Sofia Marques', 'Tom Fletcher', 'Élodie Martin', 'Kasper Jensen', 'Aoife Byrne', 'Marco Bianchi', 'Lea Vogel'] as const
const PARTIAL_REFUNDS = ['One piece arrived chipped', 'Colour differs from the photo: kept with a discount', 'Goodwill: delivery was late'] as const
const BONUS_REASONS = ['Birthday bonus', 'Double points weekend', 'Review bonus', 'Referral bonus'] as const
const ADJUST_UP = ['Goodwill gesture', 'Missing points from a till receipt', 'Service recovery: late delivery', 'Points transferred from an old card'] as const
const ADJUST_DOWN = ['Correction: points earned twice', 'Correction: returned purchase', 'Correction: promotion applied in error'] as const
const STORES = ['Lisbon flagship', 'Porto store', 'market stall', 'pop-up shop', 'airport kiosk'] as const

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

/** A deterministic number in [0, 1) for an integer and a salt (a stateless coin). */
function unitHash(n: number, salt: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35)
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  return (h >>> 0) / 4_294_967_296
}

/**
 * A seeded generator (mulberry32, like src/seed/random.ts) as a class: the
 * plan makes a million of them (one per fill entry), and methods on the
 * prototype cost nothing per instance.
 */
class Stream implements Rng {
  private state: number
  constructor(seed: string) {
    let h = 0x811c9dc5
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    this.state = h >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }
}

/** A standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

/** Weighted sampler over `weights` (cumulative table + binary search). */
function weightedPicker(weights: ArrayLike<number>): (rng: Rng) => number {
  const cum = new Float64Array(weights.length)
  let total = 0
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]
    cum[i] = total
  }
  return (rng) => {
    const x = rng.next() * total
    let lo = 0
    let hi = cum.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cum[mid] > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }
}

/** The first `hh:mm` UTC at or after `t` (nightly jobs). */
export function nextNight(t: number, hour: number, minute: number): number {
  const day = Math.floor(t / DAY) * DAY
  const at = day + hour * HOUR + minute * MINUTE
  return at >= t ? at : at + DAY
}

const slugify = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

const monthStart = (t: number) => {
  const d = new Date(t)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

/** A tiny binary min-heap of timed events. */
class EventQueue<T extends { t: number; seq: number }> {
  private items: T[] = []
  get size() {
    return this.items.length
  }
  push(item: T) {
    const a = this.items
    a.push(item)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (less(a[p], a[i])) break
      ;[a[p], a[i]] = [a[i], a[p]]
      i = p
    }
  }
  pop(): T | undefined {
    const a = this.items
    if (!a.length) return undefined
    const top = a[0]
    const last = a.pop()!
    if (a.length) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && less(a[l], a[m])) m = l
        if (r < a.length && less(a[r], a[m])) m = r
        if (m === i) break
        ;[a[m], a[i]] = [a[i], a[m]]
        i = m
      }
    }
    return top
  }
}
const less = (a: { t: number; seq: number }, b: { t: number; seq: number }) => a.t < b.t || (a.t === b.t && a.seq < b.seq)

// ---------------------------------------------------------------------------
// The plan

/** Plans the whole data set. `onProgress` reports member histories replayed. */
export function planLarge(input: PlanInput): LargePlan {
  const { now, settings, rules } = input
  const counts = countsFor(input.scale)
  const base = `patron-large:${input.seed}`
  const start = now - 730 * DAY
  const latest = now - 20 * MINUTE

  // --- catalogue -----------------------------------------------------------
  const crng = new Stream(`${base}:catalogue`)
  const nCategories = clamp(Math.round(counts.products / 200), 4, CATEGORY_DEFS.length)
  const categories: PlanCategory[] = CATEGORY_DEFS.slice(0, nCategories).map(([title]) => ({
    title,
    slug: `lg-${slugify(title)}`,
    createdAt: start - 40 * DAY,
  }))
  const products: PlanProduct[] = []
  for (let p = 0; p < counts.products; p++) {
    const category = crng.int(0, nCategories - 1)
    const [, code, nouns] = CATEGORY_DEFS[category]
    const title = `${crng.pick(ADJECTIVES)} ${crng.pick(nouns)}`
    const early = crng.chance(0.75)
    const createdAt = early ? start - crng.int(1, 30) * DAY - crng.int(0, 86_399) * 1000 : start + Math.floor(crng.next() * 700 * DAY)
    // Log-normal prices around 30.00, in whole cents that end the way shop prices do.
    const raw = clamp(Math.exp(Math.log(3000) + 0.75 * normal(crng)), 300, 60_000)
    const price = crng.chance(0.6) ? Math.round(raw / 100) * 100 - 1 : Math.round(raw / 50) * 50
    const archived = crng.chance(0.04)
    products.push({
      title,
      slug: `lg-${slugify(title)}-${p + 1}`,
      sku: `${LARGE_PREFIX}${code}-${String(p + 1).padStart(6, '0')}`,
      category,
      price: Math.max(99, price),
      status: archived ? 'archived' : 'active',
      archivedAt: archived ? createdAt + Math.floor(crng.next() * Math.max(DAY, now - createdAt - DAY)) : null,
      reorderThreshold: crng.chance(0.3) ? crng.int(3, 20) : null,
      createdAt,
      updatedAt: createdAt,
      // Zipf-like popularity: a few bestsellers, a long tail.
      weight: 1 / Math.pow(crng.int(1, counts.products) + 5, 0.9),
      stock: 0,
    })
  }
  const pickProduct = weightedPicker(products.map((p) => p.weight))

  // --- resellers and their clients -------------------------------------------
  const rrng = new Stream(`${base}:resellers`)
  const resellers: PlanReseller[] = []
  for (let r = 0; r < counts.resellers; r++) {
    const [city, state, country, dial] = rrng.pick(CITIES)
    const x = rrng.next()
    const status: PlanReseller['status'] = r === 0 ? 'active' : x < 0.85 ? 'active' : x < 0.93 ? 'suspended' : 'pending'
    const createdAt = status === 'pending' ? now - rrng.int(2, 40) * DAY : start + Math.floor(rrng.next() * 420 * DAY)
    resellers.push({
      businessName: `${city} ${rrng.pick(RESELLER_KINDS)} ${String(r + 1).padStart(3, '0')}`,
      contactPerson: `${rrng.pick(FIRST)} ${rrng.pick(LAST)}`,
      email: `r${String(r + 1).padStart(4, '0')}@${LARGE_EMAIL_DOMAIN}`,
      phone: `+${dial} ${randomDigits(rrng, 9)}`,
      address: `${rrng.pick(STREETS)} ${rrng.int(1, 300)}`,
      city,
      state,
      country,
      status,
      createdAt,
      suspendedAt: status === 'suspended' ? now - rrng.int(35, 200) * DAY : null,
      commissionRate: rrng.int(5, 30) / 2,
      weight: Math.exp(normal(rrng)),
      clients: [],
      creditLimit: 0,
      balance: 0,
      updatedAt: createdAt,
    })
  }
  const pickReseller = weightedPicker(resellers.map((r) => (r.status === 'pending' ? r.weight * 0.05 : r.weight)))
  const clients: PlanClient[] = []
  for (let c = 0; c < counts.clients; c++) {
    const reseller = c < resellers.length ? c : pickReseller(rrng)
    const owner = resellers[reseller]
    const x = rrng.next()
    const status: PlanClient['status'] = x < 0.85 ? 'active' : x < 0.95 ? 'inactive' : 'suspended'
    const createdAt = owner.createdAt + Math.floor(rrng.next() * Math.max(DAY, (owner.suspendedAt ?? now) - owner.createdAt - DAY))
    const first = rrng.pick(FIRST)
    const last = rrng.pick(LAST)
    owner.clients.push(c)
    clients.push({
      reseller,
      name: `${first} ${last}`,
      email: `c${String(c + 1).padStart(6, '0')}.${owner.email}`,
      phone: `+${owner.phone.slice(1).split(' ')[0]} ${randomDigits(rrng, 9)}`,
      planType: rrng.pick(PLAN_TYPES),
      status,
      createdAt,
      hasLimit: rrng.chance(0.5),
      monthlyLimit: null,
      usage: 0,
      updatedAt: createdAt,
    })
  }

  // --- members ---------------------------------------------------------------
  const mrng = new Stream(`${base}:members`)
  // Join dates skewed to the start, so most members have history; sorted so ids follow them.
  const joins = Array.from({ length: counts.members }, () => start + Math.floor(Math.pow(mrng.next(), 1.6) * (now - start - HOUR)))
  joins.sort((a, b) => a - b)
  const members: PlanMember[] = joins.map((joinAt, i) => {
    const [city, state, country, dial] = mrng.pick(CITIES)
    const first = mrng.pick(FIRST)
    const last = mrng.pick(LAST)
    const x = mrng.next()
    let status: MemberStatus = x < 0.92 ? 'active' : x < 0.97 ? 'inactive' : 'blocked'
    if (now - joinAt < 30 * DAY && mrng.chance(0.4)) status = 'pending_verification'
    const activeUntil =
      status === 'active' ? latest : status === 'pending_verification' ? joinAt : joinAt + Math.floor(mrng.next() * Math.max(0, now - 20 * DAY - joinAt))
    const idType = mrng.chance(0.3) ? mrng.pick(['passport', 'national_id', 'driver_license'] as const) : null
    return {
      name: `${first} ${last}`,
      email: `m${String(i + 1).padStart(6, '0')}@${LARGE_EMAIL_DOMAIN}`,
      code: scrambledCode('PM', i, 8, input.seed * 7 + 1),
      phone: `+${dial} ${randomDigits(mrng, 9)}`,
      address: `${mrng.pick(STREETS)} ${mrng.int(1, 300)}`,
      city,
      state,
      postalCode: `${mrng.int(1000, 9999)}-${mrng.int(100, 999)}`,
      country,
      dateOfBirth: Date.UTC(1945 + mrng.int(0, 60), mrng.int(0, 11), mrng.int(1, 28)),
      idDocumentType: idType,
      idDocumentNumber: idType ? `${idType === 'passport' ? 'P' : idType === 'national_id' ? 'N' : 'D'}${randomDigits(mrng, 8)}` : null,
      marketingOptIn: mrng.chance(0.45),
      status,
      joinAt,
      activeUntil: Math.max(joinAt, activeUntil),
      fill: 0,
      plannedRedemptions: 0,
      orders: [],
      result: { entries: [], redemptions: [], balance: 0, lifetimePoints: 0, lifetimeSpend: 0, tier: null, updatedAt: joinAt },
    }
  })

  // --- vouchers ----------------------------------------------------------------
  const vrng = new Stream(`${base}:vouchers`)
  const tiersByRank = [...rules.tiers].sort((a, b) => a.threshold - b.threshold)
  const vouchers: PlanVoucher[] = []
  for (let v = 0; v < counts.vouchers; v++) {
    // Every tenth voucher (and the first two) is a standing offer: always on, open to every tier,
    // no per-member limit, so even a tiny scale has something every member can redeem.
    const standing = v < 2 || v % 10 === 0
    const fixed = v === 0 ? true : v === 1 ? false : vrng.chance(0.6)
    const discountValue = standing
      ? fixed
        ? vrng.pick([200, 300, 500])
        : vrng.pick([5, 10])
      : fixed
        ? vrng.pick([200, 300, 500, 750, 1000, 1500, 2000, 2500, 5000])
        : vrng.pick([5, 10, 10, 15, 20, 25, 30])
    const pointsCost = Math.max(50, Math.round(((fixed ? discountValue * (0.5 + vrng.next() * 0.6) : discountValue * (50 + vrng.next() * 70)) / 10)) * 10)
    const w = standing ? 1 : vrng.next()
    let validFrom: number | null = null
    let validTo: number | null = null
    if (w < 0.15) {
      // A campaign that has ended.
      validFrom = start + Math.floor(vrng.next() * 500 * DAY)
      validTo = validFrom + vrng.int(45, 180) * DAY
    } else if (w < 0.3) {
      // A campaign running now, or starting soon.
      validFrom = now - vrng.int(-10, 120) * DAY
      validTo = now + vrng.int(15, 120) * DAY
    } else if (w < 0.5) {
      validFrom = start + Math.floor(vrng.next() * 600 * DAY)
    }
    const minTier = standing ? null : tiersByRank.length > 2 && vrng.chance(0.1) ? tiersByRank[2].name : tiersByRank.length > 1 && vrng.chance(0.06) ? tiersByRank[1].name : null
    const limit = standing ? 1 : vrng.next()
    const createdAt = validFrom ?? start - vrng.int(1, 30) * DAY
    const label = fixed ? `${(discountValue / 100).toFixed(2)} off` : `${discountValue}% off`
    vouchers.push({
      code: `${LARGE_PREFIX}${fixed ? `OFF${discountValue / 100}` : `PCT${discountValue}`}-${String(v + 1).padStart(3, '0')}`.replace('.', '_'),
      name: `${label}${minTier ? ` for ${minTier} members` : ''}${validTo ? ' (campaign)' : ''}`,
      discountType: fixed ? 'fixed' : 'percentage',
      discountValue,
      pointsCost,
      perMemberLimit: limit < 0.4 ? 1 : limit < 0.6 ? vrng.int(2, 5) : null,
      minTier,
      validFrom,
      validTo,
      status: !standing && vrng.chance(0.08) ? 'inactive' : 'active',
      createdAt: Math.min(createdAt, now - DAY),
      weight: 0.2 + vrng.next(),
      initialStock: 0,
      stock: 0,
      updatedAt: createdAt,
    })
  }

  // --- orders skeleton -----------------------------------------------------------
  const orng = new Stream(`${base}:orders`)
  const placedTimes = Array.from({ length: counts.orders }, () => now - Math.floor(Math.pow(orng.next(), 1.25) * 730 * DAY) - orng.int(10, 600) * MINUTE)
  placedTimes.sort((a, b) => a - b)
  const orders: PlanOrder[] = []
  let joinedPrefix = 0
  const memberAvailable = (m: PlanMember, t: number) => m.status !== 'pending_verification' && m.joinAt < t - HOUR && m.activeUntil > t
  const productAvailable = (p: PlanProduct, t: number) => p.createdAt < t && (p.archivedAt === null || p.archivedAt > t)
  for (let o = 0; o < placedTimes.length; o++) {
    const placedAt = placedTimes[o]
    while (joinedPrefix < members.length && members[joinedPrefix].joinAt < placedAt - HOUR) joinedPrefix++
    const k = orng.next()
    let kind: PlanOrder['kind'] = k < 0.62 ? 'member' : k < 0.9 ? 'reseller' : 'admin'
    let member = -1
    let reseller = -1
    let client = -1
    if (kind === 'member' || (kind === 'admin' && orng.chance(0.6))) {
      for (let tries = 0; tries < 8 && member < 0 && joinedPrefix > 0; tries++) {
        const m = orng.int(0, joinedPrefix - 1)
        if (memberAvailable(members[m], placedAt)) member = m
      }
      if (member < 0) kind = 'admin'
    }
    if (kind === 'reseller') {
      for (let tries = 0; tries < 12 && reseller < 0; tries++) {
        const r = pickReseller(orng)
        const rs = resellers[r]
        if (rs.status !== 'pending' && rs.createdAt < placedAt && (rs.suspendedAt === null || placedAt < rs.suspendedAt - 3 * DAY)) reseller = r
      }
      if (reseller < 0) kind = 'admin'
      else if (orng.chance(0.65)) {
        const own = resellers[reseller].clients
        for (let tries = 0; tries < 6 && client < 0 && own.length; tries++) {
          const c = own[orng.int(0, own.length - 1)]
          const cl = clients[c]
          if (cl.createdAt < placedAt && (cl.status === 'active' || placedAt < now - 60 * DAY)) client = c
        }
      }
    }
    // Lines: distinct products on sale when the order was placed.
    const lineCount = kind === 'reseller' ? orng.int(2, 6) : orng.pick([1, 1, 1, 2, 2, 3, 4])
    const chosen = new Set<number>()
    const lines: PlanLine[] = []
    for (let tries = 0; lines.length < lineCount && tries < lineCount * 15; tries++) {
      const p = pickProduct(orng)
      if (chosen.has(p) || !productAvailable(products[p], placedAt)) continue
      chosen.add(p)
      const quantity = kind === 'reseller' ? orng.int(2, 12) : kind === 'admin' ? orng.int(1, 3) : orng.chance(0.8) ? 1 : orng.int(2, 3)
      lines.push({ product: p, quantity, unitPrice: products[p].price, lineTotal: 0 })
    }
    if (!lines.length) {
      // Only when nothing was on sale yet: the oldest product.
      const p = products.reduce((best, x, i) => (x.createdAt < products[best].createdAt ? i : best), 0)
      lines.push({ product: p, quantity: 1, unitPrice: products[p].price, lineTotal: 0 })
    }
    const baseTotals = priceOrder(lines, settings, null)
    lines.forEach((l, i) => (l.lineTotal = baseTotals.lineTotals[i]))

    // Status from the order's age: old orders are done, recent ones still moving.
    const days = (now - placedAt) / DAY
    const r = orng.next()
    let status: OrderStatus
    if (days > 30) status = r < 0.72 ? 'completed' : r < 0.87 ? 'delivered' : 'cancelled'
    else if (days > 10) status = r < 0.3 ? 'completed' : r < 0.6 ? 'delivered' : r < 0.76 ? 'dispatched' : r < 0.88 ? 'confirmed' : 'cancelled'
    else if (days > 2) status = r < 0.15 ? 'pending' : r < 0.4 ? 'confirmed' : r < 0.65 ? 'dispatched' : r < 0.88 ? 'delivered' : 'cancelled'
    else status = r < 0.45 ? 'pending' : r < 0.7 ? 'confirmed' : r < 0.85 ? 'dispatched' : r < 0.92 ? 'delivered' : 'cancelled'
    if (placedAt > latest - 2 * HOUR) status = 'pending'
    const cancelledFrom = status === 'cancelled' ? (orng.chance(0.4) ? 'confirmed' : 'pending') : null
    const steps: Array<keyof PlanOrder['times']> =
      status === 'cancelled'
        ? cancelledFrom === 'confirmed'
          ? ['confirmed', 'cancelled']
          : ['cancelled']
        : (['confirmed', 'dispatched', 'delivered', 'completed'] as const).slice(0, ['pending', 'confirmed', 'dispatched', 'delivered', 'completed'].indexOf(status))
    const gap: Record<keyof PlanOrder['times'], number> = {
      confirmed: orng.int(1, 26) * HOUR,
      dispatched: orng.int(12, 48) * HOUR,
      delivered: orng.int(20, 96) * HOUR,
      completed: orng.int(5, 14) * DAY,
      cancelled: orng.int(1, 40) * HOUR,
    }
    const total = steps.reduce((s, st) => s + gap[st], 0)
    const squeeze = total > 0 && placedAt + total > latest ? Math.max(0, latest - placedAt) / total : 1
    const times: PlanOrder['times'] = {}
    let t = placedAt
    for (const st of steps) {
      t += Math.max(MINUTE, Math.round(gap[st] * squeeze))
      times[st] = t
    }
    const dispatched = times.dispatched !== undefined
    const [courier, tracking] = orng.pick(COURIERS)
    const m = member >= 0 ? members[member] : null
    const cl = client >= 0 ? clients[client] : null
    const rs = reseller >= 0 ? resellers[reseller] : null
    const [city, , country] = m ? [m.city, m.state, m.country] : rs ? [rs.city, rs.state, rs.country] : orng.pick(CITIES)
    const order: PlanOrder = {
      number: scrambledCode('ORD', o, 8, input.seed * 7 + 2),
      kind,
      source: kind === 'member' ? 'storefront' : kind,
      member,
      reseller,
      client,
      placedAt,
      status,
      times,
      cancelledFrom,
      cancelledByMember: status === 'cancelled' && cancelledFrom === 'pending' && kind === 'member' && orng.chance(0.5),
      lines,
      baseTotals,
      totals: baseTotals,
      redemption: null,
      courier: dispatched ? courier : null,
      trackingNumber: dispatched ? tracking(orng) : null,
      customerNote: kind === 'member' && orng.chance(0.15) ? orng.pick(CUSTOMER_NOTES) : null,
      notes: kind === 'admin' ? (m ? STAFF_NOTES[0] : orng.pick(STAFF_NOTES.slice(1))) : null,
      address: {
        name: m?.name ?? cl?.name ?? rs?.businessName ?? orng.pick(WALK_IN),
        phone: m?.phone ?? cl?.phone ?? rs?.phone ?? `+351 9${randomDigits(orng, 8)}`,
        line1: m?.address ?? rs?.address ?? `${orng.pick(STREETS)} ${orng.int(1, 300)}`,
        line2: orng.chance(0.2) ? `Apt ${orng.int(1, 40)}` : null,
        city,
        postalCode: `${orng.int(1000, 9999)}-${orng.int(100, 999)}`,
        country,
      },
      amountPaid: 0,
      amountRefunded: 0,
      paymentStatus: 'pending',
      commission: 0,
      updatedAt: placedAt,
    }
    orders.push(order)
    if (member >= 0) members[member].orders.push(o)
  }

  // --- members' histories ----------------------------------------------------------
  const histories = new MemberHistories({ base, now, latest, rules, settings, members, vouchers, orders })
  histories.planAll(counts, input.onProgress)

  // Redemptions in time order: ids and codes follow it.
  const redemptions = members.flatMap((m) => m.result.redemptions)
  redemptions.sort((a, b) => a.at - b.at || a.member - b.member)
  redemptions.forEach((r, i) => (r.index = i))
  let ledgerEntries = 0
  for (const m of members) ledgerEntries += m.result.entries.length

  // Vouchers: the stock they started with covers every redemption that still holds a unit.
  const live = new Array<number>(vouchers.length).fill(0)
  for (const r of redemptions) {
    if (r.status !== 'cancelled') live[r.voucher]++
    vouchers[r.voucher].updatedAt = Math.max(vouchers[r.voucher].updatedAt, r.status === 'cancelled' ? (r.cancelledAt ?? r.at) : r.at)
  }
  vouchers.forEach((v, i) => {
    const left = vrng.chance(0.08) ? 0 : vrng.int(5, 60) * 10
    v.initialStock = live[i] + left
    v.stock = left
  })

  // --- money, stock and limits --------------------------------------------------------
  const transactions: PlanTransaction[] = []
  const prng = new Stream(`${base}:money`)
  type BalanceEvent = { t: number; delta: number; confirmTotal: number }
  const balanceEvents: BalanceEvent[][] = resellers.map(() => [])
  const stockEvents: Array<{ t: number; product: number; delta: number; order: number; seq: number }> = []
  for (let o = 0; o < orders.length; o++) {
    const order = orders[o]
    const { totals } = order
    let touched = order.placedAt
    const tx = (t: Omit<PlanTransaction, 'index' | 'updatedAt'> & { updatedAt?: number }): PlanTransaction => {
      const row: PlanTransaction = {
        type: t.type,
        status: t.status,
        order: t.order,
        member: t.member,
        reseller: t.reseller,
        amount: t.amount,
        method: t.method,
        refundOf: t.refundOf,
        reason: t.reason,
        at: t.at,
        updatedAt: t.updatedAt ?? t.at,
        index: -1,
      }
      transactions.push(row)
      touched = Math.max(touched, row.at)
      return row
    }
    const base = { order: o, member: order.member, reseller: order.reseller }
    const { confirmed, dispatched, delivered, completed, cancelled } = order.times
    const firstStep = confirmed ?? cancelled
    const isReseller = order.kind === 'reseller'
    // Credit on confirm (reseller orders), released when a confirmed order is cancelled.
    if (isReseller && confirmed !== undefined) {
      tx({
        type: 'credit',
        status: cancelled !== undefined ? 'cancelled' : 'completed',
        order: o,
        member: -1,
        reseller: order.reseller,
        amount: totals.total,
        method: 'credit',
        refundOf: null,
        reason: `Order ${order.number} on credit`,
        at: confirmed,
        updatedAt: cancelled,
      })
      balanceEvents[order.reseller].push({ t: confirmed, delta: totals.total, confirmTotal: totals.total })
      if (cancelled !== undefined) balanceEvents[order.reseller].push({ t: cancelled, delta: -totals.total, confirmTotal: 0 })
    }
    // Payments.
    const payments: PlanTransaction[] = []
    const pay = (at: number, amount: number, method: PlanTransaction['method']) => {
      if (amount <= 0 || at > latest) return
      payments.push(tx({ type: 'payment', status: 'completed', ...base, amount, method, refundOf: null, reason: null, at }))
      if (isReseller) balanceEvents[order.reseller].push({ t: at, delta: -amount, confirmTotal: 0 })
    }
    const atPlacement = () => order.placedAt + Math.max(MINUTE, Math.min(HOUR, Math.round(((firstStep ?? Math.min(latest, order.placedAt + 2 * HOUR)) - order.placedAt) / 2)))
    const settled = order.status === 'delivered' || order.status === 'completed'
    const x = prng.next()
    if (order.kind === 'member') {
      const method = prng.chance(0.6) ? 'bank_transfer' : 'card'
      if (order.status === 'pending') {
        if (x < 0.3) pay(atPlacement(), totals.total, method)
      } else if (order.status === 'cancelled') {
        if (x < 0.5) pay(atPlacement(), totals.total, method)
      } else if (x < 0.88) pay(atPlacement(), totals.total, method)
      else if (delivered !== undefined) pay(delivered + prng.int(1, 30) * MINUTE, totals.total, 'cash')
    } else if (order.kind === 'admin') {
      const method = prng.chance(0.6) ? 'cash' : prng.chance(0.5) ? 'card' : 'bank_transfer'
      if (x < 0.8) pay(atPlacement(), totals.total, method)
      else if (delivered !== undefined) pay(delivered + prng.int(1, 30) * MINUTE, totals.total, 'cash')
    } else {
      // Resellers pay on account after delivery; a few prepay.
      if (delivered !== undefined) {
        const at = delivered + prng.int(1, 20) * DAY + prng.int(0, 600) * MINUTE
        if (x < 0.8) pay(at, totals.total, 'bank_transfer')
        else if (x < 0.9) pay(at, Math.floor(totals.total / 2), 'bank_transfer')
      } else if (x < (order.status === 'cancelled' ? 0.1 : 0.05)) pay(atPlacement(), totals.total, 'bank_transfer')
    }
    // Refunds: everything paid comes back on cancel; some settled orders get a partial or full refund.
    const refund = (payment: PlanTransaction, amount: number, at: number, reason: string) => {
      if (amount <= 0 || at > latest) return
      tx({ type: 'refund', status: 'completed', ...base, amount, method: payment.method, refundOf: payment, reason, at })
      order.amountRefunded += amount
      if (isReseller) balanceEvents[order.reseller].push({ t: at, delta: amount, confirmTotal: 0 })
    }
    for (const p of payments) order.amountPaid += p.amount
    if (cancelled !== undefined) {
      payments.forEach((p, i) => refund(p, p.amount, Math.max(cancelled, p.at + 1000) + i, `Order ${order.number} cancelled`))
    } else if (settled && payments.length) {
      const p = payments[0]
      const y = prng.next()
      const at = Math.max(p.at + HOUR, delivered! + prng.int(24, 96) * HOUR)
      if (y < 0.08) refund(p, Math.max(1, Math.round((p.amount * prng.int(10, 40)) / 100)), at, prng.pick(PARTIAL_REFUNDS))
      else if (y < 0.1 && p.amount === totals.total) refund(p, p.amount, at, 'Returned within 30 days')
    }
    // Commission on delivery, credited against what the reseller owes.
    if (isReseller && delivered !== undefined) {
      const amount = commissionFor(totals.subtotal - totals.discountTotal, resellers[order.reseller].commissionRate)
      if (amount > 0) {
        tx({
          type: 'commission',
          status: 'completed',
          order: o,
          member: -1,
          reseller: order.reseller,
          amount,
          method: 'credit',
          refundOf: null,
          reason: `Commission on order ${order.number} (${resellers[order.reseller].commissionRate}%)`,
          at: delivered,
        })
        order.commission = amount
        balanceEvents[order.reseller].push({ t: delivered, delta: -amount, confirmTotal: 0 })
      }
    }
    order.paymentStatus = paymentStatusFor(totals.total, order.amountPaid, order.amountRefunded)
    order.updatedAt = Math.max(touched, confirmed ?? 0, dispatched ?? 0, delivered ?? 0, completed ?? 0, cancelled ?? 0)
    // Stock: taken on confirm, returned when a confirmed order is cancelled.
    if (confirmed !== undefined) {
      for (const l of order.lines) stockEvents.push({ t: confirmed, product: l.product, delta: -l.quantity, order: o, seq: stockEvents.length })
      if (cancelled !== undefined) for (const l of order.lines) stockEvents.push({ t: cancelled, product: l.product, delta: l.quantity, order: o, seq: stockEvents.length })
    }
  }
  transactions.sort((a, b) => a.at - b.at || a.order - b.order)
  transactions.forEach((t, i) => (t.index = i))

  // Reseller credit: a limit every confirm fitted when it happened (balance + order ≤ limit).
  resellers.forEach((r, i) => {
    const events = balanceEvents[i].sort((a, b) => a.t - b.t)
    let balance = 0
    let needed = 0
    for (const e of events) {
      if (e.confirmTotal > 0) needed = Math.max(needed, balance + e.confirmTotal)
      balance += e.delta
      r.updatedAt = Math.max(r.updatedAt, e.t)
    }
    r.balance = balance
    const headroom = 1.1 + prng.next() * 0.6
    r.creditLimit = Math.max(100_000, Math.ceil((needed * headroom) / 100_000) * 100_000)
  })

  // Clients: monthly limits every confirm fitted; usage is this month's confirmed, not cancelled, orders.
  const thisMonth = monthStart(now)
  const byClient = new Map<number, number[]>()
  orders.forEach((o, i) => {
    if (o.client < 0 || o.times.confirmed === undefined) return
    const list = byClient.get(o.client)
    if (list) list.push(i)
    else byClient.set(o.client, [i])
  })
  clients.forEach((c, ci) => {
    const own = (byClient.get(ci) ?? []).map((i) => orders[i]).sort((a, b) => a.times.confirmed! - b.times.confirmed!)
    let needed = 0
    for (let k = 0; k < own.length; k++) {
      const o = own[k]
      const at = o.times.confirmed!
      const from = monthStart(at)
      let usage = o.totals.total
      for (let j = 0; j < k; j++) {
        const p = own[j]
        if (p.times.confirmed! >= from && !(p.times.cancelled !== undefined && p.times.cancelled <= at)) usage += p.totals.total
      }
      needed = Math.max(needed, usage)
      c.updatedAt = Math.max(c.updatedAt, at, o.times.cancelled ?? 0)
    }
    c.usage = own.filter((o) => o.status !== 'cancelled' && o.times.confirmed! >= thisMonth).reduce((s, o) => s + o.totals.total, 0)
    c.monthlyLimit = c.hasLimit ? Math.max(10_000, Math.ceil((needed * (1.2 + prng.next() * 0.5)) / 10_000) * 10_000) : null
  })

  // Stock: an initial movement when the product was created, the orders' movements, and a
  // supplier restock just before a sale that would otherwise take it below zero.
  stockEvents.sort((a, b) => a.t - b.t || a.seq - b.seq)
  const movements: PlanMovement[] = []
  const alerts: PlanAlert[] = []
  const srng = new Stream(`${base}:stock`)
  const state = products.map((p) => ({ stock: 0, last: p.createdAt, open: null as PlanAlert | null }))
  const threshold = (p: number) => products[p].reorderThreshold ?? settings.defaultReorderThreshold
  const move = (product: number, delta: number, reason: PlanMovement['reason'], at: number, order: number, note: string | null) => {
    const s = state[product]
    s.stock += delta
    s.last = Math.max(s.last, at)
    movements.push({ product, delta, stockAfter: s.stock, reason, note, order, at, seq: movements.length })
    // Low-stock alerts, as reconcileAlert keeps them: one open per product while at or below the threshold.
    const th = threshold(product)
    if (s.stock <= th && !s.open) {
      s.open = { product, stockAtAlert: s.stock, threshold: th, status: 'open', at, resolvedAt: null, notifiedAt: at + 5 * MINUTE <= latest ? at + 5 * MINUTE : null }
      alerts.push(s.open)
    } else if (s.stock > th && s.open) {
      s.open.status = 'resolved'
      s.open.resolvedAt = at
      s.open = null
    }
  }
  const restockSize = () => srng.int(5, 30) * 10
  products.forEach((p, i) => move(i, srng.int(4, 25) * 10, 'initial', p.createdAt, -1, null))
  for (const e of stockEvents) {
    const s = state[e.product]
    if (s.stock + e.delta < 0) {
      const need = -(s.stock + e.delta)
      // Before the sale (events come in time order, so nothing of this product happened after s.last).
      const at = Math.min(e.t, Math.max(s.last + 1, e.t - srng.int(1, 36) * HOUR))
      move(e.product, Math.ceil((need + restockSize()) / 10) * 10, 'restock', at, -1, 'Supplier delivery')
    }
    move(e.product, e.delta, e.delta < 0 ? 'order' : 'cancel', e.t, e.order, null)
  }
  movements.sort((a, b) => a.at - b.at || a.seq - b.seq)
  products.forEach((p, i) => {
    p.stock = state[i].stock
    p.updatedAt = Math.max(p.createdAt, state[i].last, p.archivedAt ?? 0)
  })
  alerts.sort((a, b) => a.at - b.at)

  return {
    now,
    counts,
    categories,
    products,
    resellers,
    clients,
    members,
    vouchers,
    redemptions,
    ledgerEntries,
    orders,
    transactions,
    movements,
    alerts,
  }
}

// ---------------------------------------------------------------------------
// Member histories

type EventKind = 'join' | 'fill' | 'redeem' | 'place' | 'deliver' | 'use' | 'cancel' | 'expire-redemptions' | 'expire-points'

/** One shape for every event (fast objects): `ref` is the order (place, deliver) or the fill entry's number. */
type MemberEvent = { t: number; seq: number; kind: EventKind; ref: number; redemption: PlanRedemption | null }

type HistoryContext = {
  base: string
  now: number
  latest: number
  rules: LoyaltyRules
  settings: LargeSettings
  members: PlanMember[]
  vouchers: PlanVoucher[]
  orders: PlanOrder[]
}

/**
 * Replays each member's life through the ledger rules. Fill entries and
 * planned redemptions are then nudged member by member until the totals hit
 * the requested counts exactly (each member's history is deterministic given
 * its two numbers, so replaying one is cheap).
 */
class MemberHistories {
  constructor(private readonly ctx: HistoryContext) {}

  planAll(counts: LargeCounts, onProgress?: (done: number, total: number) => void) {
    const { members } = this.ctx
    const rng = new Stream(`${this.ctx.base}:quotas`)
    const eligible = members.map((m, i) => (m.status === 'pending_verification' ? -1 : i)).filter((i) => i >= 0)
    // Busy members and long memberships get more history.
    const weights = members.map((m) => (m.status === 'pending_verification' ? 0 : Math.exp(0.8 * normal(rng)) * (0.2 + (m.activeUntil - m.joinAt) / (365 * DAY))))
    const totalWeight = weights.reduce((a, b) => a + b, 0) || 1
    const pickWeighted = weightedPicker(weights)
    // Redemptions: spread by weight, exact total.
    if (eligible.length) for (let k = 0; k < counts.redemptions; k++) members[pickWeighted(rng)].plannedRedemptions++
    // Fill: what is left of each member's share of the ledger after the entries its orders, redemptions and expiry will make.
    const fixedShare = members.reduce((s, m) => s + this.fixedEstimate(m), 0)
    const spare = Math.max(0, counts.ledger - fixedShare)
    members.forEach((m, i) => {
      if (m.status !== 'pending_verification') m.fill = Math.max(0, Math.round((spare * weights[i]) / totalWeight))
    })
    let done = 0
    const total = members.length
    for (let i = 0; i < members.length; i++) {
      this.replay(i)
      if (++done % 2000 === 0) onProgress?.(done, total)
    }
    onProgress?.(total, total)
    if (!eligible.length) return
    let redemptions = members.reduce((s, m) => s + m.result.redemptions.length, 0)
    let entries = members.reduce((s, m) => s + m.result.entries.length, 0)
    // Nudge until exact. Redemptions first: when a member cannot afford another one (or the
    // vouchers do not allow it) they stop converging, and are then left as they are; the ledger
    // count is always reached (fill entries are free).
    let stalled = 0
    for (let round = 0; round < 80 && (redemptions !== counts.redemptions || entries !== counts.ledger); round++) {
      const changed = new Map<number, { r: number; f: number }>()
      const nudge = (i: number, dr: number, df: number) => {
        const c = changed.get(i) ?? { r: 0, f: 0 }
        c.r += dr
        c.f += df
        changed.set(i, c)
      }
      const dr = stalled < 5 ? counts.redemptions - redemptions : 0
      let asked = 0
      for (let k = 0; k < Math.abs(dr); k++) {
        if (dr > 0) {
          // Someone who redeemed all it was asked to (a member that could not afford more is not asked again).
          for (let tries = 0; tries < 10; tries++) {
            const i = pickWeighted(rng)
            const m = members[i]
            if (m.plannedRedemptions + (changed.get(i)?.r ?? 0) <= m.result.redemptions.length) {
              nudge(i, 1, 0)
              asked++
              break
            }
          }
        } else {
          const i = this.pickWith(eligible, rng, (m) => m.plannedRedemptions > 0)
          if (i >= 0) nudge(i, -1, 0)
        }
      }
      // Each redemption asked for brings a ledger entry: leave room for them.
      const df = counts.ledger - entries - asked
      for (let k = 0; k < Math.abs(df); k++) {
        if (df > 0) nudge(pickWeighted(rng), 0, 1)
        else {
          const i = this.pickWith(eligible, rng, (m) => m.fill > 0)
          if (i >= 0) nudge(i, 0, -1)
        }
      }
      const missedBefore = Math.abs(counts.redemptions - redemptions)
      for (const [i, c] of changed) {
        const m = members[i]
        redemptions -= m.result.redemptions.length
        entries -= m.result.entries.length
        m.plannedRedemptions = Math.max(0, m.plannedRedemptions + c.r)
        m.fill = Math.max(0, m.fill + c.f)
        this.replay(i)
        redemptions += m.result.redemptions.length
        entries += m.result.entries.length
      }
      stalled = Math.abs(counts.redemptions - redemptions) >= missedBefore && missedBefore > 0 ? stalled + 1 : 0
    }
  }

  /** meetsMinTier per (tier, voucher), worked out once: the member replays ask it millions of times. */
  private minTierCache = new Map<string | null, boolean[]>()
  private meetsMinTier(tier: string | null, voucher: number): boolean {
    let row = this.minTierCache.get(tier)
    if (!row) {
      row = this.ctx.vouchers.map((v) => meetsMinTier(tier, v.minTier, this.ctx.rules.tiers))
      this.minTierCache.set(tier, row)
    }
    return row[voucher]
  }

  private pickWith(eligible: number[], rng: Rng, ok: (m: PlanMember) => boolean): number {
    for (let tries = 0; tries < 50; tries++) {
      const i = eligible[rng.int(0, eligible.length - 1)]
      if (ok(this.ctx.members[i])) return i
    }
    return eligible.find((i) => ok(this.ctx.members[i])) ?? -1
  }

  /** Entries a member's history makes besides fill: signup, earns on delivered orders, redemptions (and some cancels), expiries. */
  private fixedEstimate(m: PlanMember): number {
    if (m.status === 'pending_verification') return this.ctx.rules.signupBonus > 0 ? 1 : 0
    const delivered = m.orders.filter((o) => this.ctx.orders[o].times.delivered !== undefined).length
    const years = (m.activeUntil - m.joinAt) / (365 * DAY)
    return 1 + delivered + m.plannedRedemptions * 1.08 + Math.max(0, years - 0.9) * 3
  }

  /**
   * Replays member i's history from scratch. Separate random streams for fill
   * times, redemption times, each fill entry and the redemption choices, so a
   * nudged member (one fill entry or redemption more or less) keeps the rest
   * of its history, and the totals converge quickly.
   */
  replay(i: number) {
    const { rules, settings, vouchers, orders, now, latest } = this.ctx
    const m = this.ctx.members[i]
    const stream = (name: string) => new Stream(`${this.ctx.base}:member:${i}:${name}`)
    const fillTimes = stream('fill-times')
    const redeemTimes = stream('redeem-times')
    const choice = stream('choice')
    const entries: PlanEntry[] = []
    const redemptions: PlanRedemption[] = []
    let balance = 0
    let lifetime = 0
    let spendTotal = 0
    let tier: string | null = tierFor(0, rules.tiers)
    let tierAt = 0
    let lastT = m.joinAt
    let seq = 0
    const queue = new EventQueue<MemberEvent>()
    const push = (t: number, kind: EventKind, ref = -1, redemption: PlanRedemption | null = null) => queue.push({ t, seq: seq++, kind, ref, redemption })
    const nights = new Set<number>()
    const expiryDays = rules.pointsExpiryDays
    const rollingSpend = (t: number, extra: number) => {
      let s = extra
      for (let k = entries.length - 1; k >= 0 && entries[k].t > t - 365 * DAY; k--) s += entries[k].spend ?? 0
      return s
    }
    const post = (
      t: number,
      type: LedgerType,
      points: number,
      expiresAt: number | null,
      spend: number | null,
      redemption: PlanRedemption | null,
      order: number,
      reason: string | null,
      key: KeyKind,
      keyLots = 0,
      keyDebits = 0,
    ): PlanEntry => {
      const at = Math.max(t, lastT + 1)
      lastT = at
      balance += points
      if (balance < 0) throw new Error(`large seed: member ${i} would go below zero`)
      if (points > 0 && (type === 'earn' || type === 'bonus')) lifetime += points
      spendTotal += spend ?? 0
      // The tier moves only with lifetime points (or, on the spend basis, with every entry).
      if (rules.tierBasis === 'rolling_spend' || lifetime !== tierAt) {
        tier = tierFor(tierMeasure(rules.tierBasis, { lifetimePoints: lifetime, rollingSpend: rules.tierBasis === 'rolling_spend' ? rollingSpend(at, spend ?? 0) : 0 }), rules.tiers)
        tierAt = lifetime
      }
      const entry: PlanEntry = { t: at, type, points, balanceAfter: balance, expiresAt, spend, redemption, order, reason, key, keyLots, keyDebits }
      entries.push(entry)
      // A lot that expires: the nightly expiry job looks at it the night after.
      if (entry.expiresAt !== null && entry.points > 0) {
        const night = nextNight(entry.expiresAt, 2, 15)
        if (night <= latest && !nights.has(night)) {
          nights.add(night)
          push(night, 'expire-points')
        }
      }
      return entry
    }
    const lot = (t: number) => (expiryDays > 0 ? pointsExpiry(new Date(t), expiryDays)!.getTime() : null)

    // Reset this member's orders (a replay may choose other vouchers for them).
    for (const o of m.orders) {
      orders[o].totals = orders[o].baseTotals
      orders[o].redemption = null
    }

    push(m.joinAt, 'join')
    if (m.status !== 'pending_verification') {
      const span = Math.max(MINUTE, m.activeUntil - m.joinAt)
      for (let k = 0; k < m.fill; k++) push(m.joinAt + MINUTE + Math.floor(fillTimes.next() * span), 'fill', k)
      for (let k = 0; k < m.plannedRedemptions; k++) push(m.joinAt + Math.min(DAY, span / 2) + Math.floor(redeemTimes.next() * Math.max(MINUTE, span - DAY)), 'redeem')
      for (const o of m.orders) {
        push(orders[o].placedAt, 'place', o)
        if (orders[o].times.delivered !== undefined) push(orders[o].times.delivered!, 'deliver', o)
      }
    }

    let owed = 0
    let balanceAtFailure = 0
    const perVoucher = new Map<number, number>()
    const tryRedeem = (t: number): boolean => {
      if (m.status !== 'active' && t > m.activeUntil) return false
      const ok = (v: PlanVoucher, vi: number) =>
        v.status === 'active' &&
        (v.validFrom === null || v.validFrom <= t) &&
        (v.validTo === null || t <= v.validTo) &&
        v.pointsCost <= balance &&
        this.meetsMinTier(tier, vi) &&
        !(v.perMemberLimit && (perVoucher.get(vi) ?? 0) >= v.perMemberLimit)
      let vi = -1
      for (let tries = 0; tries < 6 && vi < 0; tries++) {
        const k = choice.int(0, vouchers.length - 1)
        if (ok(vouchers[k], k)) vi = k
      }
      if (vi < 0) {
        // The cheapest one this member can take, if any.
        let best = -1
        vouchers.forEach((v, k) => {
          if (ok(v, k) && (best < 0 || v.pointsCost < vouchers[best].pointsCost)) best = k
        })
        vi = best
      }
      if (vi < 0) return false
      const v = vouchers[vi]
      const at = Math.max(t, lastT + 1)
      const expiresAt = redemptionExpiry(new Date(at), rules.redemptionValidityDays)?.getTime() ?? null
      const r: PlanRedemption = { member: i, voucher: vi, at, expiresAt, cost: v.pointsCost, status: 'pending', usedAt: null, cancelledAt: null, updatedAt: at, order: -1, index: -1 }
      redemptions.push(r)
      perVoucher.set(vi, (perVoucher.get(vi) ?? 0) + 1)
      post(at, 'redeem', -v.pointsCost, null, null, r, -1, `Redeemed voucher ${v.code}`, 'redeem')
      // What happens to it next: cancelled, used at the till, or left to expire.
      const until = Math.min(latest, expiresAt ?? latest)
      const fate = choice.next()
      if (fate < 0.08) {
        const when = at + choice.int(10, 3 * 24 * 60) * MINUTE
        if (when < until) push(when, 'cancel', -1, r)
      } else if (fate < 0.82) {
        const window = (expiresAt ?? at + 60 * DAY) - at
        const when = at + HOUR + Math.floor(choice.next() * 0.8 * window)
        if (when < until) push(when, 'use', -1, r)
      }
      if (expiresAt !== null) {
        const night = nextNight(expiresAt, 2, 0)
        if (night <= latest) push(night, 'expire-redemptions')
      }
      return true
    }

    for (let e = queue.pop(); e; e = queue.pop()) {
      switch (e.kind) {
        case 'join':
          if (rules.signupBonus > 0) post(e.t, 'bonus', rules.signupBonus, lot(e.t), null, null, -1, 'Signup bonus', 'signup')
          break
        case 'fill': {
          const rng = stream(`fill:${e.ref}`)
          const x = rng.next()
          if (x < 0.82) {
            // A purchase in a shop: points on the spend at the member's tier multiplier.
            const spend = Math.round(clamp(Math.exp(Math.log(4000) + 0.7 * normal(rng)), 300, 60_000))
            const points = pointsEarned(spend, rules.pointsPerCurrencyUnit, multiplierFor(tier, rules.tiers))
            if (points > 0) {
              post(e.t, 'earn', points, lot(e.t), spend, null, -1, `In-store purchase (${rng.pick(STORES)})`, null)
              break
            }
          }
          if (x < 0.9) {
            post(e.t, 'bonus', rng.int(5, 50) * 10, lot(e.t), null, null, -1, rng.pick(BONUS_REASONS), null)
          } else if (rng.chance(0.4) && balance >= 20) {
            const points = Math.min(balance, rng.int(1, 30) * 10)
            post(e.t, 'adjust', -points, null, null, null, -1, rng.pick(ADJUST_DOWN), null)
          } else {
            post(e.t, 'adjust', rng.int(1, 30) * 10, null, null, null, -1, rng.pick(ADJUST_UP), null)
          }
          break
        }
        case 'redeem':
          if (!tryRedeem(e.t)) {
            owed++
            balanceAtFailure = balance
          }
          break
        case 'place': {
          // A pending voucher redemption can discount a storefront order (it is then used).
          const order = orders[e.ref]
          if (order.kind !== 'member') break
          const r = redemptions.find((x) => x.status === 'pending' && x.at < e.t && (x.expiresAt === null || x.expiresAt > e.t))
          if (r && unitHash(e.ref, 17) < 0.6) {
            const v = vouchers[r.voucher]
            const discount: Discount = { type: v.discountType, value: v.discountValue }
            order.totals = priceOrder(order.lines, settings, discount)
            order.redemption = r
            r.status = 'used'
            r.usedAt = e.t
            r.updatedAt = e.t
            r.order = e.ref
          }
          break
        }
        case 'deliver': {
          // Delivery: points on the goods paid for (after discount), at the tier's multiplier, once per order.
          const order = orders[e.ref]
          const spend = order.totals.subtotal - order.totals.discountTotal
          const points = pointsEarned(spend, rules.pointsPerCurrencyUnit, multiplierFor(tier, rules.tiers))
          if (points > 0) post(e.t, 'earn', points, lot(e.t), spend, null, e.ref, null, 'order')
          break
        }
        case 'use':
          if (e.redemption!.status === 'pending') {
            e.redemption!.status = 'used'
            e.redemption!.usedAt = e.t
            e.redemption!.updatedAt = e.t
          }
          break
        case 'cancel': {
          const r = e.redemption!
          if (r.status !== 'pending') break
          r.status = 'cancelled'
          r.cancelledAt = e.t
          r.updatedAt = e.t
          perVoucher.set(r.voucher, (perVoucher.get(r.voucher) ?? 1) - 1)
          post(e.t, 'refund', r.cost, null, null, r, -1, null, 'cancel')
          this.scheduleExpiryAfterRefund(e.t, latest, nights, push)
          break
        }
        case 'expire-redemptions':
          for (const r of redemptions) {
            if (r.status !== 'pending' || r.expiresAt === null || r.expiresAt > e.t) continue
            r.status = 'expired'
            r.updatedAt = e.t
            if (rules.returnPointsOnRedemptionExpiry && r.cost > 0) {
              post(e.t, 'refund', r.cost, null, null, r, -1, null, 'redemption-expired')
              this.scheduleExpiryAfterRefund(e.t, latest, nights, push)
            }
          }
          break
        case 'expire-points': {
          // As the nightly job: what is left of the expired lots after all net debits (oldest lots first).
          let lots = 0
          let debits = 0
          let refunds = 0
          for (const x of entries) {
            if (x.points > 0 && x.expiresAt !== null && x.expiresAt <= e.t) lots += x.points
            if (x.points < 0) debits -= x.points
            if (x.type === 'refund') refunds += x.points
          }
          const net = Math.max(0, debits - refunds)
          const amount = Math.max(0, lots - net)
          if (amount > 0 && balance > 0) {
            post(e.t, 'expire', -amount, null, null, null, -1, 'Points expired', 'expire', lots, net)
          }
          break
        }
      }
      // A redemption the member could not afford yet is tried again once it has more points.
      if (owed > 0 && balance > balanceAtFailure && e.kind !== 'redeem' && e.t < m.activeUntil) {
        if (tryRedeem(e.t + MINUTE)) owed--
        else balanceAtFailure = balance
      }
    }

    m.result = {
      entries,
      redemptions,
      balance,
      lifetimePoints: lifetime,
      lifetimeSpend: spendTotal,
      // The tier the nightly recalculation leaves: lifetime points, or the last 12 months' spend as of now.
      tier: tierFor(tierMeasure(rules.tierBasis, { lifetimePoints: lifetime, rollingSpend: rules.tierBasis === 'rolling_spend' ? rollingSpend(now, 0) : 0 }), rules.tiers),
      updatedAt: entries.length ? entries[entries.length - 1].t : m.joinAt,
    }
  }

  /** A refund lowers the net debits, so lots that expired before may now have something left: the next night's run expires it. */
  private scheduleExpiryAfterRefund(t: number, latest: number, nights: Set<number>, push: (t: number, kind: EventKind) => void) {
    const night = nextNight(t + 1, 2, 15)
    if (night <= latest && !nights.has(night)) {
      nights.add(night)
      push(night, 'expire-points')
    }
  }
}
