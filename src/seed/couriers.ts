import { randomDigits, type Rng } from './random'

/** Couriers of the demo and large seeds, with a tracking number in each one's format. */
export const COURIERS: ReadonlyArray<[string, (rng: Rng) => string]> = [
  ['CTT Expresso', (rng) => `RR${randomDigits(rng, 9)}PT`],
  ['DHL Express', (rng) => `JD01460000${randomDigits(rng, 8)}`],
  ['UPS', (rng) => `1Z9${randomDigits(rng, 5)}A${randomDigits(rng, 9)}`],
  ['DPD', (rng) => `0${randomDigits(rng, 13)}`],
]
