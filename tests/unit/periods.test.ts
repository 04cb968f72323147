import { describe, expect, it } from 'vitest'
import {
  countBuckets,
  DEFAULT_RANGE_DAYS,
  isValidTimeZone,
  localParts,
  MAX_BUCKETS,
  parseDateTime,
  parseLimit,
  parsePeriod,
  PeriodError,
  zonedTimeToInstant,
} from '../../src/domain/periods'

const iso = (d: Date) => d.toISOString()
const NOW = new Date('2024-05-15T10:20:30.400Z')

/** The PeriodError `fn` throws (fails the test when it throws nothing or something else). */
function periodError(fn: () => unknown): PeriodError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(PeriodError)
    return err as PeriodError
  }
  throw new Error('expected a PeriodError')
}

describe('parsePeriod: defaults', () => {
  it('is the last 30 calendar days up to now, by day, in UTC', () => {
    const p = parsePeriod({}, { now: NOW })
    expect(p.interval).toBe('day')
    expect(p.timeZone).toBe('UTC')
    expect(iso(p.from)).toBe('2024-04-16T00:00:00.000Z')
    expect(iso(p.to)).toBe('2024-05-15T10:20:30.401Z') // now included
    expect(p.buckets).toBe(DEFAULT_RANGE_DAYS)
  })

  it('counts the default days in the given time zone', () => {
    // 10:20 UTC is 19:20 in Tokyo, same day; the range starts at Tokyo midnight.
    const p = parsePeriod({}, { now: NOW, timeZone: 'Asia/Tokyo' })
    expect(p.timeZone).toBe('Asia/Tokyo')
    expect(iso(p.from)).toBe('2024-04-15T15:00:00.000Z')
    expect(p.buckets).toBe(30)
  })

  it('falls back to UTC for an unknown or empty time zone', () => {
    expect(parsePeriod({}, { now: NOW, timeZone: 'Mars/Olympus' }).timeZone).toBe('UTC')
    expect(parsePeriod({}, { now: NOW, timeZone: '' }).timeZone).toBe('UTC')
    expect(parsePeriod({}, { now: NOW, timeZone: null }).timeZone).toBe('UTC')
  })

  it('takes the 30 days before `to` when only `to` is given', () => {
    const p = parsePeriod({ to: '2024-02-29' }, { now: NOW })
    expect(iso(p.from)).toBe('2024-01-31T00:00:00.000Z')
    expect(iso(p.to)).toBe('2024-03-01T00:00:00.000Z')
    expect(p.buckets).toBe(30)
  })

  it('runs up to now when only `from` is given', () => {
    const p = parsePeriod({ from: '2024-05-01' }, { now: NOW })
    expect(iso(p.from)).toBe('2024-05-01T00:00:00.000Z')
    expect(iso(p.to)).toBe('2024-05-15T10:20:30.401Z')
    expect(p.buckets).toBe(15)
  })

  it('treats empty parameters as absent', () => {
    const p = parsePeriod({ from: '', to: '  ', interval: '' }, { now: NOW })
    expect(p).toEqual(parsePeriod({}, { now: NOW }))
  })
})

describe('parsePeriod: explicit ranges', () => {
  it('includes the whole `to` day for dates', () => {
    const p = parsePeriod({ from: '2024-01-01', to: '2024-01-31' }, { now: NOW })
    expect(iso(p.from)).toBe('2024-01-01T00:00:00.000Z')
    expect(iso(p.to)).toBe('2024-02-01T00:00:00.000Z')
    expect(p.buckets).toBe(31)
  })

  it('accepts a single day (from = to)', () => {
    const p = parsePeriod({ from: '2024-01-01', to: '2024-01-01' }, { now: NOW })
    expect(p.buckets).toBe(1)
    expect(p.to.getTime() - p.from.getTime()).toBe(86_400_000)
  })

  it('includes a date-time `to` itself (the range ends 1 ms later)', () => {
    const p = parsePeriod({ from: '2024-01-01T06:00:00Z', to: '2024-01-02T06:00:00Z' }, { now: NOW })
    expect(iso(p.from)).toBe('2024-01-01T06:00:00.000Z')
    expect(iso(p.to)).toBe('2024-01-02T06:00:00.001Z')
    expect(p.buckets).toBe(2)
    expect(parsePeriod({ from: '2024-01-01T06:00:00Z', to: '2024-01-01T06:00:00Z' }, { now: NOW }).buckets).toBe(1)
  })

  it('reads offsets, and wall-clock times in the time zone', () => {
    expect(iso(parsePeriod({ from: '2024-01-01T00:00:00+02:00', to: '2024-01-02' }).from)).toBe('2023-12-31T22:00:00.000Z')
    expect(iso(parsePeriod({ from: '2024-01-01T00:00-0530', to: '2024-01-02' }).from)).toBe('2024-01-01T05:30:00.000Z')
    const berlin = parsePeriod({ from: '2024-01-01T08:30', to: '2024-01-02' }, { timeZone: 'Europe/Berlin' })
    expect(iso(berlin.from)).toBe('2024-01-01T07:30:00.000Z')
    expect(iso(berlin.to)).toBe('2024-01-02T23:00:00.000Z') // the end of 2 January, Berlin time
  })

  it('cuts weeks on Mondays and months on the 1st', () => {
    // 2024-01-01 is a Monday: 1..31 January touches 5 ISO weeks (the 29th starts the fifth).
    expect(parsePeriod({ from: '2024-01-01', to: '2024-01-31', interval: 'week' }).buckets).toBe(5)
    // Sunday 7 to Monday 8 January: two weeks.
    expect(parsePeriod({ from: '2024-01-07', to: '2024-01-08', interval: 'week' }).buckets).toBe(2)
    expect(parsePeriod({ from: '2024-01-31', to: '2024-02-01', interval: 'month' }).buckets).toBe(2)
    expect(parsePeriod({ from: '2023-11-15', to: '2024-02-10', interval: 'month' }).buckets).toBe(4)
  })

  it(`allows exactly ${MAX_BUCKETS} buckets and refuses one more`, () => {
    // 2023-01-01 + 399 days = 2024-02-04 (2023 has 365 days).
    expect(parsePeriod({ from: '2023-01-01', to: '2024-02-04' }).buckets).toBe(400)
    const err = periodError(() => parsePeriod({ from: '2023-01-01', to: '2024-02-05' }))
    expect(err.param).toBe('interval')
    expect(err.message).toMatch(/401 day buckets.*at most 400.*interval=week/)
    expect(parsePeriod({ from: '2023-01-01', to: '2024-02-05', interval: 'week' }).buckets).toBe(59)
    expect(parsePeriod({ from: '1990-01-01', to: '2023-04-30', interval: 'month' }).buckets).toBe(400)
    expect(periodError(() => parsePeriod({ from: '1990-01-01', to: '2023-05-01', interval: 'month' })).message).toMatch(/Use a shorter range\.$/)
  })
})

describe('parsePeriod: bad input', () => {
  it.each([
    ['from', 'yesterday'],
    ['from', '2024-13-01'],
    ['from', '2024-02-30'],
    ['from', '2023-02-29'],
    ['from', '2024-01-01T24:00:00Z'],
    ['from', '2024-01-01T10:61Z'],
    ['from', '2024-01-01T10:00:00+25:00'],
    ['to', '01/02/2024'],
    ['to', '0999-01-01'],
    ['to', '+275760-09-13'],
    ['to', '1706745600000'],
    ['to', '2024-01-01T'],
  ])('%s=%s is not a date', (param, value) => {
    const err = periodError(() => parsePeriod({ [param]: value }, { now: NOW }))
    expect(err.param).toBe(param)
    expect(err.message).toContain(`\`${param}\` is not a valid date`)
  })

  it('accepts a leap day', () => {
    expect(iso(parsePeriod({ from: '2024-02-29', to: '2024-03-01' }).from)).toBe('2024-02-29T00:00:00.000Z')
  })

  it.each(['hour', 'DAY', 'year', 'days'])('refuses interval=%s', (interval) => {
    const err = periodError(() => parsePeriod({ interval }, { now: NOW }))
    expect(err.param).toBe('interval')
    expect(err.message).toBe(`\`interval\` must be one of day, week, month (got "${interval}").`)
  })

  it('refuses `from` after `to`', () => {
    const err = periodError(() => parsePeriod({ from: '2024-02-02', to: '2024-02-01' }, { now: NOW }))
    expect(err.param).toBe('from')
    expect(err.message).toBe('`from` must not be after `to`.')
    periodError(() => parsePeriod({ from: '2024-01-01T00:00:00.001Z', to: '2024-01-01T00:00:00Z' }))
    // A `from` in the future with the default `to` (now).
    periodError(() => parsePeriod({ from: '2024-06-01' }, { now: NOW }))
  })

  it('refuses repeated or structured parameters', () => {
    expect(periodError(() => parsePeriod({ from: ['2024-01-01', '2024-01-02'] })).param).toBe('from')
    expect(periodError(() => parsePeriod({ to: { gt: '2024-01-01' } })).param).toBe('to')
    expect(periodError(() => parsePeriod({ interval: ['day'] })).message).toMatch(/given once/)
  })
})

describe('time zones', () => {
  it('knows IANA names', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true)
    expect(isValidTimeZone('UTC')).toBe(true)
    expect(isValidTimeZone('Not/AZone')).toBe(false)
    expect(isValidTimeZone(42)).toBe(false)
  })

  it('finds local midnight across daylight-saving changes', () => {
    const midnight = (day: number, month: number) =>
      iso(zonedTimeToInstant({ year: 2024, month, day, hour: 0, minute: 0, second: 0, ms: 0 }, 'Europe/Berlin'))
    expect(midnight(31, 3)).toBe('2024-03-30T23:00:00.000Z')
    expect(midnight(1, 4)).toBe('2024-03-31T22:00:00.000Z')
    expect(midnight(27, 10)).toBe('2024-10-26T22:00:00.000Z')
    expect(midnight(28, 10)).toBe('2024-10-27T23:00:00.000Z')
  })

  it('resolves a skipped time past the gap and a repeated time to its first occurrence', () => {
    const at = (hour: number, minute: number, month: number, day: number) =>
      iso(zonedTimeToInstant({ year: 2024, month, day, hour, minute, second: 0, ms: 0 }, 'Europe/Berlin'))
    expect(at(2, 30, 3, 31)).toBe('2024-03-31T01:30:00.000Z') // 03:30 CEST
    expect(at(2, 30, 10, 27)).toBe('2024-10-27T00:30:00.000Z') // the CEST one
  })

  it('reads wall-clock parts', () => {
    expect(localParts(new Date('2024-03-31T22:30:00.250Z'), 'Asia/Tokyo')).toEqual({
      year: 2024,
      month: 4,
      day: 1,
      hour: 7,
      minute: 30,
      second: 0,
      ms: 250,
    })
  })

  it('counts a 23-hour and a 25-hour day as one bucket each', () => {
    const p = parsePeriod({ from: '2024-03-30', to: '2024-04-01' }, { timeZone: 'Europe/Berlin' })
    expect(p.buckets).toBe(3)
    expect(p.to.getTime() - p.from.getTime()).toBe(3 * 86_400_000 - 3_600_000)
    expect(parsePeriod({ from: '2024-10-27', to: '2024-10-27' }, { timeZone: 'Europe/Berlin' }).buckets).toBe(1)
  })

  it('counts buckets in the time zone, not in UTC', () => {
    const from = new Date('2024-01-01T20:00:00Z')
    const to = new Date('2024-01-02T02:00:00Z')
    expect(countBuckets(from, to, 'day', 'UTC')).toBe(2)
    expect(countBuckets(from, to, 'day', 'Asia/Tokyo')).toBe(1) // 05:00 to 11:00 on 2 January
    expect(countBuckets(to, from, 'day', 'UTC')).toBe(0)
  })
})

describe('parseDateTime', () => {
  it('marks dates and keeps milliseconds', () => {
    expect(parseDateTime('2024-01-01', 'UTC')?.dateOnly).toBe(true)
    const dt = parseDateTime('2024-01-01 10:00:00.123456Z', 'UTC')
    expect(dt?.dateOnly).toBe(false)
    expect(dt && iso(dt.instant)).toBe('2024-01-01T10:00:00.123Z')
  })
})

describe('parseLimit', () => {
  it('defaults, accepts 1..max, refuses the rest', () => {
    expect(parseLimit({}, 'limit', 100, 1000)).toBe(100)
    expect(parseLimit({ limit: '1' }, 'limit', 100, 1000)).toBe(1)
    expect(parseLimit({ limit: '1000' }, 'limit', 100, 1000)).toBe(1000)
    for (const bad of ['0', '1001', '-1', '2.5', 'ten', '1e3']) {
      const err = periodError(() => parseLimit({ limit: bad }, 'limit', 100, 1000))
      expect(err.param).toBe('limit')
      expect(err.message).toBe('`limit` must be a whole number from 1 to 1000.')
    }
  })
})
