/**
 * A small seeded pseudo-random generator (mulberry32), so demo data is the
 * same on every machine and every run. Not for anything secret.
 */
export type Rng = {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number
  /** True with probability p. */
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

/** FNV-1a, 32 bits: turns a text seed into the generator's state. */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export function seededRandom(seed: string): Rng {
  let state = hashSeed(seed)
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  }
}

/** `n` random decimal digits (tracking numbers, phone numbers), six per draw. */
export function randomDigits(rng: Rng, n: number): string {
  let out = ''
  for (let k = 0; k < n; k += 6) out += String(rng.int(0, 999_999)).padStart(6, '0')
  return out.slice(0, n)
}
