import fs from 'node:fs/promises'
import type { Payload } from 'payload'
import initSqlJs, { type SqlValue } from 'sql.js'
import { randomCode } from '../../domain/codes'
import { redemptionExpiry } from '../../domain/redemption'
import { sortTiers, type Tier } from '../../domain/loyalty'
import { inTransaction, rows, sql, uniqueViolation, type Db } from '../../lib/db/sql'
import { postLedgerEntry, recomputeTier, type LedgerType } from './ledger'
import { loadRules } from './rules'

/**
 * Import from the legacy Express + SQLite loyalty app (tables `members`,
 * `point_transactions`, `vouchers`, `redeem_transactions`).
 *
 * - Legacy ids are kept (`legacy_id` on members, vouchers and redemptions;
 *   ledger entries carry the idempotency key `legacy:pt:<id>`), so running the
 *   same file again creates nothing new and ends with the same counts and balances.
 * - The ledger is the truth: a member's Patron balance is the sum of its entries.
 *   Legacy point transactions are replayed per member in date order; an entry
 *   that would take the balance below zero is clamped to what was available
 *   (or skipped when nothing was), and reported.
 * - Each member's legacy `total_points` is reconciled against the sum of its
 *   legacy transactions and against its Patron balance; differences are reported,
 *   never fatal.
 */

// ---------------------------------------------------------------------------
// Report

export type LegacyTable = 'members' | 'point_transactions' | 'vouchers' | 'redeem_transactions'

export type TableCounts = {
  /** Rows in the legacy table. */
  read: number
  /** New Patron rows written by this run. */
  created: number
  /** Already imported by an earlier run (found by legacy id / idempotency key). */
  existing: number
  /** Existing rows changed to match the legacy row (vouchers only). */
  updated: number
  /** Members only: an existing Patron member with the same e-mail and no legacy id, now linked to the legacy id. */
  linked: number
  /** Members only: a second legacy member with an e-mail already used by another legacy member; its history goes to that member. */
  merged: number
  /** Not imported; each has an entry in `issues`. */
  skipped: number
}

export type ImportIssue = {
  table: LegacyTable
  legacyId: string
  kind: 'skipped' | 'clamped' | 'linked' | 'merged' | 'warning'
  message: string
}

export type ClampedEntry = {
  legacyId: string
  memberLegacyId: string
  memberId: number
  /** Signed points in the legacy history. */
  legacyPoints: number
  /** Signed points posted to the ledger (0: not posted, nothing was available). */
  postedPoints: number
}

export type BalanceMismatch = {
  memberId: number
  /** The legacy member the Patron member was created from or linked to (first of `legacyIds`). */
  legacyId: string
  /** Every legacy member whose history landed on this Patron member (duplicates by e-mail are merged). */
  legacyIds: string[]
  email: string
  /** Sum of the legacy `total_points`. */
  legacyTotalPoints: number
  /** Sum of the legacy transactions' points (signed as their types mean). */
  legacyTransactionSum: number
  /** The member's balance in Patron after the import (= its ledger sum). */
  patronBalance: number
  reasons: string[]
}

export type TierDifference = { memberId: number; legacyId: string; legacyTier: string; patronTier: string | null }

export type LegacyImportReport = {
  source: string
  members: TableCounts
  vouchers: TableCounts
  pointTransactions: TableCounts
  redemptions: TableCounts
  /** Every member-level reconciliation that does not add up (legacy total ≠ legacy transactions, or ≠ Patron balance). */
  mismatches: BalanceMismatch[]
  /** Legacy entries that would have taken a balance below zero. */
  clampedEntries: ClampedEntry[]
  /** The legacy tier is informative only: Patron computes tiers from its rules. */
  tierDifferences: TierDifference[]
  /** Members whose balance is not their ledger sum or is negative after the import (should stay empty). */
  ledgerViolations: Array<{ memberId: number; pointsBalance: number; ledgerSum: number }>
  /** Number of Patron members reconciled. */
  membersReconciled: number
  issues: ImportIssue[]
  /** Units assumed for the legacy fixed-discount amounts. */
  moneyUnit: MoneyUnit
  durationMs: number
}

export type ImportPhase = 'members' | 'vouchers' | 'point_transactions' | 'redemptions' | 'reconcile'
export type ImportProgress = { phase: ImportPhase; done: number; total: number }

/**
 * `major`: the legacy app stores fixed discounts as decimal currency (5.50) and
 * they become minor units (550). `minor`: the legacy values already are minor units.
 */
export type MoneyUnit = 'major' | 'minor'

export type LegacyImportOptions = {
  onProgress?: (p: ImportProgress) => void
  moneyUnit?: MoneyUnit
  /** Patron members per ledger transaction (default 100). */
  batchSize?: number
  /** Clock for expiry windows of pending redemptions (tests). */
  now?: Date
  /** Stops between batches (what is written stays written; running again resumes). */
  signal?: AbortSignal
}

/** The legacy file cannot be used: unreadable, not SQLite, or missing tables/columns. Nothing was written. */
export class LegacyImportError extends Error {
  constructor(
    readonly code: 'UNREADABLE' | 'NOT_SQLITE' | 'MISSING_TABLES' | 'MISSING_COLUMNS',
    message: string,
  ) {
    super(message)
    this.name = 'LegacyImportError'
  }
}

/** The import was stopped through `signal`; everything committed so far stays, and running again resumes. */
export class LegacyImportAborted extends Error {
  constructor() {
    super('the legacy import was interrupted; run it again to finish (it resumes where it stopped)')
    this.name = 'LegacyImportAborted'
  }
}

// ---------------------------------------------------------------------------
// Reading the legacy file

type Row = Record<string, SqlValue>

export type LegacyData = {
  source: string
  members: Row[]
  pointTransactions: Row[]
  vouchers: Row[]
  redemptions: Row[]
}

const TABLES: Record<LegacyTable, string[]> = {
  members: ['id', 'email'],
  point_transactions: ['id', 'member_id', 'type', 'points'],
  vouchers: ['id', 'code', 'points_cost'],
  redeem_transactions: ['id', 'member_id', 'voucher_id'],
}

const SQLITE_HEADER = 'SQLite format 3\u0000'

let sqlJs: ReturnType<typeof initSqlJs> | undefined

/**
 * Reads the four legacy tables from a SQLite file (path or bytes) into memory.
 * Throws LegacyImportError when the file is unreadable, is not SQLite or lacks
 * a table or a required column.
 */
export async function readLegacyDatabase(source: string | Uint8Array): Promise<LegacyData> {
  const name = typeof source === 'string' ? source : '(bytes)'
  let bytes: Uint8Array
  if (typeof source === 'string') {
    try {
      bytes = await fs.readFile(source)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message
      throw new LegacyImportError('UNREADABLE', `cannot read ${source}: ${why}`)
    }
  } else bytes = source
  if (bytes.length < 100 || Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_HEADER) {
    throw new LegacyImportError('NOT_SQLITE', `${name} is not a SQLite database`)
  }
  sqlJs ??= initSqlJs()
  const SQL = await sqlJs
  let db: InstanceType<typeof SQL.Database> | undefined
  try {
    db = new SQL.Database(bytes)
    const present = new Set(
      (db.exec(`select name from sqlite_master where type in ('table', 'view')`)[0]?.values ?? []).map((v) => String(v[0])),
    )
    const missing = Object.keys(TABLES).filter((t) => !present.has(t))
    if (missing.length) throw new LegacyImportError('MISSING_TABLES', `${name} has no table ${missing.join(', ')}`)
    const missingColumns: string[] = []
    for (const [table, required] of Object.entries(TABLES)) {
      const cols = new Set((db.exec(`pragma table_info("${table}")`)[0]?.values ?? []).map((v) => String(v[1])))
      for (const c of required) if (!cols.has(c)) missingColumns.push(`${table}.${c}`)
    }
    if (missingColumns.length) throw new LegacyImportError('MISSING_COLUMNS', `${name} lacks the columns ${missingColumns.join(', ')}`)
    const all = (table: string): Row[] => {
      const stmt = db!.prepare(`select * from "${table}"`)
      const out: Row[] = []
      try {
        while (stmt.step()) out.push(stmt.getAsObject() as Row)
      } finally {
        stmt.free()
      }
      return out
    }
    return {
      source: name,
      members: all('members'),
      pointTransactions: all('point_transactions'),
      vouchers: all('vouchers'),
      redemptions: all('redeem_transactions'),
    }
  } catch (err) {
    if (err instanceof LegacyImportError) throw err
    throw new LegacyImportError('NOT_SQLITE', `${name} cannot be read as SQLite: ${(err as Error).message}`)
  } finally {
    db?.close()
  }
}

// ---------------------------------------------------------------------------
// Value helpers

const str = (v: SqlValue | undefined): string | null => {
  if (v === null || v === undefined || v instanceof Uint8Array) return null
  const s = String(v).trim()
  return s === '' ? null : s
}

const num = (v: SqlValue | undefined): number | null => {
  if (v === null || v === undefined || v instanceof Uint8Array) return null
  if (typeof v === 'string' && v.trim() === '') return null
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}

/** SQLite dates: ISO strings, `YYYY-MM-DD HH:MM:SS` (UTC, SQLite's CURRENT_TIMESTAMP), or Unix seconds/milliseconds. */
export function parseLegacyDate(v: SqlValue | undefined): Date | null {
  if (v === null || v === undefined || v instanceof Uint8Array) return null
  if (typeof v === 'number' || /^\d{9,13}(\.\d+)?$/.test(String(v).trim())) {
    const n = Number(v)
    if (!Number.isFinite(n) || n <= 0) return null
    return new Date(n < 1e11 ? n * 1000 : n)
  }
  let s = String(v).trim()
  if (!s) return null
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(s)) s = s.replace(' ', 'T')
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s += 'Z'
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z'
  const d = new Date(s)
  return Number.isNaN(d.getTime()) ? null : d
}

/** A `valid_to` given as a bare date means "through that day": the last millisecond of it (UTC). */
function endOfDayIfDateOnly(v: SqlValue | undefined): Date | null {
  const d = parseLegacyDate(v)
  return d && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? new Date(d.getTime() + 86_400_000 - 1) : d
}

/** Decimal currency (number or text) to integer minor units without float drift: 10.15 → 1015. */
export function toMinorUnits(v: number | string): number | null {
  const s = typeof v === 'number' ? String(v) : v.trim()
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m || (m[2] === '' && !m[3])) {
    const n = Number(s)
    return Number.isFinite(n) ? Math.round(n * 100) : null
  }
  const frac = (m[3] ?? '').padEnd(3, '0')
  let minor = Number(m[2] || '0') * 100 + Number(frac.slice(0, 2))
  if (Number(frac[2]) >= 5) minor += 1 // half up
  return m[1] ? -minor : minor
}

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/
const normalizeEmail = (v: SqlValue | undefined): string | null => {
  const s = str(v)?.toLowerCase() ?? null
  return s && s.length <= 254 && EMAIL.test(s) ? s : null
}

const clip = (s: string | null, max: number) => (s && s.length > max ? s.slice(0, max) : s)

/** Legacy ids compare numerically when both are numbers, else as text. */
const compareIds = (a: string, b: string) => {
  const na = Number(a)
  const nb = Number(b)
  if (Number.isFinite(na) && Number.isFinite(nb) && a !== '' && b !== '') return na - nb
  return a < b ? -1 : a > b ? 1 : 0
}

const time = (d: Date | null) => (d ? d.getTime() : Number.POSITIVE_INFINITY)

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Runs `fn` over `items`, `limit` at a time; on an error, lets the running calls finish, starts no more, and throws it. */
/** Members per insert statement. */
const MEMBER_BATCH = 500


const errorMessage = (err: unknown): string => {
  const e = err as { message?: string; data?: { errors?: Array<{ path?: string; message?: string }> } }
  const details = e?.data?.errors?.map((x) => `${x.path ?? ''}: ${x.message ?? ''}`).join('; ')
  return details ? `${e.message} (${details})` : (e?.message ?? String(err))
}

// ---------------------------------------------------------------------------
// Mappings

/** Legacy member status → Patron status. Unknown statuses become `inactive` (and are reported). */
export function mapMemberStatus(v: string | null): { status: 'pending_verification' | 'active' | 'inactive' | 'blocked'; known: boolean } {
  const s = (v ?? '').trim().toLowerCase()
  if (s === '' || ['active', 'enabled', 'verified', 'approved'].includes(s)) return { status: 'active', known: true }
  if (['pending', 'pending_verification', 'unverified', 'new', 'registered'].includes(s)) return { status: 'pending_verification', known: true }
  if (['inactive', 'disabled', 'dormant', 'closed', 'deleted', 'deactivated'].includes(s)) return { status: 'inactive', known: true }
  if (['blocked', 'banned', 'suspended', 'locked', 'blacklisted'].includes(s)) return { status: 'blocked', known: true }
  return { status: 'inactive', known: false }
}

const TYPE_ALIASES: Record<string, LedgerType> = {
  earn: 'earn', earned: 'earn', earning: 'earn', purchase: 'earn', accrual: 'earn', accrue: 'earn', credit: 'earn',
  redeem: 'redeem', redeemed: 'redeem', redemption: 'redeem', spend: 'redeem', spent: 'redeem',
  adjust: 'adjust', adjustment: 'adjust', manual: 'adjust', correction: 'adjust',
  bonus: 'bonus', referral: 'bonus', birthday: 'bonus', signup: 'bonus', welcome: 'bonus', promo: 'bonus', promotion: 'bonus',
  expire: 'expire', expired: 'expire', expiry: 'expire', expiration: 'expire',
  refund: 'refund', refunded: 'refund', reversal: 'refund', return: 'refund', returned: 'refund',
}

/**
 * A legacy point transaction as a ledger entry: type per the aliases above
 * (unknown → adjust, the original type kept in the reason); redeem and expire
 * always negative; earn, bonus and refund positive (a negative one is a
 * correction and becomes adjust); adjust keeps its sign.
 */
export function mapTransaction(type: string | null, points: number, description: string | null): { type: LedgerType; points: number; reason: string; note?: string } {
  const raw = (type ?? '').trim()
  const known = TYPE_ALIASES[raw.toLowerCase()]
  const desc = description ?? ''
  if (!known) {
    return { type: 'adjust', points, reason: `[legacy type "${raw || 'none'}"]${desc ? ` ${desc}` : ''}`, note: `unknown type "${raw}" imported as adjust` }
  }
  if (known === 'redeem' || known === 'expire') return { type: known, points: -Math.abs(points), reason: desc || `Legacy ${raw}` }
  if (known === 'adjust') return { type: 'adjust', points, reason: desc || `Legacy ${raw}` }
  if (points < 0) {
    return { type: 'adjust', points, reason: `[legacy type "${raw}", negative]${desc ? ` ${desc}` : ''}`, note: `negative ${raw} imported as adjust` }
  }
  return { type: known, points, reason: desc || `Legacy ${raw}` }
}

/** Legacy voucher discount type → Patron; null when unknown. */
export function mapDiscountType(v: string | null): 'percentage' | 'fixed' | null {
  const s = (v ?? '').trim().toLowerCase()
  if (['percentage', 'percent', 'pct', '%'].includes(s)) return 'percentage'
  if (['fixed', 'amount', 'fixed_amount', 'flat', 'nominal', 'value', 'cash', ''].includes(s)) return 'fixed'
  return null
}

/** Legacy redemption status → Patron; ambiguous or unknown statuses: `used` when a use date is set, else `pending`. */
export function mapRedemptionStatus(v: string | null, hasUsedDate: boolean): { status: 'pending' | 'used' | 'expired' | 'cancelled'; known: boolean } {
  const s = (v ?? '').trim().toLowerCase()
  if (['used', 'completed', 'complete', 'claimed', 'consumed', 'fulfilled'].includes(s)) return { status: 'used', known: true }
  if (['expired', 'expire'].includes(s)) return { status: 'expired', known: true }
  if (['cancelled', 'canceled', 'cancel', 'void', 'voided', 'rejected', 'refunded'].includes(s)) return { status: 'cancelled', known: true }
  if (['pending', 'active', 'issued', 'unused', 'open', 'valid'].includes(s)) return { status: hasUsedDate ? 'used' : 'pending', known: true }
  return { status: hasUsedDate ? 'used' : 'pending', known: s === 'redeemed' || s === '' }
}

/** The Patron tier a legacy tier_level names: a tier name (any case) or a 1-based level in ascending order. */
function legacyTierName(v: string, tiers: Tier[]): string {
  const sorted = sortTiers(tiers)
  if (/^\d+$/.test(v)) return sorted[Number(v) - 1]?.name ?? v
  return sorted.find((t) => t.name.toLowerCase() === v.toLowerCase())?.name ?? v
}

/** Plain text as a minimal Lexical document (one paragraph per line). */
function richText(text: string) {
  const paragraphs = text.split(/\r?\n/).filter((l) => l.trim() !== '')
  return {
    root: {
      type: 'root',
      format: '' as const,
      indent: 0,
      version: 1,
      direction: 'ltr' as const,
      children: paragraphs.map((p) => ({
        type: 'paragraph',
        format: '',
        indent: 0,
        version: 1,
        direction: 'ltr',
        textFormat: 0,
        textStyle: '',
        children: [{ type: 'text', text: p, format: 0, style: '', mode: 'normal', detail: 0, version: 1 }],
      })),
    },
  }
}

// ---------------------------------------------------------------------------
// The import

const emptyCounts = (read: number): TableCounts => ({ read, created: 0, existing: 0, updated: 0, linked: 0, merged: 0, skipped: 0 })

const LEDGER_KEY_PREFIX = 'legacy:pt:'
const ledgerKey = (legacyId: string) => `${LEDGER_KEY_PREFIX}${legacyId}`

type MemberGroup = {
  memberId: number
  email: string
  legacyIds: string[]
  legacyTotal: number
  legacyTiers: string[]
  notes: string[]
}

type PlannedEntry = {
  legacyId: string
  memberLegacyId: string
  at: Date | null
  type: LedgerType
  points: number
  reason: string
}

/**
 * Imports a legacy SQLite file (path, bytes, or data already read with
 * readLegacyDatabase). Safe to run again: everything is keyed by legacy id.
 * Throws LegacyImportError (before writing anything) when the file is unusable.
 */
export async function importLegacyLoyalty(
  payload: Payload,
  source: string | Uint8Array | LegacyData,
  options: LegacyImportOptions = {},
): Promise<LegacyImportReport> {
  const started = Date.now()
  const data = typeof source === 'string' || source instanceof Uint8Array ? await readLegacyDatabase(source) : source
  const moneyUnit = options.moneyUnit ?? 'major'
  const batchSize = Math.max(1, options.batchSize ?? 100)
  const now = options.now ?? new Date()
  const progress = options.onProgress ?? (() => undefined)
  const rules = await loadRules(payload)
  const pool = (payload.db as unknown as { drizzle: Db }).drizzle
  const checkAbort = () => {
    if (options.signal?.aborted) throw new LegacyImportAborted()
  }

  const report: LegacyImportReport = {
    source: data.source,
    members: emptyCounts(data.members.length),
    vouchers: emptyCounts(data.vouchers.length),
    pointTransactions: emptyCounts(data.pointTransactions.length),
    redemptions: emptyCounts(data.redemptions.length),
    mismatches: [],
    clampedEntries: [],
    tierDifferences: [],
    ledgerViolations: [],
    membersReconciled: 0,
    issues: [],
    moneyUnit,
    durationMs: 0,
  }
  const issue = (table: LegacyTable, legacyId: string, kind: ImportIssue['kind'], message: string) =>
    report.issues.push({ table, legacyId, kind, message })

  // ---- members --------------------------------------------------------------
  const memberIdByLegacy = new Map<string, number>() // legacy member id → Patron member id
  const skippedMembers = new Map<string, string>() // legacy member id → why
  const groups = new Map<number, MemberGroup>()
  {
    const counts = report.members
    const total = data.members.length
    let done = 0
    const tick = (n = 1) => progress({ phase: 'members', done: (done += n), total })
    progress({ phase: 'members', done: 0, total })

    type Candidate = { legacyId: string; email: string; row: Row; at: Date | null }
    const candidates: Candidate[] = []
    const seenIds = new Set<string>()
    for (const row of data.members) {
      const legacyId = str(row.id)
      if (!legacyId) {
        counts.skipped++
        issue('members', '(none)', 'skipped', `member without an id (${str(row.email) ?? 'no e-mail'})`)
        continue
      }
      if (seenIds.has(legacyId)) {
        counts.skipped++
        issue('members', legacyId, 'skipped', 'duplicate legacy id: only the first row is imported')
        continue
      }
      seenIds.add(legacyId)
      const email = normalizeEmail(row.email)
      if (!email) {
        counts.skipped++
        skippedMembers.set(legacyId, 'member not imported (no valid e-mail)')
        issue('members', legacyId, 'skipped', `no valid e-mail (${JSON.stringify(str(row.email))})`)
        continue
      }
      candidates.push({ legacyId, email, row, at: parseLegacyDate(row.created_at) ?? parseLegacyDate(row.join_date) })
    }
    tick(total - candidates.length)
    // The earliest legacy row owns an e-mail; later duplicates are merged into it.
    candidates.sort((a, b) => time(a.at) - time(b.at) || compareIds(a.legacyId, b.legacyId))

    const byLegacy = new Map<string, { id: number; email: string }>()
    const byEmail = new Map<string, { id: number; legacy_id: string | null }>()
    for (const part of chunks(candidates, 1000)) {
      for (const r of await rows<{ id: number; email: string; legacy_id: string }>(
        pool,
        sql`select id, email, legacy_id from members where legacy_id in ${part.map((c) => c.legacyId)}`,
      ))
        byLegacy.set(r.legacy_id, { id: r.id, email: r.email })
      for (const r of await rows<{ id: number; email: string; legacy_id: string | null }>(
        pool,
        sql`select id, email, legacy_id from members where email in ${[...new Set(part.map((c) => c.email))]}`,
      ))
        byEmail.set(r.email, { id: r.id, legacy_id: r.legacy_id })
    }

    const addToGroup = (memberId: number, email: string, c: Candidate, note?: string) => {
      memberIdByLegacy.set(c.legacyId, memberId)
      let g = groups.get(memberId)
      if (!g) groups.set(memberId, (g = { memberId, email, legacyIds: [], legacyTotal: 0, legacyTiers: [], notes: [] }))
      g.legacyIds.push(c.legacyId)
      g.legacyTotal += num(c.row.total_points) ?? 0
      const tier = str(c.row.tier_level)
      if (tier) g.legacyTiers.push(tier)
      if (note && !g.notes.includes(note)) g.notes.push(note)
    }

    const ownerOfEmail = new Map<string, Candidate>() // within this file
    const toCreate: Candidate[] = []
    const mergeLater: Array<{ c: Candidate; owner: Candidate }> = []
    for (const c of candidates) {
      const owner = ownerOfEmail.get(c.email)
      const found = byLegacy.get(c.legacyId)
      if (found) {
        counts.existing++
        addToGroup(found.id, found.email, c)
        if (!owner) ownerOfEmail.set(c.email, c)
        tick()
        continue
      }
      if (owner) {
        mergeLater.push({ c, owner })
        continue
      }
      ownerOfEmail.set(c.email, c)
      const patron = byEmail.get(c.email)
      if (patron && patron.legacy_id === null) {
        await pool.execute(sql`update members set legacy_id = ${c.legacyId}, updated_at = now() where id = ${patron.id} and legacy_id is null`)
        counts.linked++
        issue('members', c.legacyId, 'linked', `linked to the existing Patron member ${patron.id} with the same e-mail`)
        addToGroup(patron.id, c.email, c)
        tick()
      } else if (patron) {
        counts.merged++
        issue('members', c.legacyId, 'merged', `e-mail already belongs to Patron member ${patron.id} (legacy id ${patron.legacy_id}): history merged into it`)
        addToGroup(patron.id, c.email, c, 'e-mail shared with another legacy member: histories merged')
        tick()
      } else toCreate.push(c)
    }

    // Members are inserted with SQL in batches rather than one Payload create each:
    // a create hashes a password (600,000 PBKDF2 rounds, ~0.2 s here), and imported
    // members have none to hash. They sign in after a password reset, which sets one.
    for (let i = 0; i < toCreate.length; i += MEMBER_BATCH) {
      checkAbort()
      const batch = toCreate.slice(i, i + MEMBER_BATCH).map((c) => {
        const { row } = c
        const status = mapMemberStatus(str(row.status))
        if (!status.known) issue('members', c.legacyId, 'warning', `unknown status "${str(row.status)}" imported as inactive`)
        const phone = str(row.phone)
        const address = str(row.address)
        if ((phone?.length ?? 0) > 40 || (address?.length ?? 0) > 300) issue('members', c.legacyId, 'warning', 'phone or address shortened to fit')
        return {
          c,
          values: sql`(${c.email}, ${clip(str(row.name) ?? c.email.split('@')[0], 200)}, ${clip(phone, 40)}, ${clip(address, 300)},
            ${status.status}, ${(parseLegacyDate(row.join_date) ?? c.at ?? now).toISOString()}, ${c.legacyId}, ${randomCode('PM')})`,
        }
      })
      try {
        const inserted = await rows<{ id: number; legacy_id: string }>(
          pool,
          sql`insert into members (email, name, phone, address, status, join_date, legacy_id, member_code)
              values ${sql.join(batch.map((b) => b.values), sql`, `)}
              on conflict do nothing
              returning id, legacy_id`,
        )
        const ids = new Map(inserted.map((r) => [r.legacy_id, r.id]))
        for (const { c } of batch) {
          const id = ids.get(c.legacyId)
          if (id !== undefined) {
            counts.created++
            addToGroup(id, c.email, c)
          } else {
            counts.skipped++
            skippedMembers.set(c.legacyId, 'member not imported')
            issue('members', c.legacyId, 'skipped', 'could not be created: its e-mail or legacy id was taken meanwhile')
          }
          tick()
        }
      } catch (err) {
        for (const { c } of batch) {
          counts.skipped++
          skippedMembers.set(c.legacyId, 'member not imported')
          issue('members', c.legacyId, 'skipped', `could not be created: ${errorMessage(err)}`)
          tick()
        }
      }
    }

    for (const { c, owner } of mergeLater) {
      const memberId = memberIdByLegacy.get(owner.legacyId)
      if (memberId === undefined) {
        counts.skipped++
        skippedMembers.set(c.legacyId, `member not imported (its e-mail's first member ${owner.legacyId} was not imported)`)
        issue('members', c.legacyId, 'skipped', `same e-mail as legacy member ${owner.legacyId}, which was not imported`)
      } else {
        counts.merged++
        issue('members', c.legacyId, 'merged', `same e-mail as legacy member ${owner.legacyId}: history merged into Patron member ${memberId}`)
        addToGroup(memberId, c.email, c, 'e-mail shared with another legacy member: histories merged')
      }
      tick()
    }
  }

  // ---- vouchers -------------------------------------------------------------
  const voucherIdByLegacy = new Map<string, { id: number; pointsCost: number }>()
  const skippedVouchers = new Map<string, string>()
  {
    const counts = report.vouchers
    const total = data.vouchers.length
    let done = 0
    const tick = () => progress({ phase: 'vouchers', done: ++done, total })
    progress({ phase: 'vouchers', done: 0, total })

    type VoucherData = {
      code: string
      name: string
      discountType: 'percentage' | 'fixed'
      discountValue: number
      pointsCost: number
      stock: number
      validFrom: string | null
      validTo: string | null
      status: 'active' | 'inactive'
    }
    const planned: Array<{ legacyId: string; data: VoucherData; description: string | null }> = []
    const seen = new Set<string>()
    for (const row of data.vouchers) {
      const legacyId = str(row.id)
      const skip = (why: string) => {
        counts.skipped++
        if (legacyId) skippedVouchers.set(legacyId, `voucher not imported (${why})`)
        issue('vouchers', legacyId ?? '(none)', 'skipped', why)
        tick()
      }
      if (!legacyId) {
        skip('voucher without an id')
        continue
      }
      if (seen.has(legacyId)) {
        counts.skipped++
        issue('vouchers', legacyId, 'skipped', 'duplicate legacy id: only the first row is imported')
        tick()
        continue
      }
      seen.add(legacyId)
      const code = str(row.code)?.toUpperCase()
      if (!code) {
        skip('no code')
        continue
      }
      if (code.length > 40) {
        skip(`code "${code}" is longer than 40 characters`)
        continue
      }
      const discountType = mapDiscountType(str(row.discount_type))
      if (!discountType) {
        skip(`unknown discount type "${str(row.discount_type)}"`)
        continue
      }
      const rawValue = row.discount_value
      let discountValue = num(rawValue) ?? 0
      if (discountValue < 0) {
        skip(`negative discount value ${discountValue}`)
        continue
      }
      if (discountType === 'fixed') {
        discountValue = moneyUnit === 'major' ? (toMinorUnits(typeof rawValue === 'string' ? rawValue : discountValue) ?? 0) : Math.round(discountValue)
      } else if (discountValue > 100) {
        issue('vouchers', legacyId, 'warning', `percentage ${discountValue} capped at 100`)
        discountValue = 100
      }
      const pointsCost = num(row.points_cost)
      if (pointsCost === null || Math.round(pointsCost) < 1) {
        skip(`points cost ${pointsCost ?? 'missing'}: Patron needs at least 1`)
        continue
      }
      if (!Number.isInteger(pointsCost)) issue('vouchers', legacyId, 'warning', `points cost ${pointsCost} rounded`)
      let stock = Math.round(num(row.stock) ?? 0)
      if (stock < 0) {
        issue('vouchers', legacyId, 'warning', `negative stock ${stock} imported as 0`)
        stock = 0
      }
      const legacyStatus = (str(row.status) ?? 'active').toLowerCase()
      if (!['active', 'inactive'].includes(legacyStatus)) issue('vouchers', legacyId, 'warning', `status "${legacyStatus}" imported as inactive`)
      planned.push({
        legacyId,
        description: str(row.description),
        data: {
          code,
          name: clip(str(row.name) ?? code, 200)!,
          discountType,
          discountValue,
          pointsCost: Math.round(pointsCost),
          stock,
          validFrom: parseLegacyDate(row.valid_from)?.toISOString() ?? null,
          validTo: endOfDayIfDateOnly(row.valid_to)?.toISOString() ?? null,
          status: legacyStatus === 'active' ? 'active' : 'inactive',
        },
      })
    }

    type VoucherRow = {
      id: number
      code: string
      name: string
      discount_type: string
      discount_value: string
      points_cost: string
      stock: string
      valid_from: Date | null
      valid_to: Date | null
      status: string
      legacy_id: string | null
    }
    const byLegacy = new Map<string, VoucherRow>()
    const byCode = new Map<string, VoucherRow>()
    for (const part of chunks(planned, 1000)) {
      for (const r of await rows<VoucherRow>(
        pool,
        sql`select id, code, name, discount_type, discount_value, points_cost, stock, valid_from, valid_to, status, legacy_id
            from vouchers where legacy_id in ${part.map((p) => p.legacyId)} or code in ${part.map((p) => p.data.code)}`,
      )) {
        if (r.legacy_id) byLegacy.set(r.legacy_id, r)
        byCode.set(r.code, r)
      }
    }
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)
    const differs = (r: VoucherRow, d: VoucherData) =>
      r.code !== d.code ||
      r.name !== d.name ||
      r.discount_type !== d.discountType ||
      Number(r.discount_value) !== d.discountValue ||
      Number(r.points_cost) !== d.pointsCost ||
      Number(r.stock) !== d.stock ||
      iso(r.valid_from) !== d.validFrom ||
      iso(r.valid_to) !== d.validTo ||
      r.status !== d.status

    const codesTaken = new Set<string>()
    for (const p of planned) {
      checkAbort()
      try {
        const existing = byLegacy.get(p.legacyId)
        const sameCode = byCode.get(p.data.code)
        if (codesTaken.has(p.data.code) || (sameCode && sameCode.legacy_id && sameCode.legacy_id !== p.legacyId)) {
          counts.skipped++
          skippedVouchers.set(p.legacyId, 'voucher not imported (code taken)')
          issue('vouchers', p.legacyId, 'skipped', `code ${p.data.code} already belongs to another voucher`)
        } else if (existing) {
          if (differs(existing, p.data)) {
            await payload.update({ collection: 'vouchers', id: existing.id, data: p.data, overrideAccess: true })
            counts.updated++
          } else counts.existing++
          voucherIdByLegacy.set(p.legacyId, { id: existing.id, pointsCost: p.data.pointsCost })
        } else if (sameCode) {
          // A voucher with this code was made in Patron before the import: adopt it.
          await pool.execute(sql`update vouchers set legacy_id = ${p.legacyId} where id = ${sameCode.id} and legacy_id is null`)
          await payload.update({ collection: 'vouchers', id: sameCode.id, data: p.data, overrideAccess: true })
          counts.linked++
          issue('vouchers', p.legacyId, 'linked', `linked to the existing voucher ${sameCode.id} with code ${p.data.code}`)
          voucherIdByLegacy.set(p.legacyId, { id: sameCode.id, pointsCost: p.data.pointsCost })
        } else {
          const doc = await payload.create({
            collection: 'vouchers',
            data: { ...p.data, legacyId: p.legacyId, ...(p.description ? { description: richText(p.description) } : {}) },
            overrideAccess: true,
          })
          counts.created++
          voucherIdByLegacy.set(p.legacyId, { id: doc.id as number, pointsCost: p.data.pointsCost })
        }
        codesTaken.add(p.data.code)
      } catch (err) {
        counts.skipped++
        skippedVouchers.set(p.legacyId, 'voucher not imported')
        issue('vouchers', p.legacyId, 'skipped', `could not be written: ${errorMessage(err)}`)
      }
      tick()
    }
  }

  // ---- point transactions -> ledger -------------------------------------------
  const legacyTxSum = new Map<number, number>() // Patron member id → sum of its legacy transactions (mapped signs)
  const membersWithSkippedTx = new Set<number>()
  const membersWithClamps = new Set<number>()
  {
    const counts = report.pointTransactions
    const total = data.pointTransactions.length
    let done = 0
    const tick = (n = 1) => progress({ phase: 'point_transactions', done: (done += n), total })
    progress({ phase: 'point_transactions', done: 0, total })

    const perMember = new Map<number, PlannedEntry[]>()
    const seen = new Set<string>()
    for (const row of data.pointTransactions) {
      const legacyId = str(row.id)
      const memberLegacyId = str(row.member_id)
      const memberId = memberLegacyId ? memberIdByLegacy.get(memberLegacyId) : undefined
      const skip = (why: string, movesBalance = true) => {
        counts.skipped++
        if (memberId !== undefined && movesBalance) membersWithSkippedTx.add(memberId)
        issue('point_transactions', legacyId ?? '(none)', 'skipped', why)
        tick()
      }
      if (!legacyId) {
        skip('transaction without an id')
        continue
      }
      if (seen.has(legacyId)) {
        skip('duplicate legacy id: only the first row is imported')
        continue
      }
      seen.add(legacyId)
      if (memberId === undefined) {
        skip(memberLegacyId ? (skippedMembers.get(memberLegacyId) ?? `unknown member ${memberLegacyId}`) : 'no member')
        continue
      }
      const raw = num(row.points)
      if (raw === null) {
        skip('points missing or not a number')
        continue
      }
      const points = Math.round(raw)
      if (points !== raw) issue('point_transactions', legacyId, 'warning', `fractional points ${raw} rounded to ${points}`)
      const mapped = mapTransaction(str(row.type), points, str(row.description))
      if (mapped.note) issue('point_transactions', legacyId, 'warning', mapped.note)
      legacyTxSum.set(memberId, (legacyTxSum.get(memberId) ?? 0) + mapped.points)
      if (mapped.points === 0) {
        skip('zero points (the ledger holds no empty entries)', false)
        continue
      }
      if (Math.abs(mapped.points) > 100_000_000) {
        skip(`points ${mapped.points} out of range`)
        continue
      }
      const list = perMember.get(memberId) ?? []
      list.push({
        legacyId,
        memberLegacyId: memberLegacyId!,
        at: parseLegacyDate(row.date) ?? parseLegacyDate(row.created_at),
        type: mapped.type,
        points: mapped.points,
        reason: mapped.reason,
      })
      perMember.set(memberId, list)
    }
    for (const list of perMember.values()) list.sort((a, b) => time(a.at) - time(b.at) || compareIds(a.legacyId, b.legacyId))

    type Outcome = {
      created: number
      existing: number
      skipped: number
      clamped: ClampedEntry[]
      issues: ImportIssue[]
      done: number
    }
    /** Posts the missing entries of these members in the caller's transaction; returns what happened (applied only on commit). */
    const postMembers = async (db: Db, memberIds: number[]): Promise<Outcome> => {
      const out: Outcome = { created: 0, existing: 0, skipped: 0, clamped: [], issues: [], done: 0 }
      const balances = new Map(
        (await rows<{ id: number; points_balance: string }>(db, sql`select id, points_balance from members where id in ${memberIds} order by id for update`)).map(
          (r) => [r.id, Number(r.points_balance)],
        ),
      )
      const keys = memberIds.flatMap((id) => perMember.get(id)!.map((e) => ledgerKey(e.legacyId)))
      const posted = new Map<string, { member_id: number; points: number }>()
      for (const part of chunks(keys, 5000)) {
        for (const r of await rows<{ idempotency_key: string; member_id: number; points: string }>(
          db,
          sql`select idempotency_key, member_id, points from point_transactions where idempotency_key in ${part}`,
        ))
          posted.set(r.idempotency_key, { member_id: r.member_id, points: Number(r.points) })
      }
      for (const memberId of memberIds) {
        const entries = perMember.get(memberId)!
        let actual = balances.get(memberId) ?? 0
        // The balance before the legacy history: what the member had apart from entries already imported from this file.
        let running = actual
        for (const e of entries) {
          const p = posted.get(ledgerKey(e.legacyId))
          if (p && p.member_id === memberId) running -= p.points
        }
        for (const e of entries) {
          const key = ledgerKey(e.legacyId)
          const prior = posted.get(key)
          out.done++
          if (prior) {
            out.existing++
            if (prior.member_id !== memberId) {
              out.issues.push({ table: 'point_transactions', legacyId: e.legacyId, kind: 'warning', message: `ledger key ${key} already belongs to member ${prior.member_id}` })
              continue
            }
            running += prior.points
            if (prior.points !== e.points) {
              out.clamped.push({ legacyId: e.legacyId, memberLegacyId: e.memberLegacyId, memberId, legacyPoints: e.points, postedPoints: prior.points })
            }
            continue
          }
          let points = e.points
          const available = Math.min(running, actual)
          if (points < 0 && available + points < 0) points = -Math.max(0, available)
          if (points !== e.points) {
            out.clamped.push({ legacyId: e.legacyId, memberLegacyId: e.memberLegacyId, memberId, legacyPoints: e.points, postedPoints: points })
          }
          if (points === 0) {
            out.skipped++
            out.issues.push({
              table: 'point_transactions',
              legacyId: e.legacyId,
              kind: 'clamped',
              message: `${e.type} of ${e.points} not imported: the balance was 0 at that point of the legacy history`,
            })
            continue
          }
          const reason =
            points === e.points ? e.reason : `${e.reason} (legacy ${e.points} points; only ${-points} were available)`
          if (points !== e.points) {
            out.issues.push({
              table: 'point_transactions',
              legacyId: e.legacyId,
              kind: 'clamped',
              message: `${e.type} of ${e.points} would take the balance below zero: imported as ${points}`,
            })
          }
          const result = await postLedgerEntry(db, rules, {
            memberId,
            type: e.type,
            points,
            reason,
            createdAt: e.at,
            idempotencyKey: key,
          })
          running += points
          actual = result.balanceAfter
          if (result.duplicate) out.existing++
          else out.created++
        }
      }
      return out
    }

    const apply = (o: Outcome) => {
      counts.created += o.created
      counts.existing += o.existing
      counts.skipped += o.skipped
      report.clampedEntries.push(...o.clamped)
      report.issues.push(...o.issues)
      for (const c of o.clamped) membersWithClamps.add(c.memberId)
      tick(o.done)
    }

    const memberIds = [...perMember.keys()].sort((a, b) => a - b)
    const maxEntries = 5000
    const batches: number[][] = []
    let current: number[] = []
    let size = 0
    for (const id of memberIds) {
      const n = perMember.get(id)!.length
      if (current.length && (current.length >= batchSize || size + n > maxEntries)) {
        batches.push(current)
        current = []
        size = 0
      }
      current.push(id)
      size += n
    }
    if (current.length) batches.push(current)

    for (const batch of batches) {
      checkAbort()
      try {
        apply(await inTransaction(payload, undefined, (db) => postMembers(db, batch)))
      } catch {
        // Something unexpected in this batch: redo it member by member so one bad history does not hold back the rest.
        for (const memberId of batch) {
          try {
            apply(await inTransaction(payload, undefined, (db) => postMembers(db, [memberId])))
          } catch (err) {
            const entries = perMember.get(memberId)!
            counts.skipped += entries.length
            membersWithSkippedTx.add(memberId)
            for (const e of entries) issue('point_transactions', e.legacyId, 'skipped', `member ${memberId}'s history could not be posted: ${errorMessage(err)}`)
            tick(entries.length)
          }
        }
      }
    }
    // Members without any entry still get the tier Patron's rules give them.
    const noTier = [...groups.keys()].filter((id) => !perMember.has(id))
    for (const part of chunks(noTier, 500)) {
      const ids = (await rows<{ id: number }>(pool, sql`select id from members where id in ${part} and tier is null`)).map((r) => r.id)
      if (ids.length) await inTransaction(payload, undefined, async (db) => {
        for (const id of ids) await recomputeTier(db, rules, id)
      })
    }
  }

  // ---- redemptions ------------------------------------------------------------
  {
    const counts = report.redemptions
    const total = data.redemptions.length
    let done = 0
    const tick = (n = 1) => progress({ phase: 'redemptions', done: (done += n), total })
    progress({ phase: 'redemptions', done: 0, total })

    type Planned = {
      legacyId: string
      memberId: number
      voucherId: number
      pointsUsed: number
      status: 'pending' | 'used' | 'expired' | 'cancelled'
      redeemedAt: string
      usedAt: string | null
      expiresAt: string | null
      cancelledAt: string | null
      createdAt: string
    }
    const planned: Planned[] = []
    const seen = new Set<string>()
    for (const row of data.redemptions) {
      const legacyId = str(row.id)
      const skip = (why: string) => {
        counts.skipped++
        issue('redeem_transactions', legacyId ?? '(none)', 'skipped', why)
        tick()
      }
      if (!legacyId) {
        skip('redemption without an id')
        continue
      }
      if (seen.has(legacyId)) {
        skip('duplicate legacy id: only the first row is imported')
        continue
      }
      seen.add(legacyId)
      const memberLegacyId = str(row.member_id)
      const voucherLegacyId = str(row.voucher_id)
      const memberId = memberLegacyId ? memberIdByLegacy.get(memberLegacyId) : undefined
      const voucher = voucherLegacyId ? voucherIdByLegacy.get(voucherLegacyId) : undefined
      if (memberId === undefined) {
        skip(memberLegacyId ? (skippedMembers.get(memberLegacyId) ?? `unknown member ${memberLegacyId}`) : 'no member')
        continue
      }
      if (!voucher) {
        skip(voucherLegacyId ? (skippedVouchers.get(voucherLegacyId) ?? `unknown voucher ${voucherLegacyId}`) : 'no voucher')
        continue
      }
      const usedDate = parseLegacyDate(row.used_date)
      const mapped = mapRedemptionStatus(str(row.status), usedDate !== null)
      if (!mapped.known) issue('redeem_transactions', legacyId, 'warning', `unknown status "${str(row.status)}" imported as ${mapped.status}`)
      const created = parseLegacyDate(row.created_at)
      const updated = parseLegacyDate(row.updated_at)
      const redeemedAt = parseLegacyDate(row.redeem_date) ?? created ?? now
      const pointsUsed = Math.abs(Math.round(num(row.points_used) ?? voucher.pointsCost))
      const endedAt = (updated ?? usedDate ?? redeemedAt).toISOString()
      planned.push({
        legacyId,
        memberId,
        voucherId: voucher.id,
        pointsUsed,
        status: mapped.status,
        redeemedAt: redeemedAt.toISOString(),
        usedAt: mapped.status === 'used' ? (usedDate ?? updated ?? redeemedAt).toISOString() : null,
        // A pending legacy redemption gets Patron's validity window from the import, so members keep what they hold.
        expiresAt:
          mapped.status === 'pending'
            ? (redemptionExpiry(now, rules.redemptionValidityDays)?.toISOString() ?? null)
            : mapped.status === 'expired'
              ? endedAt
              : null,
        cancelledAt: mapped.status === 'cancelled' ? endedAt : null,
        createdAt: (created ?? redeemedAt).toISOString(),
      })
    }
    // Points for redemptions already come from the legacy point transactions: no ledger entries here.
    const insert = (part: Planned[]) => {
      const values = part.map(
        (p) => sql`(${randomCode('RD')}, ${p.memberId}, ${p.voucherId}, ${p.pointsUsed}, ${p.status}, ${p.redeemedAt}, ${p.usedAt},
          ${p.expiresAt}, ${p.cancelledAt}, ${p.legacyId}, ${p.createdAt}, now())`,
      )
      return inTransaction(payload, undefined, (db) =>
        rows<{ legacy_id: string }>(
          db,
          sql`insert into redemptions (redemption_code, member_id, voucher_id, points_used, status, redeemed_at, used_at,
                expires_at, cancelled_at, legacy_id, created_at, updated_at)
              values ${sql.join(values, sql`, `)}
              on conflict (legacy_id) do nothing
              returning legacy_id`,
        ),
      )
    }
    for (const part of chunks(planned, 500)) {
      checkAbort()
      let inserted: Array<{ legacy_id: string }> | undefined
      for (let attempt = 1; !inserted; attempt++) {
        try {
          inserted = await insert(part)
        } catch (err) {
          // A generated redemption code that happens to exist already: new codes, another try.
          if (uniqueViolation(err) === 'redemptions_redemption_code_idx' && attempt < 3) continue
          // Anything else: row by row, so one bad row is reported and the others go in.
          inserted = []
          for (const p of part) {
            try {
              inserted.push(...(await insert([p])))
            } catch (e) {
              counts.skipped++
              issue('redeem_transactions', p.legacyId, 'skipped', `could not be inserted: ${errorMessage(e)}`)
              inserted.push({ legacy_id: '' }) // counted as skipped, not as existing
            }
          }
        }
      }
      const skipped = inserted.filter((r) => r.legacy_id === '').length
      counts.created += inserted.length - skipped
      counts.existing += part.length - inserted.length
      tick(part.length)
    }
  }

  // ---- reconciliation -----------------------------------------------------------
  {
    const all = [...groups.values()]
    const total = all.length
    let done = 0
    progress({ phase: 'reconcile', done: 0, total })
    for (const part of chunks(all, 1000)) {
      const facts = new Map(
        (
          await rows<{ id: number; points_balance: string; tier: string | null; ledger_sum: string; other_sum: string; negative: number }>(
            pool,
            sql`select m.id, m.points_balance, m.tier,
                  coalesce(sum(t.points), 0) as ledger_sum,
                  coalesce(sum(t.points) filter (where t.idempotency_key is null or t.idempotency_key not like ${`${LEDGER_KEY_PREFIX}%`}), 0) as other_sum,
                  count(*) filter (where t.balance_after < 0)::int as negative
                from members m left join point_transactions t on t.member_id = m.id
                where m.id in ${part.map((g) => g.memberId)}
                group by m.id`,
          )
        ).map((r) => [r.id, r]),
      )
      for (const g of part) {
        const f = facts.get(g.memberId)
        if (!f) continue
        const balance = Number(f.points_balance)
        const ledgerSum = Number(f.ledger_sum)
        if (balance !== ledgerSum || balance < 0 || f.negative > 0) report.ledgerViolations.push({ memberId: g.memberId, pointsBalance: balance, ledgerSum })
        const txSum = legacyTxSum.get(g.memberId) ?? 0
        const reasons: string[] = []
        if (g.legacyTotal !== txSum) reasons.push('legacy total_points differs from the sum of its legacy transactions')
        if (membersWithClamps.has(g.memberId)) reasons.push('the legacy history went below zero: entries were clamped')
        if (membersWithSkippedTx.has(g.memberId)) reasons.push('some legacy transactions were not imported')
        const other = Number(f.other_sum)
        if (other !== 0) reasons.push(`${other} points from entries made in Patron itself (outside the import)`)
        reasons.push(...g.notes)
        if (g.legacyTotal !== txSum || balance !== g.legacyTotal) {
          if (balance !== g.legacyTotal && reasons.length === 0) reasons.push('Patron balance differs from the legacy total_points')
          report.mismatches.push({
            memberId: g.memberId,
            legacyId: g.legacyIds[0],
            legacyIds: g.legacyIds,
            email: g.email,
            legacyTotalPoints: g.legacyTotal,
            legacyTransactionSum: txSum,
            patronBalance: balance,
            reasons,
          })
        }
        const legacyTier = g.legacyTiers[0]
        if (legacyTier) {
          const named = legacyTierName(legacyTier, rules.tiers)
          if ((f.tier ?? '').toLowerCase() !== named.toLowerCase()) {
            report.tierDifferences.push({ memberId: g.memberId, legacyId: g.legacyIds[0], legacyTier, patronTier: f.tier })
          }
        }
      }
      report.membersReconciled += part.length
      progress({ phase: 'reconcile', done: (done += part.length), total })
    }
    report.mismatches.sort((a, b) => compareIds(a.legacyId, b.legacyId))
    report.tierDifferences.sort((a, b) => compareIds(a.legacyId, b.legacyId))
  }

  report.durationMs = Date.now() - started
  return report
}

// ---------------------------------------------------------------------------
// Summary

/** A human-readable summary of a report (what the CLI prints). */
export function formatLegacyImportReport(r: LegacyImportReport, opts: { maxListed?: number } = {}): string {
  const max = opts.maxListed ?? 50
  const lines: string[] = []
  const row = (label: string, c: TableCounts) =>
    `  ${label.padEnd(20)} ${String(c.read).padStart(7)} ${String(c.created).padStart(8)} ${String(c.existing).padStart(8)} ${String(c.updated).padStart(8)} ${String(c.linked + c.merged).padStart(8)} ${String(c.skipped).padStart(8)}`
  lines.push(`Legacy import of ${r.source} (${(r.durationMs / 1000).toFixed(1)} s)`)
  lines.push(`  ${'table'.padEnd(20)} ${'read'.padStart(7)} ${'created'.padStart(8)} ${'present'.padStart(8)} ${'updated'.padStart(8)} ${'linked'.padStart(8)} ${'skipped'.padStart(8)}`)
  lines.push(row('members', r.members))
  lines.push(row('vouchers', r.vouchers))
  lines.push(row('point_transactions', r.pointTransactions))
  lines.push(row('redeem_transactions', r.redemptions))
  lines.push(`  (present: imported by an earlier run; linked: matched to an existing Patron record by e-mail or code, or merged into a duplicate)`)
  lines.push(`  fixed discounts read as ${r.moneyUnit === 'major' ? 'decimal currency, stored in minor units (x100)' : 'minor units'}`)
  lines.push('')
  lines.push(`Reconciliation: ${r.membersReconciled} members, ${r.mismatches.length} mismatching`)
  if (r.mismatches.length) {
    lines.push(`  ${'legacy id'.padEnd(24)} ${'member'.padStart(8)} ${'legacy total'.padStart(13)} ${'legacy txns'.padStart(12)} ${'Patron'.padStart(10)}  why`)
    for (const m of r.mismatches.slice(0, max)) {
      lines.push(
        `  ${m.legacyIds.join('+').padEnd(24)} ${String(m.memberId).padStart(8)} ${String(m.legacyTotalPoints).padStart(13)} ${String(m.legacyTransactionSum).padStart(12)} ${String(m.patronBalance).padStart(10)}  ${m.reasons.join('; ')}`,
      )
    }
    if (r.mismatches.length > max) lines.push(`  … and ${r.mismatches.length - max} more`)
  }
  if (r.clampedEntries.length) {
    lines.push('')
    lines.push(`Entries that would have taken a balance below zero: ${r.clampedEntries.length}`)
    for (const c of r.clampedEntries.slice(0, max)) {
      lines.push(`  transaction ${c.legacyId} (member ${c.memberLegacyId}): legacy ${c.legacyPoints}, ${c.postedPoints === 0 ? 'not imported' : `imported as ${c.postedPoints}`}`)
    }
    if (r.clampedEntries.length > max) lines.push(`  … and ${r.clampedEntries.length - max} more`)
  }
  if (r.tierDifferences.length) {
    lines.push('')
    lines.push(`Tiers that differ from the legacy tier_level (Patron computes tiers from its rules): ${r.tierDifferences.length}`)
    for (const t of r.tierDifferences.slice(0, max)) lines.push(`  member ${t.legacyId}: legacy ${t.legacyTier}, Patron ${t.patronTier ?? '(none)'}`)
    if (r.tierDifferences.length > max) lines.push(`  … and ${r.tierDifferences.length - max} more`)
  }
  if (r.ledgerViolations.length) {
    lines.push('')
    lines.push(`LEDGER CHECK FAILED for ${r.ledgerViolations.length} members (balance is not the ledger sum, or negative):`)
    for (const v of r.ledgerViolations.slice(0, max)) lines.push(`  member ${v.memberId}: balance ${v.pointsBalance}, ledger sum ${v.ledgerSum}`)
  }
  const notable = r.issues.filter((i) => i.kind !== 'clamped')
  if (notable.length) {
    lines.push('')
    lines.push(`Skipped, linked and merged rows, warnings: ${notable.length}`)
    for (const i of notable.slice(0, max)) lines.push(`  ${i.kind.padEnd(8)} ${i.table} ${i.legacyId}: ${i.message}`)
    if (notable.length > max) lines.push(`  … and ${notable.length - max} more`)
  }
  return lines.join('\n')
}
