/**
 * Money in integer minor units (cents). No floating point touches an amount:
 * rates are scaled to integers and products are computed with BigInt.
 */

/** True for a whole, non-negative, safe number of minor units. */
export function isMinorUnits(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** Rates (percent) are kept to 4 decimal places: 7.5% → 75_000 millionths of 100%. */
const RATE_SCALE = 10_000n

function toScaledRate(percent: number): bigint {
  if (!Number.isFinite(percent) || percent < 0) throw new RangeError(`invalid rate: ${percent}`)
  return BigInt(Math.round(percent * Number(RATE_SCALE)))
}

/** Divides, rounding half away from zero (the commercial rounding of invoices). */
function divRound(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n
  const n = numerator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  const q = (n * 2n + d) / (2n * d)
  return negative ? -q : q
}

/** `percent`% of `amount` minor units, rounded half up to a whole minor unit. */
export function percentOf(amount: number, percent: number): number {
  const result = divRound(BigInt(amount) * toScaledRate(percent), 100n * RATE_SCALE)
  return Number(result)
}

/** unitPrice × quantity, refusing results that would lose precision. */
export function lineTotal(unitPrice: number, quantity: number): number {
  if (!isMinorUnits(unitPrice)) throw new RangeError(`invalid unit price: ${unitPrice}`)
  if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new RangeError(`invalid quantity: ${quantity}`)
  const total = unitPrice * quantity
  if (!Number.isSafeInteger(total)) throw new RangeError('line total too large')
  return total
}

export function sum(amounts: number[]): number {
  const total = amounts.reduce((a, b) => a + b, 0)
  if (!Number.isSafeInteger(total)) throw new RangeError('total too large')
  return total
}

/** Formats minor units for people, e.g. 123456 USD → "1,234.56". */
export function formatMoney(amount: number, currency = 'USD', locale = 'en-US'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount / 100)
}
