import type pg from 'pg'

/**
 * Invariants checked with SQL after the write scenarios (SPEC §5): every
 * count is a number of violations and must be 0.
 */
export type InvariantCheck = { name: string; violations: number; detail?: string }

export type RedeemBaseline = { voucherId: number; stock: number; maxRedemptionId: number; maxLedgerId: number; memberIds: number[] }

export async function redeemBaseline(pool: pg.Pool, voucherId: number, memberIds: number[]): Promise<RedeemBaseline> {
  const { rows } = await pool.query(
    `select (select stock from vouchers where id = $1) as stock,
       (select coalesce(max(id), 0) from redemptions) as r, (select coalesce(max(id), 0) from point_transactions) as l`,
    [voucherId],
  )
  return { voucherId, stock: Number(rows[0].stock), maxRedemptionId: Number(rows[0].r), maxLedgerId: Number(rows[0].l), memberIds }
}

/**
 * What the load generator saw of a write scenario: 2xx answers, and requests
 * it sent but stopped waiting for (in flight when the run ended): the server
 * may have carried those out, so rows written must lie in [answered, answered + unanswered].
 */
export type Answers = { ok: number; unanswered: number }

function answersMatch(name: string, rows: number, a: Answers): InvariantCheck {
  const violations = rows < a.ok ? a.ok - rows : rows > a.ok + a.unanswered ? rows - a.ok - a.unanswered : 0
  return { name, violations, detail: `${a.ok} answered 2xx, ${a.unanswered} unanswered when the load stopped, ${rows} rows` }
}

/**
 * Waits until no other session of the database is running a statement or
 * holding a transaction open: requests the load generator stopped waiting for
 * may still be committing, and the checks must see their outcome (at most 30 s).
 */
export async function waitForQuiet(pool: pg.Pool): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const { rows } = await pool.query(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
         and (state in ('active', 'idle in transaction', 'idle in transaction (aborted)'))`,
    )
    if (Number(rows[0].n) === 0) return
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** After redeem: stock + redemptions = initial, one ledger entry per redemption, balances = ledger sums ≥ 0, successes = rows. */
export async function checkRedeem(pool: pg.Pool, b: RedeemBaseline, answers: Answers): Promise<InvariantCheck[]> {
  await waitForQuiet(pool)
  const one = async (sql: string, params: unknown[]) => Number((await pool.query(sql, params)).rows[0].n)
  // Stock and redemptions read in one statement: one snapshot.
  const { rows } = await pool.query(
    `select (select count(*)::int from redemptions where voucher_id = $1 and id > $2) as made, (select stock from vouchers where id = $1) as stock`,
    [b.voucherId, b.maxRedemptionId],
  )
  const made = Number(rows[0].made)
  const stock = Number(rows[0].stock)
  return [
    {
      name: 'voucher stock + redemptions = initial stock',
      violations: Math.abs(b.stock - stock - made),
      detail: `initial ${b.stock}, now ${stock}, redemptions ${made}`,
    },
    { name: 'voucher stock ≥ 0', violations: stock < 0 ? 1 : 0 },
    answersMatch('201 answers = redemptions written', made, answers),
    {
      name: 'each redemption has exactly one redeem ledger entry',
      violations: await one(
        `select count(*)::int as n from redemptions r where r.voucher_id = $1 and r.id > $2
           and (select count(*) from point_transactions t where t.redemption_id = r.id and t.type = 'redeem') <> 1`,
        [b.voucherId, b.maxRedemptionId],
      ),
    },
    {
      name: "member balance = sum of its ledger, ≥ 0, = last entry's balanceAfter",
      violations: await one(
        `select count(*)::int as n from members m where m.id = any($1::int[]) and (
           m.points_balance < 0
           or m.points_balance <> (select coalesce(sum(points), 0) from point_transactions t where t.member_id = m.id)
           or m.points_balance <> coalesce((select balance_after from point_transactions t where t.member_id = m.id order by t.id desc limit 1), 0))`,
        [b.memberIds],
      ),
      detail: `${b.memberIds.length} members checked`,
    },
  ]
}

/** After confirm: stock = sum of movements ≥ 0, no order confirmed twice, one movement per line of each confirmed order, successes = confirmed rows. */
export async function checkConfirm(pool: pg.Pool, productIds: number[], orderIds: number[], answers: Answers): Promise<InvariantCheck[]> {
  await waitForQuiet(pool)
  const one = async (sql: string, params: unknown[]) => Number((await pool.query(sql, params)).rows[0].n)
  const confirmed = await one(`select count(*)::int as n from orders where id = any($1::int[]) and status = 'confirmed'`, [orderIds])
  return [
    {
      name: 'product stock = sum of its movements, ≥ 0',
      violations: await one(
        `select count(*)::int as n from products p where p.id = any($1::int[]) and (
           p.stock_quantity < 0 or p.stock_quantity <> (select coalesce(sum(delta), 0) from stock_movements m where m.product_id = p.id))`,
        [productIds],
      ),
      detail: `${productIds.length} products checked`,
    },
    {
      name: 'no order confirmed twice',
      violations: await one(
        `select count(*)::int as n from (select order_id from order_status_changes where order_id = any($1::int[]) and "to" = 'confirmed'
           group by order_id having count(*) > 1) x`,
        [orderIds],
      ),
    },
    {
      name: 'one stock movement per line of each confirmed order',
      violations: await one(
        `select count(*)::int as n from orders o where o.id = any($1::int[]) and o.status = 'confirmed'
           and (select count(*) from stock_movements m where m.order_ref = o.order_number and m.reason = 'order')
               <> (select count(*) from orders_items i where i._parent_id = o.id)`,
        [orderIds],
      ),
    },
    answersMatch('200 answers = orders confirmed', confirmed, answers),
  ]
}
