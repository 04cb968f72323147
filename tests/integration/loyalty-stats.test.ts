import { beforeAll, describe, expect, it } from 'vitest'
import { dbFor, inTransaction, sql } from '../../src/lib/db/sql'
import { postLedgerEntry, type LedgerType } from '../../src/services/loyalty/ledger'
import { cancelRedemption, redeemVoucher, useRedemption } from '../../src/services/loyalty/redemptions'
import { loadRules } from '../../src/services/loyalty/rules'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

/*
 * Other test files share this database and add members, vouchers and
 * redemptions of their own, so every number here is a difference between two
 * answers taken around data this file creates, or is read off rows this file
 * owns. Data is back-dated into windows in 2003 that nothing else uses.
 */

let ctx: TestContext
let staff: Record<'superAdmin' | 'admin' | 'moderator' | 'support' | 'editor' | 'reseller', StaffFixture>
let memberToken: string
let integrationKey: string

const ENDPOINTS = ['members', 'point-transactions', 'vouchers', 'redemptions'] as const

async function stats(collection: (typeof ENDPOINTS)[number], query = '', token = staff.admin.token) {
  const res = await rest(`${ctx.api}/${collection}/stats${query ? `?${query}` : ''}`, { token })
  if (res.status !== 200) throw new Error(`${collection}/stats?${query}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

async function newMember(data: Record<string, unknown> = {}) {
  const email = `${uniq('st')}@test.local`
  const password = `pw-${uniq()}`
  const doc = await ctx.payload.create({ collection: 'members', data: { email, password, name: 'Stats Member', ...data } as never })
  return { id: doc.id as number, email, password }
}

async function newVoucher(data: Record<string, unknown> = {}) {
  const doc = await ctx.payload.create({
    collection: 'vouchers',
    data: { code: uniq('VS').toUpperCase(), name: 'Stats voucher', pointsCost: 100, stock: 10, discountType: 'fixed', discountValue: 100, status: 'active', ...data } as never,
  })
  return doc as unknown as { id: number; code: string }
}

async function post(memberId: number, type: LedgerType, points: number, createdAt?: string) {
  const rules = await loadRules(ctx.payload)
  await inTransaction(ctx.payload, undefined, (db) =>
    postLedgerEntry(db, rules, { memberId, type, points, reason: type === 'adjust' ? 'stats test' : null, createdAt: createdAt ? new Date(createdAt) : null }),
  )
}

async function exec(query: ReturnType<typeof sql>) {
  await (await dbFor(ctx.payload)).execute(query)
}

/** Per-bucket difference of one numeric field between two series of the same period. */
function seriesDelta(after: any[], before: any[], field: string): Record<string, number> {
  expect(after.map((b) => b.date)).toEqual(before.map((b) => b.date))
  const out: Record<string, number> = {}
  after.forEach((b, i) => {
    const d = b[field] - before[i][field]
    if (d !== 0) out[b.date] = d
  })
  return out
}

beforeAll(async () => {
  ctx = await getTestContext()
  staff = {
    superAdmin: await createStaff(ctx.payload, ctx.api, 'super-admin'),
    admin: await createStaff(ctx.payload, ctx.api, 'admin'),
    moderator: await createStaff(ctx.payload, ctx.api, 'moderator'),
    support: await createStaff(ctx.payload, ctx.api, 'support'),
    editor: await createStaff(ctx.payload, ctx.api, 'editor'),
    reseller: await createStaff(ctx.payload, ctx.api, 'reseller'),
  }
  const m = await newMember()
  memberToken = (await ctx.payload.login({ collection: 'members', data: { email: m.email, password: m.password } })).token ?? ''
  integrationKey = `key-${uniq()}`
  await ctx.payload.create({
    collection: 'users',
    data: { email: `${uniq('integ')}@test.local`, password: 'long-enough-password', role: 'integration', enableAPIKey: true, apiKey: integrationKey, scopes: ['members_read', 'redemptions_use', 'orders_read'] } as never,
  })
})

describe('who may read loyalty statistics', () => {
  it.each(ENDPOINTS)('%s/stats: anonymous 401; members, editors, resellers and integrations 403', async (collection) => {
    const url = `${ctx.api}/${collection}/stats`
    const anon = await rest(url)
    expect(anon.status).toBe(401)
    expect(anon.body.errors[0].code).toBe('UNAUTHORIZED')
    for (const token of [memberToken, staff.editor.token, staff.reseller.token]) {
      const res = await rest(url, { token })
      expect(res.status).toBe(403)
      expect(res.body).toEqual({ errors: [expect.objectContaining({ code: 'FORBIDDEN' })] })
    }
    const integ = await rest(url, { apiKey: integrationKey })
    expect(integ.status).toBe(403)
  })

  it.each(ENDPOINTS)('%s/stats: super-admins, admins, moderators and support 200', async (collection) => {
    for (const who of [staff.superAdmin, staff.admin, staff.moderator, staff.support]) {
      const res = await rest(`${ctx.api}/${collection}/stats`, { token: who.token })
      expect(res.status, who.role).toBe(200)
      expect(res.body.period.interval).toBe('day')
    }
  })

  it('checks who is asking before the parameters (anonymous with bad parameters: 401)', async () => {
    expect((await rest(`${ctx.api}/members/stats?from=nonsense`)).status).toBe(401)
    expect((await rest(`${ctx.api}/vouchers/stats?limit=0`, { token: staff.editor.token })).status).toBe(403)
  })
})

describe('bad parameters: 400 VALIDATION_ERROR', () => {
  const cases: Array<[string, RegExp]> = [
    ['from=yesterday', /`from` is not a valid date/],
    ['from=2024-02-30', /`from` is not a valid date/],
    ['to=2024-01-01T25:00:00Z', /`to` is not a valid date/],
    ['from=2024-02-02&to=2024-02-01', /`from` must not be after `to`/],
    ['interval=hour', /`interval` must be one of day, week, month/],
    ['from=2020-01-01&to=2022-01-01', /732 day buckets; at most 400.*interval=week/],
    ['from=1900-01-01&to=2024-01-01&interval=week', /at most 400/],
    ['from=2024-01-01&from=2024-01-02', /`from` must be given once/],
    ['to[gt]=2024-01-01', /`to` must be given once/],
  ]
  it.each(ENDPOINTS)('%s/stats', async (collection) => {
    for (const [query, message] of cases) {
      const res = await rest(`${ctx.api}/${collection}/stats?${query}`, { token: staff.admin.token })
      expect(res.status, query).toBe(400)
      expect(res.body.errors).toHaveLength(1)
      expect(res.body.errors[0].code).toBe('VALIDATION_ERROR')
      expect(res.body.errors[0].message).toMatch(message)
      expect(res.body.period).toBeUndefined()
    }
  })

  it('vouchers/stats: limit must be 1..1000', async () => {
    for (const limit of ['0', '1001', 'all', '-3']) {
      const res = await rest(`${ctx.api}/vouchers/stats?limit=${limit}`, { token: staff.admin.token })
      expect(res.status, limit).toBe(400)
      expect(res.body.errors[0]).toMatchObject({ code: 'VALIDATION_ERROR', message: '`limit` must be a whole number from 1 to 1000.' })
    }
  })

  it('a bad request changes nothing (the settings and the data stay as they were)', async () => {
    const before = await stats('point-transactions')
    await rest(`${ctx.api}/point-transactions/stats?interval=year`, { token: staff.admin.token })
    const after = await stats('point-transactions')
    expect(after.liability.outstanding).toBe(before.liability.outstanding)
    expect(after.totals.transactions).toBe(before.totals.transactions)
  })
})

describe('periods', () => {
  it('defaults to the last 30 days up to now, by day, zeros included', async () => {
    const started = Date.now()
    const body = await stats('point-transactions')
    expect(body.period).toMatchObject({ interval: 'day', buckets: 30 })
    expect(body.series).toHaveLength(30)
    expect(new Date(body.period.to).getTime()).toBeGreaterThanOrEqual(started)
    expect(new Date(body.period.to).getTime()).toBeLessThanOrEqual(Date.now() + 1)
    for (const b of body.series) expect(Object.values(b).every((v) => v !== null)).toBe(true)
  })

  it('returns one bucket per day, week or month with every key, in order', async () => {
    for (const [query, dates] of [
      ['from=2003-02-03&to=2003-02-09', ['2003-02-03', '2003-02-04', '2003-02-05', '2003-02-06', '2003-02-07', '2003-02-08', '2003-02-09']],
      ['from=2003-02-05&to=2003-02-17&interval=week', ['2003-02-03', '2003-02-10', '2003-02-17']],
      ['from=2003-01-31&to=2003-03-01&interval=month', ['2003-01-01', '2003-02-01', '2003-03-01']],
    ] as const) {
      for (const collection of ['members', 'point-transactions', 'redemptions'] as const) {
        const body = await stats(collection, query)
        expect(body.series.map((b: any) => b.date), `${collection} ${query}`).toEqual(dates)
        expect(body.period.buckets).toBe(dates.length)
        expect(body.series[0].start).toBe(`${dates[0]}T00:00:00.000Z`)
      }
    }
  })
})

describe('GET /api/members/stats', () => {
  it('has this shape', async () => {
    const body = await stats('members')
    expect(Object.keys(body).sort()).toEqual(['byStatus', 'byTier', 'period', 'series', 'totals'])
    expect(Object.keys(body.period).sort()).toEqual(['buckets', 'from', 'interval', 'timeZone', 'to'])
    expect(Object.keys(body.totals).sort()).toEqual(['members', 'newMembers'])
    expect(Object.keys(body.byStatus).sort()).toEqual(['active', 'blocked', 'inactive', 'pending_verification'])
    expect(body.byTier.length).toBeGreaterThan(0)
    for (const t of body.byTier) expect(Object.keys(t).sort()).toEqual(['count', 'tier'])
    expect(Object.keys(body.series[0]).sort()).toEqual(['date', 'newMembers', 'start'])
  })

  it('counts members by status and tier, and new members per bucket', async () => {
    const window = 'from=2003-02-03&to=2003-02-16'
    const nowBefore = await stats('members')
    const winBefore = await stats('members', window)
    const weekBefore = await stats('members', `${window}&interval=week`)

    const a = await newMember()
    const b = await newMember({ status: 'inactive' })
    await newMember({ status: 'blocked' }) // joins today
    await exec(sql`update members set join_date = '2003-02-04T10:00:00Z' where id = ${a.id}`)
    await exec(sql`update members set join_date = '2003-02-10T23:30:00Z' where id = ${b.id}`)
    // Just outside the window on both sides.
    const d = await newMember()
    const e = await newMember()
    await exec(sql`update members set join_date = '2003-02-02T23:59:59.999Z' where id = ${d.id}`)
    await exec(sql`update members set join_date = '2003-02-17T00:00:00Z' where id = ${e.id}`)

    const nowAfter = await stats('members')
    expect(nowAfter.totals.members - nowBefore.totals.members).toBe(5)
    expect(nowAfter.byStatus.active - nowBefore.byStatus.active).toBe(3)
    expect(nowAfter.byStatus.inactive - nowBefore.byStatus.inactive).toBe(1)
    expect(nowAfter.byStatus.blocked - nowBefore.byStatus.blocked).toBe(1)
    expect(nowAfter.byStatus.pending_verification).toBe(nowBefore.byStatus.pending_verification)
    // All five have the same 100 signup points, so the same tier.
    const [{ tier }] = (await (await dbFor(ctx.payload)).execute(sql`select tier from members where id = ${a.id}`)).rows as Array<{ tier: string | null }>
    const inTier = (s: any) => s.byTier.find((t: any) => t.tier === tier)?.count ?? 0
    expect(inTier(nowAfter) - inTier(nowBefore)).toBe(5)
    expect(nowAfter.byTier.reduce((n: number, t: any) => n + t.count, 0)).toBe(nowAfter.totals.members)
    // Only the blocked one still joined today.
    expect(nowAfter.totals.newMembers - nowBefore.totals.newMembers).toBe(1)
    expect(seriesDelta(nowAfter.series, nowBefore.series, 'newMembers')).toEqual({ [nowAfter.series.at(-1).date]: 1 })

    const winAfter = await stats('members', window)
    expect(winAfter.totals.newMembers - winBefore.totals.newMembers).toBe(2)
    expect(seriesDelta(winAfter.series, winBefore.series, 'newMembers')).toEqual({ '2003-02-04': 1, '2003-02-10': 1 })
    const weekAfter = await stats('members', `${window}&interval=week`)
    expect(seriesDelta(weekAfter.series, weekBefore.series, 'newMembers')).toEqual({ '2003-02-03': 1, '2003-02-10': 1 })
  })

  it('cuts buckets in the time zone of the settings', async () => {
    const original = ((await ctx.payload.findGlobal({ slug: 'settings' })) as { timezone: string }).timezone
    const m = await newMember()
    // 23:30 UTC on 20 February 2003 is 08:30 on 21 February in Tokyo.
    await exec(sql`update members set join_date = '2003-02-20T23:30:00Z' where id = ${m.id}`)
    try {
      const utc = await stats('members', 'from=2003-02-20&to=2003-02-21')
      await ctx.payload.updateGlobal({ slug: 'settings', data: { timezone: 'Asia/Tokyo' } as never })
      const tokyo = await stats('members', 'from=2003-02-20&to=2003-02-21')
      expect(utc.period.timeZone).toBe('UTC')
      expect(tokyo.period).toMatchObject({ timeZone: 'Asia/Tokyo', from: '2003-02-19T15:00:00.000Z', to: '2003-02-21T15:00:00.000Z' })
      expect(tokyo.series.map((s: any) => [s.date, s.start])).toEqual([
        ['2003-02-20', '2003-02-19T15:00:00.000Z'],
        ['2003-02-21', '2003-02-20T15:00:00.000Z'],
      ])
      expect(utc.series.find((s: any) => s.date === '2003-02-20').newMembers).toBeGreaterThanOrEqual(1)
      const tokyo21 = tokyo.series.find((s: any) => s.date === '2003-02-21').newMembers
      const utc21 = utc.series.find((s: any) => s.date === '2003-02-21').newMembers
      // The member moved from the UTC 20th to the Tokyo 21st.
      expect(tokyo21 - utc21).toBe(1)
      // A wall-clock time without an offset is read in the settings' zone, too.
      const dt = await stats('members', 'from=2003-02-21T08:00&to=2003-02-21T09:00')
      expect(dt.period.from).toBe('2003-02-20T23:00:00.000Z')
      expect(dt.totals.newMembers).toBeGreaterThanOrEqual(1)
      const before = await stats('members', 'from=2003-02-21T08:31&to=2003-02-21T09:00')
      expect(dt.totals.newMembers - before.totals.newMembers).toBe(1)
    } finally {
      await ctx.payload.updateGlobal({ slug: 'settings', data: { timezone: original } as never })
    }
    expect((await stats('members')).period.timeZone).toBe(original)
  })
})

describe('GET /api/point-transactions/stats', () => {
  it('has this shape', async () => {
    const body = await stats('point-transactions')
    expect(Object.keys(body).sort()).toEqual(['byType', 'liability', 'period', 'series', 'totals'])
    expect(Object.keys(body.totals).sort()).toEqual(['adjusted', 'earned', 'expired', 'net', 'redeemed', 'refunded', 'transactions'])
    expect(Object.keys(body.byType).sort()).toEqual(['adjust', 'bonus', 'earn', 'expire', 'redeem', 'refund'])
    expect(Object.keys(body.byType.earn).sort()).toEqual(['count', 'points'])
    expect(Object.keys(body.liability).sort()).toEqual(['atEnd', 'atStart', 'outstanding'])
    expect(Object.keys(body.series[0]).sort()).toEqual(
      ['adjusted', 'date', 'earned', 'expired', 'liability', 'net', 'redeemed', 'refunded', 'start', 'transactions'],
    )
  })

  it('sums earned, redeemed, expired, refunded and adjusted points per bucket, and the liability', async () => {
    const window = 'from=2003-03-03&to=2003-03-09'
    const winBefore = await stats('point-transactions', window)
    const monthBefore = await stats('point-transactions', 'from=2003-01-01&to=2003-12-31&interval=month')
    const nowBefore = await stats('point-transactions')

    const m = await newMember() // +100 signup bonus, now
    await post(m.id, 'earn', 11, '2003-03-02T23:59:59.999Z') // just before the window
    await post(m.id, 'earn', 500, '2003-03-03T00:00:00.000Z')
    await post(m.id, 'bonus', 50, '2003-03-04T12:00:00Z')
    await post(m.id, 'redeem', -200, '2003-03-05T08:00:00Z')
    await post(m.id, 'expire', -30, '2003-03-06T08:00:00Z')
    await post(m.id, 'refund', 20, '2003-03-06T09:00:00Z')
    await post(m.id, 'adjust', -15, '2003-03-07T09:00:00Z')
    await post(m.id, 'adjust', 5, '2003-03-07T10:00:00Z')
    await post(m.id, 'earn', 7, '2003-03-09T23:59:59.999Z') // the last millisecond of the window
    await post(m.id, 'earn', 1000, '2003-03-10T00:00:00Z') // just after

    const win = await stats('point-transactions', window)
    const delta = (k: string) => win.totals[k] - winBefore.totals[k]
    expect(delta('earned')).toBe(557)
    expect(delta('redeemed')).toBe(200)
    expect(delta('expired')).toBe(30)
    expect(delta('refunded')).toBe(20)
    expect(delta('adjusted')).toBe(-10)
    expect(delta('net')).toBe(337)
    expect(delta('transactions')).toBe(8)
    const typeDelta = (t: string) => ({
      count: win.byType[t].count - winBefore.byType[t].count,
      points: win.byType[t].points - winBefore.byType[t].points,
    })
    expect(typeDelta('earn')).toEqual({ count: 2, points: 507 })
    expect(typeDelta('bonus')).toEqual({ count: 1, points: 50 })
    expect(typeDelta('redeem')).toEqual({ count: 1, points: -200 })
    expect(typeDelta('expire')).toEqual({ count: 1, points: -30 })
    expect(typeDelta('refund')).toEqual({ count: 1, points: 20 })
    expect(typeDelta('adjust')).toEqual({ count: 2, points: -10 })

    expect(seriesDelta(win.series, winBefore.series, 'earned')).toEqual({ '2003-03-03': 500, '2003-03-04': 50, '2003-03-09': 7 })
    expect(seriesDelta(win.series, winBefore.series, 'redeemed')).toEqual({ '2003-03-05': 200 })
    expect(seriesDelta(win.series, winBefore.series, 'expired')).toEqual({ '2003-03-06': 30 })
    expect(seriesDelta(win.series, winBefore.series, 'refunded')).toEqual({ '2003-03-06': 20 })
    expect(seriesDelta(win.series, winBefore.series, 'adjusted')).toEqual({ '2003-03-07': -10 })
    expect(seriesDelta(win.series, winBefore.series, 'transactions')).toEqual({
      '2003-03-03': 1, '2003-03-04': 1, '2003-03-05': 1, '2003-03-06': 2, '2003-03-07': 2, '2003-03-09': 1,
    })

    // Liability: the ledger's running total at the start, after every bucket and at the end.
    expect(win.liability.atStart - winBefore.liability.atStart).toBe(11)
    expect(win.liability.atEnd - winBefore.liability.atEnd).toBe(11 + 337)
    let running = win.liability.atStart
    for (const b of win.series) {
      running += b.net
      expect(b.liability).toBe(running)
    }
    expect(running).toBe(win.liability.atEnd)
    expect(seriesDelta(win.series, winBefore.series, 'liability')).toEqual({
      '2003-03-03': 511, '2003-03-04': 561, '2003-03-05': 361, '2003-03-06': 351, '2003-03-07': 341, '2003-03-08': 341, '2003-03-09': 348,
    })
    // Points owed now: every member's balance, this member's 100 + 1548 included.
    const nowAfter = await stats('point-transactions')
    expect(nowAfter.liability.outstanding - nowBefore.liability.outstanding).toBe(100 + 11 + 337 + 1000)
    const [row] = (await (await dbFor(ctx.payload)).execute(sql`select points_balance from members where id = ${m.id}`)).rows as Array<{ points_balance: string }>
    expect(Number(row.points_balance)).toBe(1448)
    // Today's bucket has the signup bonus.
    expect(seriesDelta(nowAfter.series, nowBefore.series, 'earned')).toEqual({ [nowAfter.series.at(-1).date]: 100 })

    const month = await stats('point-transactions', 'from=2003-01-01&to=2003-12-31&interval=month')
    expect(month.series).toHaveLength(12)
    expect(seriesDelta(month.series, monthBefore.series, 'net')).toEqual({ '2003-03-01': 11 + 337 + 1000 })
    expect(seriesDelta(month.series, monthBefore.series, 'earned')).toEqual({ '2003-03-01': 1568 })
  })
})

describe('GET /api/vouchers/stats', () => {
  it('has this shape', async () => {
    await newVoucher()
    const body = await stats('vouchers')
    expect(Object.keys(body).sort()).toEqual(['limit', 'period', 'totals', 'vouchers'])
    expect(Object.keys(body.totals).sort()).toEqual(['active', 'available', 'inactive', 'outOfStock', 'pointsRedeemed', 'redemptions', 'stock', 'vouchers'])
    expect(Object.keys(body.vouchers[0]).sort()).toEqual(['byStatus', 'code', 'id', 'name', 'pointsCost', 'pointsRedeemed', 'redemptions', 'status', 'stock'])
    expect(Object.keys(body.vouchers[0].byStatus).sort()).toEqual(['cancelled', 'expired', 'pending', 'used'])
    expect(body.limit).toBe(100)
  })

  it('reports stock and redemptions per voucher', async () => {
    const before = await stats('vouchers', 'limit=1000')
    const v1 = await newVoucher({ stock: 5, pointsCost: 20 })
    const v2 = await newVoucher({ stock: 4, status: 'inactive' })
    const v3 = await newVoucher({ stock: 0 })
    const m = await newMember() // 100 points
    const redeem = () => redeemVoucher(ctx.payload, { memberId: m.id, voucher: v1.id, requestHash: 'x' })
    const r1 = await redeem()
    const r2 = await redeem()
    await redeem()
    await useRedemption(ctx.payload, r1.redemption.id)
    await cancelRedemption(ctx.payload, r2.redemption.id, { kind: 'staff', id: staff.admin.id })
    // A redemption of v1 long ago does not count in the default period.
    const old = await redeem()
    await exec(sql`update redemptions set redeemed_at = '2003-05-05T10:00:00Z' where id = ${old.redemption.id}`)

    const after = await stats('vouchers', 'limit=1000')
    const t = (k: string) => after.totals[k] - before.totals[k]
    expect(t('vouchers')).toBe(3)
    expect(t('active')).toBe(2)
    expect(t('inactive')).toBe(1)
    expect(t('available')).toBe(1)
    expect(t('outOfStock')).toBe(1)
    expect(t('stock')).toBe(2 + 4 + 0) // v1: 5 - 4 redeemed + 1 cancelled
    expect(t('redemptions')).toBe(3)
    expect(t('pointsRedeemed')).toBe(40) // the cancelled one gave its 20 back

    const row = (id: number) => after.vouchers.find((v: any) => v.id === id)
    expect(row(v1.id)).toEqual({
      id: v1.id,
      code: v1.code,
      name: 'Stats voucher',
      status: 'active',
      stock: 2,
      pointsCost: 20,
      redemptions: 3,
      byStatus: { pending: 1, used: 1, expired: 0, cancelled: 1 },
      pointsRedeemed: 40,
    })
    expect(row(v2.id)).toMatchObject({ status: 'inactive', stock: 4, redemptions: 0, pointsRedeemed: 0 })
    expect(row(v3.id)).toMatchObject({ status: 'active', stock: 0, redemptions: 0 })

    const past = await stats('vouchers', 'from=2003-05-01&to=2003-05-31&limit=1000')
    expect(past.vouchers.find((v: any) => v.id === v1.id)).toMatchObject({ redemptions: 1, byStatus: { pending: 1, used: 0, expired: 0, cancelled: 0 }, pointsRedeemed: 20 })

    // Most redeemed first; limit cuts the list but not the totals.
    const counts = after.vouchers.map((v: any) => v.redemptions)
    expect(counts).toEqual([...counts].sort((x: number, y: number) => y - x))
    const one = await stats('vouchers', 'limit=1')
    expect(one.limit).toBe(1)
    expect(one.vouchers).toHaveLength(1)
    expect(one.vouchers[0].redemptions).toBe(Math.max(...counts))
    expect(one.totals).toEqual(after.totals)
  })
})

describe('GET /api/redemptions/stats', () => {
  it('has this shape', async () => {
    const body = await stats('redemptions')
    expect(Object.keys(body).sort()).toEqual(['pending', 'period', 'series', 'totals'])
    expect(Object.keys(body.totals).sort()).toEqual(['byStatus', 'pointsRedeemed', 'redemptions'])
    expect(Object.keys(body.totals.byStatus).sort()).toEqual(['cancelled', 'expired', 'pending', 'used'])
    expect(Object.keys(body.pending).sort()).toEqual(['count', 'points'])
    expect(Object.keys(body.series[0]).sort()).toEqual(['cancelled', 'date', 'expired', 'pointsRedeemed', 'redeemed', 'start', 'used'])
  })

  it('counts redemptions by status and the redeemed, used, cancelled and expired per bucket', async () => {
    const window = 'from=2003-04-07&to=2003-04-13'
    const winBefore = await stats('redemptions', window)
    const nowBefore = await stats('redemptions')

    const v = await newVoucher({ pointsCost: 15 })
    const m = await newMember() // 100 points
    const redeem = async () => (await redeemVoucher(ctx.payload, { memberId: m.id, voucher: v.id, requestHash: 'x' })).redemption.id
    const r1 = await redeem()
    const r2 = await redeem()
    const r3 = await redeem()
    const r4 = await redeem()
    const r5 = await redeem()
    await useRedemption(ctx.payload, r2)
    await cancelRedemption(ctx.payload, r3, { kind: 'member', id: m.id })

    const nowAfter = await stats('redemptions')
    expect(nowAfter.totals.redemptions - nowBefore.totals.redemptions).toBe(5)
    expect(nowAfter.totals.pointsRedeemed - nowBefore.totals.pointsRedeemed).toBe(60)
    expect(nowAfter.pending.count - nowBefore.pending.count).toBe(3)
    expect(nowAfter.pending.points - nowBefore.pending.points).toBe(45)
    const today = nowAfter.series.at(-1).date
    expect(seriesDelta(nowAfter.series, nowBefore.series, 'redeemed')).toEqual({ [today]: 5 })
    expect(seriesDelta(nowAfter.series, nowBefore.series, 'used')).toEqual({ [today]: 1 })
    expect(seriesDelta(nowAfter.series, nowBefore.series, 'cancelled')).toEqual({ [today]: 1 })

    // Move them into the window: r5 just before it; r4 expired.
    await exec(sql`update redemptions set redeemed_at = '2003-04-07T10:00:00Z' where id = ${r1}`)
    await exec(sql`update redemptions set redeemed_at = '2003-04-07T11:00:00Z', used_at = '2003-04-08T09:00:00Z' where id = ${r2}`)
    await exec(sql`update redemptions set redeemed_at = '2003-04-09T09:00:00Z', cancelled_at = '2003-04-10T09:00:00Z' where id = ${r3}`)
    await exec(sql`update redemptions set redeemed_at = '2003-04-09T10:00:00Z', expires_at = '2003-04-11T10:00:00Z', status = 'expired' where id = ${r4}`)
    await exec(sql`update redemptions set redeemed_at = '2003-04-06T23:59:59.999Z' where id = ${r5}`)

    const win = await stats('redemptions', window)
    expect(win.totals.redemptions - winBefore.totals.redemptions).toBe(4)
    expect(win.totals.pointsRedeemed - winBefore.totals.pointsRedeemed).toBe(45) // r1, r2, r4
    const st = (k: string) => win.totals.byStatus[k] - winBefore.totals.byStatus[k]
    expect([st('pending'), st('used'), st('cancelled'), st('expired')]).toEqual([1, 1, 1, 1])
    expect(seriesDelta(win.series, winBefore.series, 'redeemed')).toEqual({ '2003-04-07': 2, '2003-04-09': 2 })
    expect(seriesDelta(win.series, winBefore.series, 'used')).toEqual({ '2003-04-08': 1 })
    expect(seriesDelta(win.series, winBefore.series, 'cancelled')).toEqual({ '2003-04-10': 1 })
    expect(seriesDelta(win.series, winBefore.series, 'expired')).toEqual({ '2003-04-11': 1 })
    expect(seriesDelta(win.series, winBefore.series, 'pointsRedeemed')).toEqual({ '2003-04-07': 30, '2003-04-09': 15 })
    expect(win.series.reduce((n: number, b: any) => n + b.redeemed, 0)).toBe(win.totals.redemptions)
    expect(win.series.reduce((n: number, b: any) => n + b.pointsRedeemed, 0)).toBe(win.totals.pointsRedeemed)

    // Still pending now: r1 and r5 (r4 expired).
    const later = await stats('redemptions')
    expect(later.pending.count - nowBefore.pending.count).toBe(2)
    expect(later.pending.points - nowBefore.pending.points).toBe(30)
  })
})
