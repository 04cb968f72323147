import fs from 'node:fs'
import path from 'node:path'
import type { TargetName } from './fixtures'
import type { InvariantCheck } from './invariants'
import type { LoadResult } from './load'
import type { RssSample } from './processes'
import type { Target } from './scenarios'

export type TargetResult = {
  warmup: LoadResult | null
  load: LoadResult | null
  rss: RssSample | null
  invariants: InvariantCheck[]
  /** One request sent before the load, to see that the route works at all. */
  probe: { status: number; body: string } | null
  notes: string[]
  error: string | null
}

export type ScenarioResult = {
  id: string
  title: string
  request: string
  floor: string
  connections: number
  /** Share of the CPU busy with other programs just before the scenario ran (0–1; null when unknown). */
  backgroundCpu: number | null
  target: Target | null
  results: Partial<Record<TargetName, TargetResult>>
  /** API 2xx req/s over floor 2xx req/s, same run. */
  ratio: number | null
  /** Next 2xx req/s over floor 2xx req/s (with --with-next). */
  nextRatio: number | null
  met: boolean | null
}

export type BenchReport = {
  date: string
  machine: { cores: number; cpuModel: string; memoryGiB: number; os: string; node: string; postgres: string; redis: string; loadAverage: number[] }
  config: {
    scale: number
    duration: number
    warmup: number
    workers: number
    database: string
    redis: string
    rateLimits: Record<string, string>
    withNext: boolean
    poolMaxPerProcess: number
  }
  data: Record<string, number>
  scenarios: ScenarioResult[]
  memory: { api: RssSample | null; floor: RssSample | null; next: RssSample | null; targetMB: number; met: boolean | null }
  invariantViolations: number
  notes: string[]
}

const mb = (bytes: number | undefined | null) => (bytes ? Math.round(bytes / 1024 / 1024) : 0)
const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits))
const pct = (r: number | null) => (r === null ? '–' : `${Math.round(r * 100)}%`)

/** Background CPU share above which a scenario's figures are flagged. */
export const BUSY = 0.15

export function judge(s: ScenarioResult): boolean | null {
  const api = s.results.api
  if (!s.target || !api?.load) return null
  const violations = [...(api.invariants ?? [])].reduce((n, c) => n + c.violations, 0)
  switch (s.target.kind) {
    case 'ratio':
      return s.ratio !== null && s.ratio >= s.target.min
    case 'rps':
      return api.load.rps >= s.target.min && violations === 0
    case 'p95':
      return api.load.latency.p95 <= s.target.maxMs && api.load.non2xx === 0
  }
}

function lat(r: TargetResult | undefined) {
  const l = r?.load?.latency
  return l ? `${fmt(l.p50, 1)} / ${fmt(l.p95, 1)} / ${fmt(l.p99, 1)}` : '–'
}

/** CPU milliseconds the server's processes spent per answer in the measured phase (its own processes; PostgreSQL not included). */
function cpuPerRequest(r: TargetResult | undefined) {
  if (!r?.load || !r.rss || !r.load.responses) return '–'
  return fmt((r.rss.cpuSeconds * 1000) / r.load.responses, 2)
}

function failures(r: TargetResult | undefined) {
  if (!r) return '–'
  if (r.error && !r.load) return 'failed'
  const l = r.load
  return l ? String(l.non2xx + l.errors) : '–'
}

export function markdown(report: BenchReport): string {
  const withNext = report.config.withNext
  const head = [
    'scenario',
    'conns',
    'API req/s',
    'floor req/s',
    'API/floor',
    ...(withNext ? ['Next req/s', 'Next/floor'] : []),
    'API p50 / p95 / p99 ms',
    'floor p50 / p95 / p99 ms',
    'CPU ms/req (API / floor)',
    'non-2xx + errors (API / floor)',
    'target',
    'met?',
  ]
  const rows = report.scenarios.map((s) => {
    const api = s.results.api
    const floor = s.results.floor
    const next = s.results.next
    return [
      s.title,
      String(s.connections),
      fmt(api?.load?.rps),
      fmt(floor?.load?.rps),
      pct(s.ratio),
      ...(withNext ? [fmt(next?.load?.rps), pct(s.nextRatio)] : []),
      lat(api),
      lat(floor),
      `${cpuPerRequest(api)} / ${cpuPerRequest(floor)}`,
      `${failures(api)} / ${failures(floor)}`,
      s.target?.text ?? '–',
      s.met === null ? '–' : s.met ? 'yes' : '**no**',
    ]
  })
  const memory = report.memory
  rows.push([
    'API process RSS under load (max of any worker)',
    '',
    '',
    '',
    '',
    ...(withNext ? ['', ''] : []),
    memory.api ? `${mb(memory.api.maxWorkerBytes)} MB (primary ${mb(memory.api.maxPrimaryBytes)} MB)` : '–',
    memory.floor ? `floor ${mb(memory.floor.maxWorkerBytes)} MB` : '–',
    '',
    '',
    `≤ ${memory.targetMB} MB`,
    memory.met === null ? '–' : memory.met ? 'yes' : '**no**',
  ])
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  const table = [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')

  const checks = report.scenarios.flatMap((s) =>
    (Object.entries(s.results) as Array<[TargetName, TargetResult]>).flatMap(([t, r]) =>
      r.invariants.map((c) => `| ${s.title} | ${t} | ${c.name} | ${c.violations} | ${c.detail ?? ''} |`),
    ),
  )
  const errors = report.scenarios.flatMap((s) =>
    (Object.entries(s.results) as Array<[TargetName, TargetResult]>)
      .filter(([, r]) => r.error || (r.load && r.load.non2xx + r.load.errors > 0))
      .map(([t, r]) => {
        const codes = r.load ? Object.entries(r.load.statusCodes).map(([c, n]) => `${c}×${n}`).join(', ') : ''
        const extra = r.load && r.load.errors ? `, ${r.load.errors} connection errors (${r.load.timeouts} timeouts)` : ''
        return `- ${s.title} — ${t}: ${r.error ?? ''}${codes ? ` status codes: ${codes}${extra}` : ''}${r.probe && r.probe.status >= 300 ? `; probe answered ${r.probe.status}: ${r.probe.body.slice(0, 300)}` : ''}`
      }),
  )
  const m = report.machine
  const c = report.config
  const busy = report.scenarios.filter((s) => (s.backgroundCpu ?? 0) > BUSY)
  return [
    `# Patron benchmark — ${report.date}`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; PostgreSQL ${m.postgres}; Redis ${m.redis}. ` +
      `Load average at the end (1/5/15 min): ${m.loadAverage.map((n) => n.toFixed(2)).join(' / ')}.`,
    ...(busy.length
      ? [
          '',
          `**Warning: other programs kept the CPU busy during this run (measured just before ${busy.map((s) => `${s.title}: ${pct(s.backgroundCpu)}`).join('; ')}): ` +
            'the figures of those scenarios are unreliable, ratios included. Re-run on an otherwise idle machine.**',
        ]
      : []),
    '',
    `Data: the large seed (src/seed/large.ts) at scale ${c.scale} plus the bench fixtures — ${Object.entries(report.data)
      .map(([k, v]) => `${v.toLocaleString('en')} ${k}`)
      .join(', ')}.`,
    `Each scenario: ${c.warmup} s warm-up, then ${c.duration} s measured, load generator (autocannon) on the same machine over loopback. ` +
      `API = \`npm run api\` (Payload REST/GraphQL on plain Node, ${c.workers} cluster workers, NODE_ENV=production); ` +
      `floor = raw Node \`http\` + \`pg\` Pool (${c.workers} cluster workers) doing the equivalent SQL without the framework; ` +
      `both with at most ${c.poolMaxPerProcess} database connections per process${c.withNext ? '; Next = `npm start` (`next start`)' : ''}.`,
    `req/s counts 2xx answers only; latency covers every answer. Ratios compare with the floor measured in this run. ` +
      `CPU ms/req is the CPU time the server's own processes used per answer (PostgreSQL excluded): unlike req/s, it hardly moves when other programs compete for the CPU.`,
    '',
    table,
    '',
    `Invariant violations after the write scenarios: **${report.invariantViolations}**.`,
    '',
    ...(checks.length ? ['| scenario | target | invariant | violations | detail |', '| --- | --- | --- | --- | --- |', ...checks, ''] : []),
    ...(errors.length ? ['Non-2xx answers and errors:', '', ...errors, ''] : []),
    'Setup:',
    '',
    `- Database: ${c.database}. Redis: ${c.redis}.`,
    `- Rate limits raised for the run (environment of the API and Next processes): ${Object.entries(c.rateLimits)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    ...report.notes.map((n) => `- ${n}`),
    '',
    'What the floor does per scenario:',
    '',
    ...report.scenarios.map((s) => `- **${s.title}** (\`${s.request}\`): ${s.floor}.`),
    '',
  ].join('\n')
}

export function writeReport(dir: string, report: BenchReport): { json: string; md: string } {
  fs.mkdirSync(dir, { recursive: true })
  const json = path.join(dir, 'latest.json')
  const md = path.join(dir, 'latest.md')
  fs.writeFileSync(json, JSON.stringify(report, null, 2) + '\n')
  fs.writeFileSync(md, markdown(report))
  return { json, md }
}
