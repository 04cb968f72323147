import fs from 'node:fs/promises'
import initSqlJs from 'sql.js'

/**
 * Builds a SQLite file shaped like the legacy Express + SQLite loyalty app's
 * database (tables `members`, `point_transactions`, `vouchers`,
 * `redeem_transactions`), with the awkward cases an import must handle.
 * Every id, e-mail and code carries `prefix`, so several runs can share one
 * Patron database.
 */

export const LEGACY_SCHEMA = `
  create table members (
    id varchar primary key, name text, email text, phone text, address text, join_date text,
    total_points integer default 0, tier_level text, status text, created_at text, updated_at text
  );
  create table point_transactions (
    id integer primary key, member_id varchar, type text, points integer, description text, date text, created_at text
  );
  create table vouchers (
    id integer primary key, code text, name text, description text, discount_type text, discount_value real,
    points_cost integer, stock integer, valid_from text, valid_to text, status text, created_at text, updated_at text
  );
  create table redeem_transactions (
    id integer primary key, member_id varchar, voucher_id integer, points_used integer, status text,
    redeem_date text, used_date text, created_at text, updated_at text
  );
`

type Value = string | number | null

export type LegacyFixture = {
  bytes: Uint8Array
  prefix: string
  /** Legacy member ids by role in the fixture. */
  m: {
    /** Consistent history, one unknown transaction type; total 320. */
    alice: string
    /** total_points 999 but transactions sum to 200 (an expire stored as a positive number). */
    bob: string
    /** A redemption of 250 when only 100 were there: clamped to 100; legacy total 250, Patron 400. */
    carol: string
    /** Invalid e-mail: skipped, with its transaction and redemption. */
    badEmail: string
    /** No e-mail at all: skipped. */
    noEmail: string
    /** Same e-mail (other case) as a member that already exists in Patron: linked; earns 70. */
    linked: string
    /** Same e-mail (other case) as bob, created later: merged into bob; earns 10. */
    bobDuplicate: string
    /** Status 'banned' → blocked; a zero-point transaction (skipped); 40 points. */
    erin: string
    /** Status 'pending', no history. */
    frank: string
  }
  emails: { alice: string; bob: string; carol: string; linked: string; erin: string; frank: string }
  /** Legacy voucher ids. */
  v: { percent: number; fixed: number; zeroCost: number; amount: number }
  codes: { percent: string; fixed: string; zeroCost: string; amount: string }
  /** Legacy redemption ids. */
  r: { pending: number; used: number; expired: number; cancelled: number; redeemed: number; skippedVoucher: number; skippedMember: number }
  /** Legacy transaction ids worth naming. */
  t: { carolOverdraft: number; erinZero: number; orphan: number; aliceUnknownType: number }
}

/**
 * A legacy database built with sql.js. `existingEmail` is the e-mail of a member
 * that already exists in Patron (the legacy row uses it in upper case);
 * `file` also writes it to disk.
 */
export async function buildLegacySqlite(opts: { prefix: string; existingEmail: string; file?: string; idBase?: number }): Promise<LegacyFixture> {
  const p = opts.prefix
  const SQL = await initSqlJs()
  const db = new SQL.Database()
  db.exec(LEGACY_SCHEMA)
  const insert = (table: string, row: Record<string, Value>) => {
    const cols = Object.keys(row)
    db.run(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`, cols.map((c) => row[c]))
  }

  const m = {
    alice: `${p}-M1`,
    bob: `${p}-M2`,
    carol: `${p}-M3`,
    badEmail: `${p}-M4`,
    noEmail: `${p}-M5`,
    linked: `${p}-M6`,
    bobDuplicate: `${p}-M7`,
    erin: `${p}-M8`,
    frank: `${p}-M9`,
  }
  const emails = {
    alice: `${p}.alice@legacy.test`,
    bob: `${p}.bob@legacy.test`,
    carol: `${p}.carol@legacy.test`,
    linked: opts.existingEmail,
    erin: `${p}.erin@legacy.test`,
    frank: `${p}.frank@legacy.test`,
  }
  const member = (id: string, name: string, email: string | null, total: number, tier: string | null, status: string | null, created: string) =>
    insert('members', {
      id,
      name,
      email,
      phone: '+1 555 0100',
      address: '1 Legacy Street',
      join_date: created.slice(0, 10),
      total_points: total,
      tier_level: tier,
      status,
      created_at: created,
      updated_at: created,
    })
  member(m.alice, 'Alice Legacy', ` ${emails.alice.toUpperCase()} `, 320, 'Bronze', 'active', '2022-01-01 10:00:00')
  member(m.bob, 'Bob Legacy', emails.bob, 999, 'Silver', 'inactive', '2022-01-02 10:00:00')
  member(m.carol, 'Carol Legacy', emails.carol, 250, 'bronze', 'active', '2022-01-03 10:00:00')
  member(m.badEmail, 'Bad Email', 'not-an-email', 10, null, 'active', '2022-01-04 10:00:00')
  member(m.noEmail, 'No Email', null, 0, null, 'active', '2022-01-05 10:00:00')
  member(m.linked, 'Linked Legacy', opts.existingEmail.toUpperCase(), 70, '1', 'active', '2022-01-06 10:00:00')
  member(m.bobDuplicate, 'Bob Again', emails.bob.toUpperCase(), 10, null, 'active', '2022-06-01 10:00:00')
  member(m.erin, 'Erin Legacy', emails.erin, 40, 'Gold', 'banned', '2022-01-08 10:00:00')
  member(m.frank, 'Frank Legacy', emails.frank, 0, null, 'pending', '2022-01-09 10:00:00')

  // Integer ids as the legacy app had them, from a random base so that several fixtures can share
  // one Patron database (they become legacy ids and ledger idempotency keys there).
  let n = opts.idBase ?? Math.floor(Math.random() * 2 ** 40) * 1000
  const tx = (memberId: string, type: string, points: number, description: string | null, date: Value) => {
    insert('point_transactions', { id: ++n, member_id: memberId, type, points, description, date, created_at: typeof date === 'string' ? date : null })
    return n
  }
  // alice: 500 - 200 + 50 - 30 = 320 (redeem stored as a positive number, as the legacy app did)
  tx(m.alice, 'earn', 500, 'Purchase #1', '2023-01-10 09:00:00')
  tx(m.alice, 'redeem', 200, 'Redeemed a voucher', '2023-02-01T12:00:00Z')
  tx(m.alice, 'bonus', 50, 'Birthday', '2023-03-01')
  const aliceUnknownType = tx(m.alice, 'migration_fix', -30, 'Fix from the 2023 migration', Math.floor(Date.parse('2023-04-01T00:00:00Z') / 1000))
  // bob: 300 - 100 = 200, but total_points says 999
  tx(m.bob, 'earn', 300, 'Purchase', '2023-01-05 10:00:00')
  tx(m.bob, 'expire', 100, 'Points expired', '2023-06-01 10:00:00')
  // carol: rows inserted out of date order; in date order: +100, -250 (overdraft), +400
  tx(m.carol, 'earn', 400, 'Big purchase', '2023-02-01 10:00:00')
  tx(m.carol, 'earn', 100, 'First purchase', '2023-01-01 10:00:00')
  const carolOverdraft = tx(m.carol, 'redeem', 250, 'Redeemed the gift card', '2023-01-05 10:00:00')
  // skipped members' history
  tx(m.badEmail, 'earn', 10, 'Purchase', '2023-01-01 10:00:00')
  tx(m.linked, 'earn', 70, 'Purchase', '2023-01-01 10:00:00')
  tx(m.bobDuplicate, 'earn', 10, 'Purchase', '2023-07-01 10:00:00')
  tx(m.erin, 'earn', 40, 'Purchase', '2023-01-01 10:00:00')
  const erinZero = tx(m.erin, 'adjust', 0, 'Nothing', '2023-01-02 10:00:00')
  const orphan = tx(`${p}-M404`, 'earn', 5, 'Who?', '2023-01-02 10:00:00')

  const code = (s: string) => `${p}-${s}`.toLowerCase()
  const codes = { percent: code('ten'), fixed: code('fixed'), zeroCost: code('free'), amount: code('amount') }
  let vid = n
  const voucher = (row: Record<string, Value>) => {
    insert('vouchers', { id: ++vid, created_at: '2022-01-01 00:00:00', updated_at: '2022-01-01 00:00:00', ...row })
    return vid
  }
  const v = {
    percent: voucher({
      code: codes.percent,
      name: 'Ten percent off',
      description: 'Ten percent off\nyour next order',
      discount_type: 'percentage',
      discount_value: 10,
      points_cost: 100,
      stock: 50,
      valid_from: '2022-01-01 00:00:00',
      valid_to: '2030-12-31 23:59:59',
      status: 'active',
    }),
    fixed: voucher({ code: codes.fixed, name: 'Five fifty off', discount_type: 'fixed', discount_value: 5.5, points_cost: 250, stock: 3, status: 'inactive' }),
    zeroCost: voucher({ code: codes.zeroCost, name: 'Free', discount_type: 'fixed', discount_value: 1, points_cost: 0, stock: 1, status: 'active' }),
    amount: voucher({ code: codes.amount, name: 'Twenty off', discount_type: 'amount', discount_value: 20, points_cost: 400, stock: -5, status: 'expired' }),
  }

  let rid = vid
  const redemption = (memberId: string, voucherId: number, status: string, points: number, used: string | null = null) => {
    insert('redeem_transactions', {
      id: ++rid,
      member_id: memberId,
      voucher_id: voucherId,
      points_used: points,
      status,
      redeem_date: '2023-02-01 12:00:00',
      used_date: used,
      created_at: '2023-02-01 12:00:00',
      updated_at: used ?? '2023-02-10 12:00:00',
    })
    return rid
  }
  const r = {
    pending: redemption(m.alice, v.percent, 'pending', 100),
    used: redemption(m.alice, v.fixed, 'used', 250, '2023-02-05 15:00:00'),
    expired: redemption(m.bob, v.percent, 'expired', 100),
    cancelled: redemption(m.carol, v.percent, 'cancelled', 100),
    redeemed: redemption(m.carol, v.amount, 'redeemed', 400, '2023-03-01 09:00:00'),
    skippedVoucher: redemption(m.alice, v.zeroCost, 'pending', 0),
    skippedMember: redemption(m.badEmail, v.percent, 'pending', 100),
  }

  const bytes = db.export()
  db.close()
  if (opts.file) await fs.writeFile(opts.file, bytes)
  return { bytes, prefix: p, m, emails, v, codes, r, t: { carolOverdraft, erinZero, orphan, aliceUnknownType } }
}

/** A SQLite file with only some of the legacy tables (for the "missing tables" failure). */
export async function buildIncompleteSqlite(): Promise<Uint8Array> {
  const SQL = await initSqlJs()
  const db = new SQL.Database()
  db.exec(`create table members (id varchar primary key, email text); create table vouchers (id integer primary key, code text, points_cost integer);`)
  const bytes = db.export()
  db.close()
  return bytes
}
