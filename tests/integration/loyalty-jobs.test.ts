import { spawn } from 'node:child_process'
import path from 'node:path'
import type { Payload } from 'payload'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RULES, type LoyaltyRules } from '../../src/domain/loyalty'
import { patronJobs, releaseStaleJobs } from '../../src/jobs'
import { dbFor, inTransaction, rows, sql } from '../../src/lib/db/sql'
import { expirePoints, expireRedemptions } from '../../src/services/loyalty/expiry'
import { postLedgerEntry, type LedgerType } from '../../src/services/loyalty/ledger'
import { cancelRedemption, redeemVoucher } from '../../src/services/loyalty/redemptions'
import { loadRules } from '../../src/services/loyalty/rules'
import { recalculateTiers } from '../../src/services/loyalty/tiers'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let payload: Payload
let admin: StaffFixture
let rules: LoyaltyRules
let savedLoyalty: Record<string, unknown>

const DAY = 86_400_000
/** Every task with a schedule (the loyalty ones and those of other areas), sorted. */
const scheduledSlugs = patronJobs.filter((j) => j.cron).map((j) => j.slug).sort()
const root = path.resolve(__dirname, '../..')

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  admin = await createStaff(payload, ctx.api, 'admin')
  const g = (await payload.findGlobal({ slug: 'loyalty', depth: 0 })) as unknown as Record<string, unknown>
  savedLoyalty = {
    tiers: (g.tiers as Array<Record<string, unknown>> | undefined)?.map(({ name, threshold, multiplier }) => ({ name, threshold, multiplier })),
    tierBasis: g.tierBasis,
    returnPointsOnRedemptionExpiry: g.returnPointsOnRedemptionExpiry,
  }
  // Known tiers for these tests, whatever other files left.
  await setLoyalty({ tiers: DEFAULT_RULES.tiers, tierBasis: 'lifetime_points', returnPointsOnRedemptionExpiry: false })
})

afterAll(async () => {
  await setLoyalty(savedLoyalty)
})

async function setLoyalty(data: Record<string, unknown>) {
  await payload.updateGlobal({ slug: 'loyalty', data: data as never })
  rules = await loadRules(payload)
}

/** A member with an empty ledger (no signup bonus), so every point below is the test's own. */
async function member(): Promise<number> {
  const doc = await payload.create({
    collection: 'members',
    data: { email: `${uniq('job')}@test.local`, password: `pw-${uniq()}`, name: 'Job Test' } as never,
    context: { skipSignupBonus: true },
  })
  return doc.id as number
}

async function post(memberId: number, type: LedgerType, points: number, extra: { expiresAt?: Date; createdAt?: Date; spendAmount?: number } = {}) {
  return inTransaction(payload, undefined, (db) => postLedgerEntry(db, rules, { memberId, type, points, reason: type === 'adjust' ? 'test' : null, ...extra }))
}

async function state(memberId: number) {
  const db = await dbFor(payload)
  const [m] = await rows<{ b: string; tier: string | null; s: string; expired: string; n: number }>(
    db,
    sql`select m.points_balance as b, m.tier,
          coalesce((select sum(points) from point_transactions where member_id = m.id), 0) as s,
          coalesce((select -sum(points) from point_transactions where member_id = m.id and type = 'expire'), 0) as expired,
          (select count(*)::int from point_transactions where member_id = m.id and type = 'expire') as n
        from members m where m.id = ${memberId}`,
  )
  return { balance: Number(m.b), ledgerSum: Number(m.s), expired: Number(m.expired), expireEntries: m.n, tier: m.tier }
}

const daysFromNow = (days: number) => new Date(Date.now() + days * DAY)

describe('point expiry (FIFO)', () => {
  it('expires an expired lot once, however often it runs', async () => {
    const id = await member()
    await post(id, 'earn', 300, { expiresAt: daysFromNow(-1), createdAt: daysFromNow(-366) })
    await post(id, 'earn', 200, { expiresAt: daysFromNow(30) })

    expect(await expirePoints(payload, { memberIds: [id] })).toEqual({ membersExpired: 1, pointsExpired: 300, failed: 0 })
    expect(await expirePoints(payload, { memberIds: [id] })).toEqual({ membersExpired: 0, pointsExpired: 0, failed: 0 })

    const s = await state(id)
    expect(s).toMatchObject({ balance: 200, ledgerSum: 200, expired: 300, expireEntries: 1 })
    const [entry] = await rows<{ idempotency_key: string; balance_after: string }>(
      await dbFor(payload),
      sql`select idempotency_key, balance_after from point_transactions where member_id = ${id} and type = 'expire'`,
    )
    expect(entry).toEqual({ idempotency_key: `expire:${id}:300:0`, balance_after: '200' })
  })

  it('concurrent runs expire once', async () => {
    const id = await member()
    await post(id, 'earn', 250, { expiresAt: daysFromNow(-2) })
    await post(id, 'bonus', 50, { expiresAt: daysFromNow(-1) })
    const results = await Promise.all(Array.from({ length: 5 }, () => expirePoints(payload, { memberIds: [id] })))
    expect(results.reduce((n, r) => n + r.pointsExpired, 0)).toBe(300)
    expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0)
    expect(await state(id)).toMatchObject({ balance: 0, ledgerSum: 0, expired: 300, expireEntries: 1 })
  })

  it('debits consume the earliest-expiring lots first: only the unconsumed remainder expires', async () => {
    const id = await member()
    await post(id, 'earn', 500, { expiresAt: daysFromNow(-1), createdAt: daysFromNow(-400) })
    await post(id, 'earn', 400, { expiresAt: daysFromNow(60) })
    await post(id, 'redeem', -120)

    expect(await expirePoints(payload, { memberIds: [id] })).toMatchObject({ membersExpired: 1, pointsExpired: 380 })
    // The 400 that have not expired yet are untouched.
    expect(await state(id)).toMatchObject({ balance: 400, ledgerSum: 400, expired: 380 })

    // Later, the second lot expires too: all of it goes (the earlier debits were used up by the first lot).
    expect(await expirePoints(payload, { memberIds: [id], now: daysFromNow(61) })).toMatchObject({ pointsExpired: 400 })
    expect(await expirePoints(payload, { memberIds: [id], now: daysFromNow(61) })).toMatchObject({ pointsExpired: 0 })
    expect(await state(id)).toMatchObject({ balance: 0, ledgerSum: 0, expired: 780, expireEntries: 2 })
  })

  it('refunded points go back to their lots and expire with them', async () => {
    const id = await member()
    await post(id, 'earn', 500, { expiresAt: daysFromNow(-1), createdAt: daysFromNow(-400) })
    await post(id, 'redeem', -200, { createdAt: daysFromNow(-300) })
    await post(id, 'refund', 200, { createdAt: daysFromNow(-299) })
    expect(await expirePoints(payload, { memberIds: [id] })).toMatchObject({ pointsExpired: 500 })
    expect(await state(id)).toMatchObject({ balance: 0, ledgerSum: 0, expired: 500 })
  })

  it('a refund after an expiry makes the returned points expire on the next run', async () => {
    const id = await member()
    await post(id, 'earn', 500, { expiresAt: daysFromNow(-1), createdAt: daysFromNow(-400) })
    await post(id, 'redeem', -200, { createdAt: daysFromNow(-300) })
    expect(await expirePoints(payload, { memberIds: [id] })).toMatchObject({ pointsExpired: 300 })
    await post(id, 'refund', 200) // the redemption is cancelled after the lot expired
    expect(await expirePoints(payload, { memberIds: [id] })).toMatchObject({ pointsExpired: 200 })
    expect(await expirePoints(payload, { memberIds: [id] })).toMatchObject({ pointsExpired: 0 })
    expect(await state(id)).toMatchObject({ balance: 0, ledgerSum: 0, expired: 500, expireEntries: 2 })
  })

  it('expires nothing when debits already used up the expired lot, and never touches unexpired lots', async () => {
    const spent = await member()
    await post(spent, 'earn', 100, { expiresAt: daysFromNow(-1) })
    await post(spent, 'earn', 500, { expiresAt: daysFromNow(10) })
    await post(spent, 'adjust', -300)
    const fresh = await member()
    await post(fresh, 'earn', 700, { expiresAt: daysFromNow(1) })
    await post(fresh, 'earn', 50) // never expires

    expect(await expirePoints(payload, { memberIds: [spent, fresh] })).toEqual({ membersExpired: 0, pointsExpired: 0, failed: 0 })
    expect(await state(spent)).toMatchObject({ balance: 300, ledgerSum: 300, expireEntries: 0 })
    expect(await state(fresh)).toMatchObject({ balance: 750, ledgerSum: 750, expireEntries: 0 })

    // The day after: only the lot with an expiry goes; points without one stay.
    expect(await expirePoints(payload, { memberIds: [fresh], now: daysFromNow(2) })).toMatchObject({ pointsExpired: 700 })
    expect(await state(fresh)).toMatchObject({ balance: 50, ledgerSum: 50 })
  })
})

describe('redemption expiry', () => {
  async function setup() {
    const voucher = await payload.create({
      collection: 'vouchers',
      data: { code: uniq('JV').toUpperCase(), name: 'Job voucher', pointsCost: 100, stock: 10, discountType: 'fixed', discountValue: 100, status: 'active' } as never,
    })
    const id = await member()
    await post(id, 'earn', 500)
    const redeem = () => redeemVoucher(payload, { memberId: id, voucher: voucher.id as number, requestHash: 'x' })
    return { id, voucherId: voucher.id as number, redeem }
  }
  const backdate = async (redemptionId: number) =>
    (await dbFor(payload)).execute(sql`update redemptions set expires_at = now() - interval '1 minute' where id = ${redemptionId}`)
  const statusOf = async (redemptionId: number) =>
    (await rows<{ status: string }>(await dbFor(payload), sql`select status from redemptions where id = ${redemptionId}`))[0].status
  const stockOf = async (voucherId: number) =>
    Number((await rows<{ stock: string }>(await dbFor(payload), sql`select stock from vouchers where id = ${voucherId}`))[0].stock)

  it('moves pending redemptions past their validity to expired, keeping the points (default) and the stock', async () => {
    const { id, voucherId, redeem } = await setup()
    const old = (await redeem()).redemption
    const current = (await redeem()).redemption
    const cancelled = (await redeem()).redemption
    await cancelRedemption(payload, cancelled.id, { kind: 'staff', id: admin.id })
    await backdate(old.id)
    await backdate(cancelled.id)

    expect(await expireRedemptions(payload, { memberIds: [id] })).toEqual({ redemptionsExpired: 1, pointsReturned: 0, failed: 0 })
    expect(await expireRedemptions(payload, { memberIds: [id] })).toEqual({ redemptionsExpired: 0, pointsReturned: 0, failed: 0 })

    expect(await statusOf(old.id)).toBe('expired')
    expect(await statusOf(current.id)).toBe('pending')
    expect(await statusOf(cancelled.id)).toBe('cancelled')
    expect(await state(id)).toMatchObject({ balance: 300, ledgerSum: 300 }) // 500 − 2 × 100; the cancelled one was refunded
    expect(await stockOf(voucherId)).toBe(8) // 10 − 3 + 1 cancelled; expiry returns no stock
  })

  it('returns the points once when returnPointsOnRedemptionExpiry is on', async () => {
    const { id, voucherId, redeem } = await setup()
    const r = (await redeem()).redemption
    await backdate(r.id)
    await setLoyalty({ returnPointsOnRedemptionExpiry: true })
    try {
      const runs = await Promise.all([expireRedemptions(payload, { memberIds: [id] }), expireRedemptions(payload, { memberIds: [id] })])
      expect(runs.reduce((n, x) => n + x.redemptionsExpired, 0)).toBe(1)
      expect(runs.reduce((n, x) => n + x.pointsReturned, 0)).toBe(100)
      expect(await expireRedemptions(payload, { memberIds: [id] })).toMatchObject({ redemptionsExpired: 0, pointsReturned: 0 })
    } finally {
      await setLoyalty({ returnPointsOnRedemptionExpiry: false })
    }
    expect(await statusOf(r.id)).toBe('expired')
    expect(await state(id)).toMatchObject({ balance: 500, ledgerSum: 500 })
    const refunds = await rows<{ idempotency_key: string; points: string }>(
      await dbFor(payload),
      sql`select idempotency_key, points from point_transactions where member_id = ${id} and type = 'refund'`,
    )
    expect(refunds).toEqual([{ idempotency_key: `redemption-expired:${r.id}`, points: '100' }])
    expect(await stockOf(voucherId)).toBe(9)
  })
})

describe('tier recalculation', () => {
  it('recomputes tiers after the thresholds change, and only writes members whose tier changed', async () => {
    const silver = await member()
    await post(silver, 'earn', 1500)
    const bronze = await member()
    await post(bronze, 'earn', 200)
    expect((await state(silver)).tier).toBe('Silver')

    await setLoyalty({ tiers: DEFAULT_RULES.tiers.map((t) => (t.name === 'Silver' ? { ...t, threshold: 2000 } : t)) })
    expect((await state(silver)).tier).toBe('Silver') // nothing moves until the job runs
    expect(await recalculateTiers(payload, { memberIds: [silver, bronze] })).toEqual({ membersChecked: 2, tiersChanged: 1, upgraded: 0, downgraded: 1 })
    expect((await state(silver)).tier).toBe('Bronze')
    expect((await state(bronze)).tier).toBe('Bronze')
    expect(await recalculateTiers(payload, { memberIds: [silver, bronze] })).toMatchObject({ tiersChanged: 0 })

    await setLoyalty({ tiers: DEFAULT_RULES.tiers.map((t) => (t.name === 'Silver' ? { ...t, threshold: 150 } : t)) })
    expect(await recalculateTiers(payload, { memberIds: [silver, bronze], pageSize: 1 })).toEqual({ membersChecked: 2, tiersChanged: 2, upgraded: 2, downgraded: 0 })
    expect((await state(silver)).tier).toBe('Silver')
    expect((await state(bronze)).tier).toBe('Silver')
    await setLoyalty({ tiers: DEFAULT_RULES.tiers })
  })

  it('on the rolling-spend basis counts only the last 365 days of spend', async () => {
    const id = await member()
    await post(id, 'earn', 10, { spendAmount: 900_000, createdAt: daysFromNow(-400) })
    await post(id, 'earn', 10, { spendAmount: 6_000, createdAt: daysFromNow(-100) })
    try {
      await setLoyalty({ tierBasis: 'rolling_spend' })
      // 6 000 in the window: Gold (5 000) but not Platinum (20 000); the 900 000 spent 400 days ago no longer counts.
      expect(await recalculateTiers(payload, { memberIds: [id] })).toMatchObject({ tiersChanged: 1, upgraded: 1 })
      expect((await state(id)).tier).toBe('Gold')
      // A year on, the recent spend has left the window too.
      expect(await recalculateTiers(payload, { memberIds: [id], now: daysFromNow(300) })).toMatchObject({ tiersChanged: 1, downgraded: 1 })
      expect((await state(id)).tier).toBe('Bronze')
    } finally {
      await setLoyalty({ tierBasis: 'lifetime_points' })
    }
  })
})

describe('jobs', () => {
  it('registers the three loyalty tasks with nightly schedules', () => {
    const tasks = payload.config.jobs.tasks ?? []
    for (const slug of ['expire-points', 'expire-redemptions', 'recalculate-tiers']) {
      const task = tasks.find((t) => t.slug === slug)
      expect(task, slug).toBeDefined()
      expect(task!.schedule?.[0]?.cron).toMatch(/^\d+ \d+ \* \* \*$/)
      expect(typeof task!.handler).toBe('function')
    }
  })

  it('a queued job runs through payload.jobs.run and completes', async () => {
    const id = await member()
    await post(id, 'earn', 120, { expiresAt: daysFromNow(-1) })
    await post(id, 'earn', 80, { expiresAt: daysFromNow(100) })
    const job = await payload.jobs.queue({ task: 'expire-points', input: { memberIds: [id] } })
    const result = await payload.jobs.run({ where: { id: { equals: job.id } } })
    expect(result.jobStatus?.[job.id]?.status).toBe('success')
    expect(await state(id)).toMatchObject({ balance: 80, ledgerSum: 80, expired: 120 })
    // Completed jobs are deleted.
    expect((await payload.find({ collection: 'payload-jobs', where: { id: { equals: job.id } } })).totalDocs).toBe(0)
  })

  it('handleSchedules queues each scheduled task once, for its next cron time', async () => {
    const before = Date.now()
    const first = await payload.jobs.handleSchedules({ allQueues: true })
    const again = await payload.jobs.handleSchedules({ allQueues: true })
    expect(first.queued.map((q) => q.taskConfig?.slug).sort()).toEqual(scheduledSlugs)
    expect(again.queued).toEqual([])
    const pending = await payload.find({ collection: 'payload-jobs', where: { 'meta.scheduled': { equals: true } }, limit: 10 })
    expect(pending.docs).toHaveLength(scheduledSlugs.length)
    for (const doc of pending.docs) expect(new Date(doc.waitUntil!).getTime()).toBeGreaterThan(before)
    // Not due yet: running the queue leaves them alone.
    await payload.jobs.run({ allQueues: true, where: { 'meta.scheduled': { equals: true } } })
    expect((await payload.find({ collection: 'payload-jobs', where: { 'meta.scheduled': { equals: true } } })).totalDocs).toBe(scheduledSlugs.length)
    await payload.delete({ collection: 'payload-jobs', where: { 'meta.scheduled': { equals: true } } })
  })

  it('releases jobs left processing by a worker that died, and only those', async () => {
    const db = await dbFor(payload)
    const stale = await payload.jobs.queue({ task: 'recalculate-tiers', input: { memberIds: [-1] } })
    const busy = await payload.jobs.queue({ task: 'recalculate-tiers', input: { memberIds: [-2] } })
    await db.execute(sql`update payload_jobs set processing = true, updated_at = now() - interval '3 hours' where id = ${stale.id}`)
    await db.execute(sql`update payload_jobs set processing = true where id = ${busy.id}`)
    try {
      expect(await releaseStaleJobs(payload, 120)).toEqual([stale.id])
      const after = await rows<{ id: number; processing: boolean }>(db, sql`select id, processing from payload_jobs where id in (${stale.id}, ${busy.id}) order by id`)
      expect(after).toEqual([
        { id: stale.id, processing: false },
        { id: busy.id, processing: true },
      ])
      expect(await releaseStaleJobs(payload, 120)).toEqual([])
    } finally {
      await payload.delete({ collection: 'payload-jobs', where: { id: { in: [stale.id, busy.id] } } })
    }
  })

  it('only admins can run the queue over the API', async () => {
    const url = `${ctx.api}/payload-jobs/run?queue=${uniq('none')}&disableScheduling=true`
    expect((await rest(url)).status).toBe(401)
    const email = `${uniq('jm')}@test.local`
    await payload.create({ collection: 'members', data: { email, password: 'pw-member-1', name: 'M' } as never })
    const { token } = await payload.login({ collection: 'members', data: { email, password: 'pw-member-1' } })
    expect((await rest(url, { token })).status).toBe(401)
    const editor = await createStaff(payload, ctx.api, 'editor')
    expect((await rest(url, { token: editor.token })).status).toBe(401)
    expect((await rest(url, { token: admin.token })).status).toBe(200)
  })
})

/**
 * Runs a script with the test database; resolves with its exit code and output.
 * `until` sends SIGTERM once the output matches. Scripts that get signals run
 * under `node --import tsx`: the tsx CLI relays a signal and SIGKILLs a child
 * that does not acknowledge it within ~60 ms, which a busy machine can miss.
 */
function runScript(script: string, args: string[], opts: { until?: (out: string) => boolean; timeoutMs?: number; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const runner = opts.until ? ['--import', 'tsx'] : [path.join(root, 'node_modules/tsx/dist/cli.mjs')]
    const child = spawn(process.execPath, [...runner, path.join(root, script), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let signalled = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} timed out:\n${out}`))
    }, opts.timeoutMs ?? 50_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      if (!signalled && opts.until?.(out)) {
        signalled = true
        child.kill('SIGTERM')
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    // 'close', not 'exit': the last lines may still be in the pipe when the process exits.
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

describe('commands', () => {
  it('npm run job -- <unknown> exits non-zero and lists the jobs', async () => {
    const { code, out } = await runScript('scripts/run-job.ts', ['no-such-job'])
    expect(code).toBe(2)
    expect(out).toContain('unknown job "no-such-job"')
    for (const j of patronJobs) expect(out).toContain(j.slug)
  })

  it('npm run job -- expire-points runs it now and prints the summary', async () => {
    const id = await member()
    await post(id, 'earn', 70, { expiresAt: daysFromNow(-3) })
    const { code, out } = await runScript('scripts/run-job.ts', ['expire-points', '--member', String(id)])
    expect(code, out).toBe(0)
    const line = out.split('\n').find((l) => l.startsWith('{"job"'))
    expect(JSON.parse(line!)).toMatchObject({ job: 'expire-points', membersExpired: 1, pointsExpired: 70, failed: 0 })
    expect(await state(id)).toMatchObject({ balance: 0, expired: 70 })
  })

  it('the worker queues the schedules, runs queued jobs and stops on SIGTERM', async () => {
    const id = await member()
    await post(id, 'earn', 40, { expiresAt: daysFromNow(-1) })
    await payload.jobs.queue({ task: 'expire-points', input: { memberIds: [id] } })
    const { code, out } = await runScript('scripts/worker.ts', [], {
      env: { WORKER_INTERVAL_MS: '200' },
      until: (o) => o.includes('job expire-points finished'),
    })
    expect(code, out).toBe(0)
    expect(out.includes('worker stopping'), `worker output (${out.length} chars):\n${out}`).toBe(true)
    expect(await state(id)).toMatchObject({ balance: 0, expired: 40 })
    const scheduled = await payload.find({ collection: 'payload-jobs', where: { 'meta.scheduled': { equals: true } }, limit: 10 })
    expect(scheduled.docs.map((d) => d.taskSlug).sort()).toEqual(scheduledSlugs)
    await payload.delete({ collection: 'payload-jobs', where: { 'meta.scheduled': { equals: true } } })
  })
})
