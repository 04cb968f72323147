import { describe, expect, it } from 'vitest'
import { KeyedGate } from '../../src/lib/gate'

const tick = () => new Promise((r) => setTimeout(r, 1))

describe('KeyedGate', () => {
  it('never runs more than `limit` calls of one key at once, and runs them all', async () => {
    const gate = new KeyedGate()
    let running = 0
    let most = 0
    const done = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gate.run('v1', 3, async () => {
          running++
          most = Math.max(most, running)
          await tick()
          running--
          return i
        }),
      ),
    )
    expect(most).toBe(3)
    expect(done).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(gate.load('v1')).toEqual({ active: 0, waiting: 0 })
  })

  it('lets waiting calls in first come, first served', async () => {
    const gate = new KeyedGate()
    const order: number[] = []
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        gate.run('v', 1, async () => {
          order.push(i)
          await tick()
        }),
      ),
    )
    expect(order).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('keys do not wait for each other', async () => {
    const gate = new KeyedGate()
    let release!: () => void
    const blocker = gate.run('a', 1, () => new Promise<void>((r) => (release = r)))
    // Another key runs at once although "a" is full.
    await expect(gate.run('b', 1, async () => 'b ran')).resolves.toBe('b ran')
    expect(gate.load('a')).toEqual({ active: 1, waiting: 0 })
    release()
    await blocker
  })

  it('a failing call frees its place and its error reaches the caller', async () => {
    const gate = new KeyedGate()
    const failing = gate.run('k', 1, async () => {
      await tick()
      throw new Error('boom')
    })
    const next = gate.run('k', 1, async () => 'next ran')
    await expect(failing).rejects.toThrow('boom')
    await expect(next).resolves.toBe('next ran')
    expect(gate.load('k')).toEqual({ active: 0, waiting: 0 })
  })

  it('treats a limit below one as one', async () => {
    const gate = new KeyedGate()
    let running = 0
    let most = 0
    await Promise.all(
      Array.from({ length: 5 }, () =>
        gate.run('z', 0, async () => {
          most = Math.max(most, ++running)
          await tick()
          running--
        }),
      ),
    )
    expect(most).toBe(1)
  })
})
