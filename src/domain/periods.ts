/**
 * Reporting periods for statistics endpoints: the `from`, `to` and `interval`
 * query parameters (SPEC §3), parsed and checked. Pure: no Payload import.
 *
 * A period is the half-open range `from <= t < to` of instants, cut into
 * calendar buckets (day, ISO week starting Monday, month) in a time zone:
 *
 * - a date (`2024-03-01`) means that local calendar day: as `from` its first
 *   instant, as `to` the whole day is included (the range ends at the next
 *   local midnight);
 * - a date-time with `Z` or an offset is that instant; without one it is a
 *   wall-clock time in the time zone. A date-time `to` is included (the range
 *   ends 1 ms later; timestamps are stored with millisecond precision);
 * - without `to`: now. Without `from`: the start of the local day 29 days
 *   before `to`'s day, so the default is the last 30 calendar days, today
 *   included.
 */

export const INTERVALS = ['day', 'week', 'month'] as const
export type Interval = (typeof INTERVALS)[number]

/** At most this many buckets per answer; a longer range needs a coarser interval. */
export const MAX_BUCKETS = 400
/** Length of the default range, in local calendar days. */
export const DEFAULT_RANGE_DAYS = 30

export type Period = {
  /** First instant in the range. */
  from: Date
  /** First instant after the range (exclusive end). */
  to: Date
  interval: Interval
  /** IANA time zone the buckets follow. */
  timeZone: string
  /** Number of buckets the range covers. */
  buckets: number
}

/** A query parameter that cannot be used; `param` names it. */
export class PeriodError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message)
    this.name = 'PeriodError'
  }
}

export type ParsePeriodOptions = {
  /** The current instant (tests pin it). */
  now?: Date
  /** IANA time zone for dates and buckets; UTC when unset or unknown. */
  timeZone?: string | null
}

const DAY_MS = 86_400_000

/** True when `tz` is a time zone name the platform knows. */
export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || !tz.trim()) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

export type LocalDateTime = { year: number; month: number; day: number; hour: number; minute: number; second: number; ms: number }

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** The wall-clock date and time of `instant` in `timeZone`. */
export function localParts(instant: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, number> = {}
  for (const p of formatterFor(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const ms = ((instant.getTime() % 1000) + 1000) % 1000
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute, second: parts.second, ms }
}

const wallMs = (t: LocalDateTime) => {
  const d = new Date(0)
  d.setUTCFullYear(t.year, t.month - 1, t.day)
  d.setUTCHours(t.hour, t.minute, t.second, t.ms)
  return d.getTime()
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Berlin in winter: +3 600 000). */
function offsetAt(instantMs: number, timeZone: string): number {
  return wallMs(localParts(new Date(instantMs), timeZone)) - instantMs
}

/**
 * The instant at which the clocks in `timeZone` show `local`. In a
 * daylight-saving gap (a time that does not exist) the result is shifted by
 * the gap; in an overlap the earlier instant wins.
 */
export function zonedTimeToInstant(local: LocalDateTime, timeZone: string): Date {
  const wall = wallMs(local)
  // The offsets a day before and a day after bracket any transition near this wall time.
  const before = wall - offsetAt(wall - DAY_MS, timeZone)
  const after = wall - offsetAt(wall + DAY_MS, timeZone)
  const maps = (t: number) => wallMs(localParts(new Date(t), timeZone)) === wall
  const ok = [before, after].filter(maps)
  if (ok.length) return new Date(Math.min(...ok))
  // A gap: read the wall time with the offset in force before it, which lands after the gap.
  return new Date(before)
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i

type ParsedBound = { instant: Date; dateOnly: boolean; local: LocalDateTime }

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** Parses one date or date-time; null when it is not one (or not a real calendar date). */
export function parseDateTime(text: string, timeZone: string): ParsedBound | null {
  const m = DATE_RE.exec(text.trim())
  if (!m) return null
  const [, y, mo, d, h, mi, s, frac, zone] = m
  const local: LocalDateTime = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: h === undefined ? 0 : Number(h),
    minute: mi === undefined ? 0 : Number(mi),
    second: s === undefined ? 0 : Number(s),
    ms: frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000),
  }
  if (local.year < 1000 || local.month < 1 || local.month > 12) return null
  if (local.day < 1 || local.day > daysInMonth(local.year, local.month)) return null
  if (local.hour > 23 || local.minute > 59 || local.second > 59) return null
  const dateOnly = h === undefined
  if (zone === undefined) return { instant: zonedTimeToInstant(local, timeZone), dateOnly, local }
  let offsetMin = 0
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2))
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0
    if (oh > 23 || om > 59) return null
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  return { instant: new Date(wallMs(local) - offsetMin * 60_000), dateOnly, local }
}

/** Days since 1970-01-01 of a local calendar date. */
const dayNumber = (t: { year: number; month: number; day: number }) => Math.round(wallMs({ ...t, hour: 0, minute: 0, second: 0, ms: 0 }) / DAY_MS)

/** Local midnight starting the calendar day `days` after the local day of `t`. */
function startOfLocalDay(t: LocalDateTime, days: number, timeZone: string): Date {
  const d = new Date(wallMs({ ...t, hour: 0, minute: 0, second: 0, ms: 0 }) + days * DAY_MS)
  return zonedTimeToInstant(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0, second: 0, ms: 0 },
    timeZone,
  )
}

/** How many `interval` buckets (in `timeZone`) the half-open range [from, to) touches. */
export function countBuckets(from: Date, to: Date, interval: Interval, timeZone: string): number {
  if (to.getTime() <= from.getTime()) return 0
  const a = localParts(from, timeZone)
  const b = localParts(new Date(to.getTime() - 1), timeZone)
  if (interval === 'month') return (b.year - a.year) * 12 + (b.month - a.month) + 1
  const da = dayNumber(a)
  const db = dayNumber(b)
  if (interval === 'day') return db - da + 1
  // ISO weeks start on Monday; 1970-01-01 (day 0) was a Thursday.
  const monday = (n: number) => n - ((n + 3) % 7)
  return (monday(db) - monday(da)) / 7 + 1
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new PeriodError(`\`${name}\` must be given once, as a plain value.`, name)
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

function bound(query: Record<string, unknown>, name: 'from' | 'to', timeZone: string): ParsedBound | undefined {
  const text = single(query, name)
  if (text === undefined) return undefined
  const parsed = parseDateTime(text, timeZone)
  if (!parsed) {
    throw new PeriodError(
      `\`${name}\` is not a valid date: use YYYY-MM-DD or an ISO 8601 date-time such as 2024-03-01T00:00:00Z (got "${text.slice(0, 40)}").`,
      name,
    )
  }
  return parsed
}

/**
 * Reads `from`, `to` and `interval` from a parsed query string. Throws a
 * PeriodError naming the parameter for anything unusable: not a date, `from`
 * after `to`, an unknown interval, or more than MAX_BUCKETS buckets.
 */
export function parsePeriod(query: Record<string, unknown>, options: ParsePeriodOptions = {}): Period {
  const timeZone = isValidTimeZone(options.timeZone) ? options.timeZone : 'UTC'
  const now = options.now ?? new Date()

  const intervalText = single(query, 'interval')
  if (intervalText !== undefined && !(INTERVALS as readonly string[]).includes(intervalText)) {
    throw new PeriodError(`\`interval\` must be one of ${INTERVALS.join(', ')} (got "${intervalText.slice(0, 40)}").`, 'interval')
  }
  const interval = (intervalText ?? 'day') as Interval

  const fromBound = bound(query, 'from', timeZone)
  const toBound = bound(query, 'to', timeZone)

  let to: Date
  let lastLocal: LocalDateTime
  if (!toBound) {
    to = new Date(now.getTime() + 1)
    lastLocal = localParts(now, timeZone)
  } else if (toBound.dateOnly) {
    to = startOfLocalDay(toBound.local, 1, timeZone)
    lastLocal = toBound.local
  } else {
    to = new Date(toBound.instant.getTime() + 1)
    lastLocal = localParts(toBound.instant, timeZone)
  }
  const from = fromBound ? fromBound.instant : startOfLocalDay(lastLocal, -(DEFAULT_RANGE_DAYS - 1), timeZone)

  if (from.getTime() >= to.getTime()) {
    throw new PeriodError('`from` must not be after `to`.', fromBound ? 'from' : 'to')
  }
  const buckets = countBuckets(from, to, interval, timeZone)
  if (buckets > MAX_BUCKETS) {
    const coarser = interval === 'day' ? ' or interval=week' : interval === 'week' ? ' or interval=month' : ''
    throw new PeriodError(
      `The range covers ${buckets} ${interval} buckets; at most ${MAX_BUCKETS} are allowed. Use a shorter range${coarser}.`,
      'interval',
    )
  }
  return { from, to, interval, timeZone, buckets }
}

/** Reads an optional positive whole-number `name` parameter (a list size), `fallback` when absent. */
export function parseLimit(query: Record<string, unknown>, name: string, fallback: number, max: number): number {
  const text = single(query, name)
  if (text === undefined) return fallback
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new PeriodError(`\`${name}\` must be a whole number from 1 to ${max}.`, name)
  }
  return Number(text)
}
