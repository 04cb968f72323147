import type { Payload } from 'payload'
import { randomCode } from '../../domain/codes'
import { checkRedemption, redemptionExpiry, REFUSAL_MESSAGES } from '../../domain/redemption'
import { envInt } from '../../lib/env'
import { conflict, notFound, PatronError } from '../../lib/errors'
import { KeyedGate } from '../../lib/gate'
import { COMPUTED_WRITES_FOR_TRANSACTION, inTransaction, rows, sql, uniqueViolation, type Db } from '../../lib/db/sql'
import { ledgerEntryStatements, planLedgerEntry, postLedgerEntry, type LedgerEntryInput } from './ledger'
import { loadRules } from './rules'
import { moveVoucherStock, noUnitRefusal, takeUnitStatement } from './voucherStock'

type RedemptionRow = {
  id: number
  redemption_code: string
  member_id: number
  voucher_id: number
  points_used: string
  status: 'pending' | 'used' | 'expired' | 'cancelled'
  redeemed_at: Date
  used_at: Date | null
  expires_at: Date | null
  cancelled_at: Date | null
  request_hash: string | null
  created_at: Date
  updated_at: Date
}

/** The API shape of a redemption (as Payload's REST returns it, depth 0). */
export type Redemption = {
  id: number
  redemptionCode: string
  member: number
  voucher: number
  pointsUsed: number
  status: RedemptionRow['status']
  redeemedAt: string
  usedAt: string | null
  expiresAt: string | null
  cancelledAt: string | null
  createdAt: string
  updatedAt: string
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)
function toRedemption(r: RedemptionRow): Redemption {
  return {
    id: r.id,
    redemptionCode: r.redemption_code,
    member: r.member_id,
    voucher: r.voucher_id,
    pointsUsed: Number(r.points_used),
    status: r.status,
    redeemedAt: iso(r.redeemed_at)!,
    usedAt: iso(r.used_at),
    expiresAt: iso(r.expires_at),
    cancelledAt: iso(r.cancelled_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  }
}

export type RedeemInput = {
  memberId: number
  /** Voucher id, or its code. */
  voucher: number | string
  /** The client's Idempotency-Key, if it sent one. */
  idempotencyKey?: string | null
  /** Hash of the request body, so a reused key with another body is caught. */
  requestHash: string
}

export type RedeemResult = { redemption: Redemption; pointsBalance: number; replayed: boolean }

async function findByKey(db: Db, storedKey: string) {
  const [row] = await rows<RedemptionRow & { balance_after: string | null }>(
    db,
    sql`select r.*, (select t.balance_after from point_transactions t where t.redemption_id = r.id and t.type = 'redeem' limit 1) as balance_after
        from redemptions r where r.idempotency_key = ${storedKey}`,
  )
  return row
}

function replay(row: RedemptionRow & { balance_after: string | null }, requestHash: string): RedeemResult {
  if (row.request_hash !== requestHash) {
    throw conflict('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.')
  }
  return { redemption: toRedemption(row), pointsBalance: Number(row.balance_after), replayed: true }
}

/**
 * Redeems a voucher for a member in one transaction: checks the rules, records
 * the redemption, deducts the points and takes one unit of stock, or changes
 * nothing. The member row is locked first (as in every loyalty write), so one
 * member's redemptions apply one after another: points and the per-member
 * limit cannot be overdrawn. The voucher row, which every redemption of it
 * shares, is not locked while the rules are checked: its unit is taken last,
 * by a conditional update (takeUnitStatement), so stock cannot be oversold and
 * the hot lock lasts only until the commit. A repeated Idempotency-Key
 * returns the original result.
 */
export async function redeemVoucher(payload: Payload, input: RedeemInput): Promise<RedeemResult> {
  // Redemptions of one voucher all end on its row: let a few at a time in (see KeyedGate).
  const voucherKey = `voucher:${String(input.voucher).trim().toUpperCase()}`
  return redemptionGate.run(voucherKey, envInt('REDEEM_CONCURRENCY_PER_VOUCHER', 4), () => redeemNow(payload, input))
}

const redemptionGate = new KeyedGate()

async function redeemNow(payload: Payload, input: RedeemInput): Promise<RedeemResult> {
  const rules = await loadRules(payload)
  // Keys are per member: one member's key can neither collide with nor reveal another's.
  const storedKey = input.idempotencyKey ? `${input.memberId}:${input.idempotencyKey}` : null
  try {
    return await inTransaction(payload, undefined, async (db) => {
      const byId = typeof input.voucher === 'number' || /^\d+$/.test(String(input.voucher))
      const voucherMatch = byId ? sql`v.id = ${Number(input.voucher)}` : sql`v.code = ${String(input.voucher).trim().toUpperCase()}`
      // One round trip: lock the member, read the voucher with the member's count of it,
      // and flag the transaction as a computed-field writer (all it writes is this service's).
      const [found] = await rows<{
        id: number
        status: string
        tier: string | null
        points_balance: string
        lifetime_points: string
        voucher_id: number | null
        code: string
        voucher_status: string
        points_cost: string
        stock: string
        per_member_limit: string | null
        min_tier: string | null
        valid_from: Date | null
        valid_to: Date | null
        mine: number
      }>(
        db,
        sql`select m.id, m.status, m.tier, m.points_balance, m.lifetime_points,
              v.id as voucher_id, v.code, v.status as voucher_status, v.points_cost, v.stock, v.per_member_limit, v.min_tier, v.valid_from, v.valid_to,
              (select count(*)::int from redemptions r
                where r.member_id = m.id and r.voucher_id = v.id and r.status <> 'cancelled') as mine,
              ${COMPUTED_WRITES_FOR_TRANSACTION} as computed_writes
            from members m left join vouchers v on ${voucherMatch}
            where m.id = ${input.memberId}
            for update of m`,
      )
      if (!found) throw notFound('Member not found.')
      if (storedKey) {
        const existing = await findByKey(db, storedKey)
        if (existing) return replay(existing, input.requestHash)
      }
      const voucherId = found.voucher_id
      if (voucherId === null) throw notFound('Voucher not found.')
      const now = new Date()
      const refusal = checkRedemption({
        now,
        member: { status: found.status, tier: found.tier, pointsBalance: Number(found.points_balance) },
        voucher: {
          status: found.voucher_status,
          pointsCost: Number(found.points_cost),
          stock: Number(found.stock),
          perMemberLimit: found.per_member_limit === null ? null : Number(found.per_member_limit),
          minTier: found.min_tier,
          // The driver may hand timestamps back as strings: compare Dates, not text.
          validFrom: found.valid_from ? new Date(found.valid_from) : null,
          validTo: found.valid_to ? new Date(found.valid_to) : null,
        },
        memberRedemptionsOfVoucher: found.mine,
        tiers: rules.tiers,
      })
      if (refusal === 'MEMBER_INACTIVE') throw new PatronError(refusal, REFUSAL_MESSAGES[refusal], 403)
      if (refusal) throw conflict(refusal, REFUSAL_MESSAGES[refusal])

      const cost = Number(found.points_cost)
      const entry: LedgerEntryInput = {
        memberId: found.id,
        type: 'redeem',
        points: -cost,
        reason: `Redeemed voucher ${found.code}`,
        lockedMember: { pointsBalance: Number(found.points_balance), lifetimePoints: Number(found.lifetime_points) },
      }
      const plan = await planLedgerEntry(db, rules, entry)
      const ledger = ledgerEntryStatements(entry, plan, { redemptionId: sql`(select id from r)`, idempotencyKey: sql`'redeem:' || (select id from r)` })
      // One statement for every write: the redemption, the member's numbers, the ledger
      // entry, and the voucher's unit (its row lock is held from here to the commit only).
      const [row] = await rows<RedemptionRow & { stock_after: string | null }>(
        db,
        sql`with r as (
              insert into redemptions (redemption_code, member_id, voucher_id, points_used, status, redeemed_at, expires_at, idempotency_key, request_hash)
              values (${randomCode('RD')}, ${found.id}, ${voucherId}, ${cost}, 'pending', ${now.toISOString()},
                ${redemptionExpiry(now, rules.redemptionValidityDays)?.toISOString() ?? null}, ${storedKey}, ${input.requestHash})
              returning *),
            m as (${ledger.member}),
            e as (${ledger.entry}),
            v as (${takeUnitStatement(voucherId)})
            select r.*, (select stock from v) as stock_after from r`,
      )
      if (row.stock_after === null) throw await noUnitRefusal(db, voucherId)
      return { redemption: toRedemption(row), pointsBalance: plan.balanceAfter, replayed: false }
    })
  } catch (err) {
    // Belt and braces: if two requests with one key ever both got past the lookup, the unique key stops the second.
    if (storedKey && uniqueViolation(err)) {
      const existing = await findByKey((payload.db as unknown as { drizzle: Db }).drizzle, storedKey)
      if (existing) return replay(existing, input.requestHash)
    }
    throw err
  }
}

export type LoyaltyActor = { kind: 'staff'; id: number } | { kind: 'member'; id: number }

/** Marks a pending, unexpired redemption used (at the till, or by an integration). */
export async function useRedemption(payload: Payload, id: number): Promise<Redemption> {
  return inTransaction(payload, undefined, async (db) => {
    const [r] = await rows<RedemptionRow>(db, sql`select * from redemptions where id = ${id} for update`)
    if (!r) throw notFound('Redemption not found.')
    if (r.status !== 'pending') throw conflict('INVALID_TRANSITION', `A ${r.status} redemption cannot be used.`, { from: r.status, to: 'used' })
    if (r.expires_at && new Date(r.expires_at).getTime() <= Date.now()) {
      throw conflict('INVALID_TRANSITION', 'This redemption has expired.', { from: 'pending', to: 'used' })
    }
    const [u] = await rows<RedemptionRow>(
      db,
      sql`update redemptions set status = 'used', used_at = now(), updated_at = now() where id = ${id} returning *`,
    )
    return toRedemption(u)
  })
}

/**
 * Cancels a pending redemption: gives the points back and returns the unit of
 * stock, once. Members may cancel only their own (others' look like not found).
 */
export async function cancelRedemption(payload: Payload, id: number, actor: LoyaltyActor): Promise<RedeemResult> {
  const rules = await loadRules(payload)
  return inTransaction(payload, undefined, async (db) => {
    const [peek] = await rows<{ member_id: number }>(db, sql`select member_id from redemptions where id = ${id}`)
    if (!peek || (actor.kind === 'member' && peek.member_id !== actor.id)) throw notFound('Redemption not found.')
    // Lock order as in redeem: member, then redemption, then voucher.
    await db.execute(sql`select id from members where id = ${peek.member_id} for update`)
    const [r] = await rows<RedemptionRow>(db, sql`select * from redemptions where id = ${id} for update`)
    if (r.status !== 'pending') {
      throw conflict('INVALID_TRANSITION', `A ${r.status} redemption cannot be cancelled.`, { from: r.status, to: 'cancelled' })
    }
    const [u] = await rows<RedemptionRow>(
      db,
      sql`update redemptions set status = 'cancelled', cancelled_at = now(), updated_at = now() where id = ${id} returning *`,
    )
    await moveVoucherStock(db, r.voucher_id, 1)
    if (Number(r.points_used) === 0) {
      // Imported history can hold free redemptions: nothing to give back.
      const [m] = await rows<{ points_balance: string }>(db, sql`select points_balance from members where id = ${r.member_id}`)
      return { redemption: toRedemption(u), pointsBalance: Number(m.points_balance), replayed: false }
    }
    const entry = await postLedgerEntry(db, rules, {
      memberId: r.member_id,
      type: 'refund',
      points: Number(r.points_used),
      reason: `Redemption ${r.redemption_code} cancelled`,
      redemptionId: r.id,
      idempotencyKey: `cancel:${r.id}`,
      createdBy: actor.kind === 'staff' ? actor.id : null,
    })
    return { redemption: toRedemption(u), pointsBalance: entry.balanceAfter, replayed: false }
  })
}
