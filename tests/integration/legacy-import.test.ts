import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { inTransaction, rows, sql } from '../../src/lib/db/sql'
import { postLedgerEntry } from '../../src/services/loyalty/ledger'
import {
  importLegacyLoyalty,
  LegacyImportError,
  mapTransaction,
  parseLegacyDate,
  toMinorUnits,
  type ImportProgress,
  type LegacyImportReport,
} from '../../src/services/loyalty/legacyImport'
import { loadRules } from '../../src/services/loyalty/rules'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { buildIncompleteSqlite, buildLegacySqlite, type LegacyFixture } from '../helpers/legacySqlite'
import { createMember, ledgerCheck } from '../helpers/members'

let ctx: TestContext
let fx: LegacyFixture
let tmp: string
let existing: { id: number; email: string; balanceBefore: number }
let first: LegacyImportReport
let second: LegacyImportReport
const progress: ImportProgress[] = []

type Snapshot = {
  members: Array<{ legacy_id: string; id: number; email: string; status: string; points_balance: string; lifetime_points: string; tier: string | null }>
  ledger: Array<{ member_id: number; type: string; points: string; balance_after: string; reason: string; idempotency_key: string | null; created_at: Date }>
  vouchers: Array<Record<string, unknown>>
  redemptions: Array<Record<string, unknown>>
}

const db = () => (ctx.payload.db as unknown as { drizzle: Parameters<typeof rows>[0] }).drizzle

/** Everything the fixture's legacy ids map to in Patron, in a stable order. */
async function snapshot(): Promise<Snapshot> {
  const p = `${fx.prefix}-%`
  const members = await rows<Snapshot['members'][number]>(
    db(),
    sql`select legacy_id, id, email, status, points_balance, lifetime_points, tier from members
        where legacy_id like ${p} or id = ${existing.id} order by id`,
  )
  const ids = members.map((m) => m.id)
  const ledger = await rows<Snapshot['ledger'][number]>(
    db(),
    sql`select member_id, type, points, balance_after, reason, idempotency_key, created_at from point_transactions
        where member_id in ${ids} order by id`,
  )
  const vids = Object.values(fx.v).map(String)
  const vouchers = await rows<Record<string, unknown>>(
    db(),
    sql`select id, legacy_id, code, name, discount_type, discount_value, points_cost, stock, valid_from, valid_to, status
        from vouchers where legacy_id in ${vids} order by id`,
  )
  const rids = Object.values(fx.r).map(String)
  const redemptions = await rows<Record<string, unknown>>(
    db(),
    sql`select id, legacy_id, redemption_code, member_id, voucher_id, points_used, status, redeemed_at, used_at, expires_at, cancelled_at
        from redemptions where legacy_id in ${rids} order by id`,
  )
  return { members, ledger, vouchers, redemptions }
}

const memberOf = (s: Snapshot, legacyId: string) => s.members.find((m) => m.legacy_id === legacyId)
let afterFirst: Snapshot
let afterSecond: Snapshot

beforeAll(async () => {
  ctx = await getTestContext()
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'patron-legacy-'))
  // A member who registered on the new storefront before the import, with the same e-mail as a legacy member.
  const m = await createMember(ctx.payload)
  const rules = await loadRules(ctx.payload)
  await inTransaction(ctx.payload, undefined, (tx) =>
    postLedgerEntry(tx, rules, { memberId: m.id, type: 'adjust', points: 25, reason: 'before the import', idempotencyKey: `pre-import:${m.id}` }),
  )
  existing = { id: m.id, email: m.email, balanceBefore: (await ledgerCheck(ctx.payload, m.id)).balance }

  const prefix = uniq('lg')
  const file = path.join(tmp, 'legacy.sqlite')
  fx = await buildLegacySqlite({ prefix, existingEmail: existing.email, file })
  first = await importLegacyLoyalty(ctx.payload, file, { onProgress: (p) => progress.push(p) })
  afterFirst = await snapshot()
  second = await importLegacyLoyalty(ctx.payload, fx.bytes)
  afterSecond = await snapshot()
})

describe('legacy import: first run', () => {
  it('imports members, linking and merging duplicates by e-mail and skipping bad e-mails', () => {
    expect(first.members).toEqual({ read: 9, created: 5, existing: 0, updated: 0, linked: 1, merged: 1, skipped: 2 })
    const skipped = first.issues.filter((i) => i.table === 'members' && i.kind === 'skipped').map((i) => i.legacyId)
    expect(skipped.sort()).toEqual([fx.m.badEmail, fx.m.noEmail].sort())
    // legacy ids are kept; the linked member now carries its legacy id
    expect(afterFirst.members.map((m) => m.legacy_id).sort()).toEqual(
      [fx.m.alice, fx.m.bob, fx.m.carol, fx.m.linked, fx.m.erin, fx.m.frank].sort(),
    )
    expect(memberOf(afterFirst, fx.m.linked)!.id).toBe(existing.id)
    expect(memberOf(afterFirst, fx.m.alice)!.email).toBe(fx.emails.alice) // trimmed, lower case
  })

  it('maps statuses', () => {
    expect(memberOf(afterFirst, fx.m.alice)!.status).toBe('active')
    expect(memberOf(afterFirst, fx.m.bob)!.status).toBe('inactive')
    expect(memberOf(afterFirst, fx.m.erin)!.status).toBe('blocked')
    expect(memberOf(afterFirst, fx.m.frank)!.status).toBe('pending_verification')
    expect(memberOf(afterFirst, fx.m.frank)!.tier).toBeTruthy() // computed by Patron even without history
  })

  it('replays the point history into the ledger with legacy idempotency keys, no signup bonus', () => {
    expect(first.pointTransactions).toMatchObject({ read: 15, created: 12, existing: 0, skipped: 3 })
    const alice = memberOf(afterFirst, fx.m.alice)!
    const entries = afterFirst.ledger.filter((e) => e.member_id === alice.id)
    expect(entries.map((e) => [e.type, Number(e.points)])).toEqual([
      ['earn', 500],
      ['redeem', -200],
      ['bonus', 50],
      ['adjust', -30],
    ])
    expect(entries.every((e) => e.idempotency_key?.startsWith('legacy:pt:'))).toBe(true)
    expect(entries[3].idempotency_key).toBe(`legacy:pt:${fx.t.aliceUnknownType}`)
    expect(entries[3].reason).toContain('[legacy type "migration_fix"]')
    expect(new Date(entries[0].created_at).toISOString()).toBe('2023-01-10T09:00:00.000Z') // the legacy date is kept
    expect(Number(alice.points_balance)).toBe(320)
    expect(Number(alice.lifetime_points)).toBe(550)
  })

  it('clamps an entry that would take a balance below zero, and reports it', () => {
    const carol = memberOf(afterFirst, fx.m.carol)!
    const entries = afterFirst.ledger.filter((e) => e.member_id === carol.id)
    expect(entries.map((e) => [e.type, Number(e.points), Number(e.balance_after)])).toEqual([
      ['earn', 100, 100],
      ['redeem', -100, 0],
      ['earn', 400, 400],
    ])
    expect(first.clampedEntries).toEqual([
      { legacyId: String(fx.t.carolOverdraft), memberLegacyId: fx.m.carol, memberId: carol.id, legacyPoints: -250, postedPoints: -100 },
    ])
    expect(first.issues).toContainEqual(expect.objectContaining({ table: 'point_transactions', legacyId: String(fx.t.carolOverdraft), kind: 'clamped' }))
  })

  it('skips zero-point, orphan and skipped members’ transactions with a reason', () => {
    const skipped = first.issues.filter((i) => i.table === 'point_transactions' && i.kind === 'skipped')
    expect(skipped.map((i) => i.legacyId)).toEqual(expect.arrayContaining([String(fx.t.erinZero), String(fx.t.orphan)]))
    expect(skipped).toHaveLength(3)
  })

  it('reconciles each member: legacy total vs legacy transactions vs Patron balance', () => {
    const byLegacy = Object.fromEntries(first.mismatches.map((m) => [m.legacyId, m]))
    expect(Object.keys(byLegacy).sort()).toEqual([fx.m.bob, fx.m.carol, fx.m.linked].sort())
    expect(byLegacy[fx.m.bob]).toMatchObject({
      legacyIds: [fx.m.bob, fx.m.bobDuplicate],
      legacyTotalPoints: 999 + 10,
      legacyTransactionSum: 300 - 100 + 10,
      patronBalance: 210,
    })
    expect(byLegacy[fx.m.carol]).toMatchObject({ legacyTotalPoints: 250, legacyTransactionSum: 250, patronBalance: 400 })
    expect(byLegacy[fx.m.carol].reasons.join(' ')).toMatch(/clamped/)
    expect(byLegacy[fx.m.linked]).toMatchObject({ memberId: existing.id, legacyTotalPoints: 70, legacyTransactionSum: 70, patronBalance: existing.balanceBefore + 70 })
    expect(byLegacy[fx.m.linked].reasons).toEqual([`${existing.balanceBefore} points from entries made in Patron itself (outside the import)`])
    expect(byLegacy[fx.m.bob].reasons).toEqual([
      'legacy total_points differs from the sum of its legacy transactions',
      'e-mail shared with another legacy member: histories merged',
    ])
    expect(first.membersReconciled).toBe(6)
    expect(first.ledgerViolations).toEqual([])
  })

  it('imports vouchers: upper-case codes, percentage/fixed, money in minor units, stock >= 0', () => {
    expect(first.vouchers).toMatchObject({ read: 4, created: 3, skipped: 1 })
    const byLegacy = Object.fromEntries(afterFirst.vouchers.map((v) => [String(v.legacy_id), v]))
    expect(byLegacy[String(fx.v.zeroCost)]).toBeUndefined()
    expect(byLegacy[String(fx.v.percent)]).toMatchObject({ code: fx.codes.percent.toUpperCase(), discount_type: 'percentage', status: 'active' })
    expect(Number(byLegacy[String(fx.v.percent)].discount_value)).toBe(10)
    expect(Number(byLegacy[String(fx.v.fixed)].discount_value)).toBe(550)
    expect(byLegacy[String(fx.v.fixed)].status).toBe('inactive')
    expect(byLegacy[String(fx.v.amount)]).toMatchObject({ discount_type: 'fixed', status: 'inactive' })
    expect(Number(byLegacy[String(fx.v.amount)].discount_value)).toBe(2000)
    expect(Number(byLegacy[String(fx.v.amount)].stock)).toBe(0)
    expect(Number(byLegacy[String(fx.v.percent)].stock)).toBe(50) // redemptions do not take stock again
  })

  it('imports redemptions in each status without touching the ledger', () => {
    expect(first.redemptions).toEqual({ read: 7, created: 5, existing: 0, updated: 0, linked: 0, merged: 0, skipped: 2 })
    const byLegacy = Object.fromEntries(afterFirst.redemptions.map((r) => [String(r.legacy_id), r]))
    expect(byLegacy[String(fx.r.pending)].status).toBe('pending')
    expect(byLegacy[String(fx.r.pending)].expires_at).toBeTruthy()
    expect(byLegacy[String(fx.r.used)].status).toBe('used')
    expect(new Date(byLegacy[String(fx.r.used)].used_at as string).toISOString()).toBe('2023-02-05T15:00:00.000Z')
    expect(byLegacy[String(fx.r.expired)].status).toBe('expired')
    expect(byLegacy[String(fx.r.cancelled)].status).toBe('cancelled')
    expect(byLegacy[String(fx.r.cancelled)].cancelled_at).toBeTruthy()
    expect(byLegacy[String(fx.r.redeemed)].status).toBe('used') // "redeemed" with a use date
    expect(String(byLegacy[String(fx.r.pending)].redemption_code)).toMatch(/^RD-/)
    expect(byLegacy[String(fx.r.skippedVoucher)]).toBeUndefined()
    expect(byLegacy[String(fx.r.skippedMember)]).toBeUndefined()
    expect(afterFirst.ledger.filter((e) => e.idempotency_key && !e.idempotency_key.startsWith('legacy:pt:') && e.member_id !== existing.id)).toEqual([])
  })

  it('reports progress for every phase up to its total', () => {
    for (const phase of ['members', 'vouchers', 'point_transactions', 'redemptions', 'reconcile'] as const) {
      const events = progress.filter((p) => p.phase === phase)
      expect(events.length).toBeGreaterThan(0)
      expect(events.at(-1)!.done).toBe(events.at(-1)!.total)
    }
  })
})

describe('legacy import: second run of the same file', () => {
  it('yields the same counts and balances', () => {
    expect(afterSecond.members).toEqual(afterFirst.members)
    expect(afterSecond.ledger).toEqual(afterFirst.ledger)
    expect(afterSecond.vouchers).toEqual(afterFirst.vouchers)
    expect(afterSecond.redemptions).toEqual(afterFirst.redemptions)
  })

  it('creates nothing and finds everything already present', () => {
    expect(second.members).toEqual({ read: 9, created: 0, existing: 6, updated: 0, linked: 0, merged: 1, skipped: 2 })
    expect(second.pointTransactions).toMatchObject({ created: 0, existing: 12, skipped: 3 })
    expect(second.vouchers).toMatchObject({ created: 0, existing: 3, updated: 0, skipped: 1 })
    expect(second.redemptions).toMatchObject({ created: 0, existing: 5, skipped: 2 })
  })

  it('reports the same mismatches and clamped entries', () => {
    expect(second.mismatches).toEqual(first.mismatches)
    expect(second.clampedEntries).toEqual(first.clampedEntries)
    expect(second.tierDifferences).toEqual(first.tierDifferences)
    expect(second.ledgerViolations).toEqual([])
  })

  it("every imported member's balance equals its ledger sum and is never negative", async () => {
    for (const m of afterSecond.members) {
      const { balance, ledgerSum } = await ledgerCheck(ctx.payload, m.id)
      expect(balance).toBe(ledgerSum)
      expect(balance).toBeGreaterThanOrEqual(0)
    }
    expect(afterSecond.ledger.every((e) => Number(e.balance_after) >= 0)).toBe(true)
  })
})

describe('legacy import: imported members sign in after a password reset', () => {
  it('has no usable password until a reset sets one', async () => {
    const email = fx.emails.alice
    expect((await rest(`${ctx.api}/members/login`, { body: { email, password: '' } })).status).toBeGreaterThanOrEqual(400)
    expect((await rest(`${ctx.api}/members/forgot-password`, { body: { email } })).status).toBe(200)
    const mail = await ctx.mail.waitFor((m) => m.to.includes(email))
    const token = /Reset token: ([A-Za-z0-9]+)/.exec(mail.raw)?.[1]
    expect(token).toBeTruthy()
    expect((await rest(`${ctx.api}/members/reset-password`, { body: { token, password: 'imported-member-password' } })).status).toBe(200)
    const login = await rest(`${ctx.api}/members/login`, { body: { email, password: 'imported-member-password' } })
    expect(login.status).toBe(200)
    expect(login.body.user.id).toBe(Number(memberOf(afterSecond, fx.m.alice)?.id))
  })
})

describe('legacy import: unusable files fail cleanly', () => {
  it('a missing file', async () => {
    const err = await importLegacyLoyalty(ctx.payload, path.join(tmp, 'nope.sqlite')).catch((e) => e)
    expect(err).toBeInstanceOf(LegacyImportError)
    expect(err.code).toBe('UNREADABLE')
  })

  it('a file that is not SQLite, or a corrupt one', async () => {
    const junk = path.join(tmp, 'junk.sqlite')
    await fs.writeFile(junk, crypto.randomBytes(4096))
    expect(await importLegacyLoyalty(ctx.payload, junk).catch((e) => e)).toMatchObject({ name: 'LegacyImportError', code: 'NOT_SQLITE' })
    const corrupt = Buffer.concat([Buffer.from(fx.bytes.subarray(0, 100)), crypto.randomBytes(8192)])
    expect(await importLegacyLoyalty(ctx.payload, corrupt).catch((e) => e)).toMatchObject({ name: 'LegacyImportError', code: 'NOT_SQLITE' })
  })

  it('a SQLite file without the legacy tables', async () => {
    const err = await importLegacyLoyalty(ctx.payload, await buildIncompleteSqlite()).catch((e) => e)
    expect(err).toBeInstanceOf(LegacyImportError)
    expect(err.code).toBe('MISSING_TABLES')
    expect(err.message).toContain('point_transactions')
    expect(err.message).toContain('redeem_transactions')
  })
})

describe('legacy import: mapping rules', () => {
  it('signs points by type and keeps unknown types as adjustments', () => {
    expect(mapTransaction('redeem', 200, null)).toMatchObject({ type: 'redeem', points: -200 })
    expect(mapTransaction('EXPIRED', -15, 'x')).toMatchObject({ type: 'expire', points: -15 })
    expect(mapTransaction('earn', -5, 'oops')).toMatchObject({ type: 'adjust', points: -5 })
    expect(mapTransaction('refund', 30, null)).toMatchObject({ type: 'refund', points: 30 })
    expect(mapTransaction('weird', 7, 'note')).toMatchObject({ type: 'adjust', points: 7, reason: '[legacy type "weird"] note' })
  })

  it('reads money and dates without drift', () => {
    expect(toMinorUnits(10.15)).toBe(1015)
    expect(toMinorUnits('5.5')).toBe(550)
    expect(toMinorUnits(0.1 + 0.2)).toBe(30)
    expect(parseLegacyDate('2023-01-10 09:00:00')!.toISOString()).toBe('2023-01-10T09:00:00.000Z')
    expect(parseLegacyDate(1672531200)!.toISOString()).toBe('2023-01-01T00:00:00.000Z')
    expect(parseLegacyDate('garbage')).toBeNull()
  })
})

describe('npm run import:legacy', () => {
  const tsx = path.resolve('node_modules/.bin/tsx')
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(tsx, ['scripts/import-legacy.ts', ...args], { env: { ...process.env, LOG_LEVEL: 'warn' } })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d) => (stdout += d))
      child.stderr.on('data', (d) => (stderr += d))
      child.on('exit', (code) => resolve({ code, stdout, stderr }))
    })

  it('exits non-zero on an unreadable file, before touching the database', async () => {
    const res = await run([path.join(tmp, 'missing.sqlite')])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('no such file')
  })

  it('imports a file and prints the summary', { timeout: 180_000 }, async () => {
    const other = await createMember(ctx.payload)
    const file = path.join(tmp, 'cli.sqlite')
    const cliFx = await buildLegacySqlite({ prefix: uniq('cli'), existingEmail: other.email, file })
    const res = await run([file])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/Reconciliation: 6 members, \d+ mismatching/)
    const [{ n }] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from members where legacy_id like ${`${cliFx.prefix}-%`}`)
    expect(n).toBe(6)
  })
})
