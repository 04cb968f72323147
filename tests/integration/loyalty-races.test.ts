import { beforeAll, describe, expect, it } from 'vitest'
import { inTransaction } from '../../src/lib/db/sql'
import { postLedgerEntry } from '../../src/services/loyalty/ledger'
import { loadRules } from '../../src/services/loyalty/rules'
import { getTestContext, type TestContext } from '../helpers/context'
import { createMember, ledgerCheck } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff } from '../helpers/staff'

let ctx: TestContext
beforeAll(async () => {
  ctx = await getTestContext()
})

describe('computed member fields under concurrent edits', () => {
  it('staff edits of a member never write back a stale balance while ledger entries commit', async () => {
    const moderator = await createStaff(ctx.payload, ctx.api, 'moderator')
    const m = await createMember(ctx.payload)
    const rules = await loadRules(ctx.payload)
    const credits = Array.from({ length: 40 }, (_, i) =>
      inTransaction(ctx.payload, undefined, (db) => postLedgerEntry(db, rules, { memberId: m.id, type: 'adjust', points: 10, reason: `race ${i}` })),
    )
    const edits = Array.from({ length: 20 }, (_, i) =>
      rest(`${ctx.api}/members/${m.id}`, { method: 'PATCH', token: moderator.token, body: { status: i % 2 ? 'active' : 'inactive' } }),
    )
    const results = await Promise.all([...credits, ...edits])
    expect(results.slice(40).map((r) => (r as { status: number; body: unknown }).status)).toEqual(Array(20).fill(200))
    expect(await ledgerCheck(ctx.payload, m.id)).toEqual({ balance: 500, ledgerSum: 500 })
  })
})
