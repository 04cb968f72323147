import type { Payload } from 'payload'
import { tierFor, tierMeasure, tierRank } from '../../domain/loyalty'
import { type Db, allowComputedWrites, inTransaction, rows, sql } from '../../lib/db/sql'
import { memberFilter, type LoyaltyJobOptions } from './expiry'
import { loadRules } from './rules'

export type RecalculateTiersSummary = {
  /** Members looked at. */
  membersChecked: number
  /** Members whose tier this run changed. */
  tiersChanged: number
  /** Members moved up / down a tier (by threshold order); a tier unknown to the rules ranks lowest. */
  upgraded: number
  downgraded: number
}

type MemberMeasure = { id: number; tier: string | null; lifetime_points: string; lifetime_spend: string; rolling: string }

/**
 * Nightly tier recalculation: every member's tier from the current rules
 * (thresholds may have changed, and a rolling 12-month spend slides with time).
 *
 * One set-based query per page of members computes each member's measure
 * (lifetime points, or spend recorded in the ledger over the last 365 days),
 * the tier is decided in TypeScript by the pure `tierFor`, and only members
 * whose tier changed are written, in one batched UPDATE per page. That UPDATE
 * applies only where lifetime points and spend are still what was read: a
 * member who got a ledger entry in between already has the tier the ledger
 * computed, and is left alone. Running it again changes nothing.
 */
export async function recalculateTiers(payload: Payload, options: LoyaltyJobOptions = {}): Promise<RecalculateTiersSummary> {
  const now = options.now ?? new Date()
  const rules = await loadRules(payload)
  const db = (payload.db as unknown as { drizzle: Db }).drizzle
  const pageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 10_000))
  const summary: RecalculateTiersSummary = { membersChecked: 0, tiersChanged: 0, upgraded: 0, downgraded: 0 }
  const rolling =
    rules.tierBasis === 'rolling_spend'
      ? sql`(select coalesce(sum(t.spend_amount), 0) from point_transactions t
             where t.member_id = m.id and t.created_at > ${now.toISOString()}::timestamptz - interval '365 days')`
      : sql`0`
  let after = 0
  for (;;) {
    const members = await rows<MemberMeasure>(
      db,
      sql`select m.id, m.tier, m.lifetime_points, m.lifetime_spend, ${rolling} as rolling
          from members m
          where m.id > ${after} and ${memberFilter(sql.raw('m.id'), options.memberIds)}
          order by m.id
          limit ${pageSize}`,
    )
    summary.membersChecked += members.length
    const changes: Array<{ id: number; tier: string | null; from: string | null; lifetime_points: string; lifetime_spend: string }> = []
    for (const m of members) {
      const tier = tierFor(tierMeasure(rules.tierBasis, { lifetimePoints: Number(m.lifetime_points), rollingSpend: Number(m.rolling) }), rules.tiers)
      if (tier !== m.tier) changes.push({ id: m.id, tier, from: m.tier, lifetime_points: m.lifetime_points, lifetime_spend: m.lifetime_spend })
    }
    if (changes.length > 0) {
      const updated = await inTransaction(payload, undefined, (tx) =>
        allowComputedWrites(tx, () =>
          rows<{ id: number }>(
            tx,
          sql`update members m set tier = v.tier, updated_at = now()
              from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb)
                as v(id int, tier text, lifetime_points numeric, lifetime_spend numeric)
              where m.id = v.id and m.tier is distinct from v.tier
                and m.lifetime_points = v.lifetime_points and m.lifetime_spend = v.lifetime_spend
              returning m.id`,
          ),
        ),
      )
      const done = new Set(updated.map((u) => u.id))
      for (const c of changes) {
        if (!done.has(c.id)) continue
        summary.tiersChanged++
        const from = tierRank(c.from, rules.tiers)
        const to = tierRank(c.tier, rules.tiers)
        if (to > from) summary.upgraded++
        else if (to < from) summary.downgraded++
      }
    }
    if (members.length < pageSize) break
    after = members[members.length - 1].id
  }
  return summary
}
