import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import { loadEnv, projectRoot } from '../src/lib/env'
import { ensureSecret } from '../src/lib/secret'
import {
  createDatabase,
  databaseExists,
  dropDatabase,
  openServer,
  readMarker,
  SEED_DB,
  serverFacts,
  WORK_DB,
  writeMarker,
  type BenchServer,
} from './bench/database'
import { FIXTURES_VERSION, type RunFixtures, type TargetName } from './bench/fixtures'
import { runLoad, type BenchRequest, type LoadResult } from './bench/load'
import { parseOptions, type BenchOptions } from './bench/options'
import { backgroundCpu, freePort, RssSampler, runToEnd, startProcess, stopAll, stopProcess, waitForHttp, waitUntilSettled, type RssSample, type Started } from './bench/processes'
import { BUSY, judge, markdown, writeReport, type BenchReport, type ScenarioResult, type TargetResult } from './bench/report'
import { waitForQuiet } from './bench/invariants'
import { SCENARIOS, type ScenarioContext } from './bench/scenarios'

/**
 * npm run bench — measures the API against a raw Node + PostgreSQL floor in
 * the same run (issue #5): prepares the bench database (large data and
 * fixtures, reused between runs), starts the lean API cluster, the floor and
 * optionally `next start`, drives each scenario with autocannon over loopback
 * after a warm-up, samples the API workers' memory, checks the invariants
 * after the write scenarios, and writes scripts/bench/results/latest.{json,md}.
 * Options: `npm run bench -- --help`. Exits non-zero only when the harness
 * itself fails (or a measurement could not run), never for a missed target.
 */

const RESULTS_DIR = path.join(projectRoot, 'scripts/bench/results')
const LOG_DIR = path.join(RESULTS_DIR, 'logs')
const RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_REDEEM: '1000000000',
  RATE_LIMIT_REDEEM_WINDOW_SECONDS: '1',
  RATE_LIMIT_LOGIN: '1000000000',
  RATE_LIMIT_AUTH_PER_IP: '1000000000',
  RATE_LIMIT_FORGOT_PASSWORD: '1000000000',
}
const RSS_TARGET_MB = 512

const t0 = Date.now()
const step = (line: string) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}`)

const cleanups: Array<() => Promise<void>> = []
let cleaning: Promise<void> | null = null
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAll().catch(() => undefined)
    for (const fn of cleanups.reverse()) await fn().catch((err) => console.error(`[bench] cleanup: ${err instanceof Error ? err.message : err}`))
  })()
  return cleaning
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.log(`\n[bench] ${signal}: stopping what the bench started…`)
    void cleanup().finally(() => process.exit(130))
  })
}

async function detectRedis(): Promise<{ url: string | null; version: string; how: string }> {
  const configured = process.env.REDIS_URL
  const url = configured || 'redis://127.0.0.1:6379'
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null, enableOfflineQueue: false })
  client.on('error', () => undefined)
  try {
    await client.connect()
    const info = await client.info('server')
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? '?'
    return { url, version, how: configured ? `REDIS_URL (${url})` : `${url} (found running; REDIS_URL was not set)` }
  } catch {
    if (configured) throw new Error(`REDIS_URL=${configured} does not answer`)
    return { url: null, version: 'none', how: 'none (nothing answers on 127.0.0.1:6379): cache and rate limits in-process per worker' }
  } finally {
    client.disconnect()
  }
}

/**
 * Makes sure the seed database holds the large data at this scale and the
 * fixtures, and signs the bench accounts in there, in a child process
 * (scripts/bench/setup.ts). Started again when it exits without an answer:
 * loading the Payload config under tsx now and then never finishes and the
 * process just ends (exit 0, no output; see scripts/bench/README.md).
 */
/** The newest migration: data seeded under an older schema (a table's storage settings, say) is seeded again. */
const SCHEMA =
  fs
    .readdirSync(path.join(projectRoot, 'migrations'))
    .filter((f) => /^\d{8}_\d{6}_\w+\.ts$/.test(f))
    .sort()
    .at(-1)
    ?.replace(/\.ts$/, '') ?? ''

async function prepareSeedDatabase(server: BenchServer, opts: BenchOptions): Promise<RunFixtures> {
  const marker = await readMarker(server, SEED_DB)
  const reuse =
    !opts.fresh && !!marker && marker.scale === opts.scale && marker.fixtures === FIXTURES_VERSION && marker.largeSeed && marker.schema === SCHEMA
  if (reuse) step(`reusing ${SEED_DB} (scale ${marker!.scale}, seeded ${marker!.seededAt})`)
  else {
    if (await databaseExists(server, SEED_DB)) {
      step(
        `${opts.fresh ? '--fresh: ' : ''}recreating ${SEED_DB}${marker && !opts.fresh ? ` (it holds scale ${marker.scale}, fixtures v${marker.fixtures}, schema ${marker.schema ?? 'unknown'})` : ''}`,
      )
    }
    await dropDatabase(server, SEED_DB)
    await createDatabase(server, SEED_DB)
  }
  const seededAt = reuse ? marker!.seededAt : new Date().toISOString()
  const out = path.join(os.tmpdir(), `patron-bench-setup-${process.pid}.json`)
  cleanups.push(async () => fs.rmSync(out, { force: true }))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: server.urlOf(SEED_DB),
    BENCH_SETUP_OUT: out,
    BENCH_SEED: reuse ? '0' : '1',
    BENCH_SCALE: String(opts.scale),
    BENCH_CACHE_KEY: `${SEED_DB}|${opts.scale}|${seededAt}`,
  }
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    step(`${reuse ? '' : `seeding the large data at scale ${opts.scale} and the fixtures, `}migrations and sign-ins (scripts/bench/setup.ts)…`)
    fs.rmSync(out, { force: true })
    const code = await runToEnd('setup', ['--import', 'tsx', 'scripts/bench/setup.ts'], env)
    if (code === 0 && fs.existsSync(out)) break
    if (code !== 0) throw new Error(`the bench setup failed (exit ${code}); its output is above`)
    if (attempt >= 3) throw new Error('the bench setup ended three times without finishing (loading Payload never completed)')
    step('the setup process ended without finishing (loading Payload hung): starting it again')
  }
  if (!reuse) {
    await writeMarker(server, SEED_DB, { scale: opts.scale, fixtures: FIXTURES_VERSION, seededAt, largeSeed: true, schema: SCHEMA })
    step(`seed database ready in ${Math.round((Date.now() - started) / 1000)} s`)
  }
  return JSON.parse(fs.readFileSync(out, 'utf8')) as RunFixtures
}

async function probe(baseUrl: string, req: BenchRequest): Promise<{ status: number; body: string; cache: string | null }> {
  try {
    // A connection of its own: never a kept-alive one the server may have closed meanwhile.
    const res = await fetch(baseUrl + req.path, {
      method: req.method,
      headers: { ...req.headers, connection: 'close' },
      body: req.body,
      signal: AbortSignal.timeout(30_000),
    })
    return { status: res.status, body: await res.text(), cache: res.headers.get('x-cache') }
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause
    return { status: 0, body: `${String(err)}${cause ? ` (${String(cause)})` : ''}`, cache: null }
  }
}

/** Every key path of a JSON answer (array items folded into `[]`), to compare two answers' shapes. */
function keyPaths(body: string): Set<string> | null {
  const out = new Set<string>()
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, `${at}[]`))
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        out.add(`${at}.${k}`)
        walk(x, `${at}.${k}`)
      }
    }
  }
  try {
    walk(JSON.parse(body), '')
    return out
  } catch {
    return null
  }
}

const maxRss = (a: RssSample | null, b: RssSample | null): RssSample | null =>
  !a ? b : !b ? a : { ...a, maxWorkerBytes: Math.max(a.maxWorkerBytes, b.maxWorkerBytes), maxPrimaryBytes: Math.max(a.maxPrimaryBytes, b.maxPrimaryBytes), maxTotalBytes: Math.max(a.maxTotalBytes, b.maxTotalBytes), processes: Math.max(a.processes, b.processes), cpuSeconds: a.cpuSeconds + b.cpuSeconds, machineCpuSeconds: a.machineCpuSeconds + b.machineCpuSeconds }

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2))
  loadEnv()
  ensureSecret({ allowGenerated: true })
  // Payload runs only in the child processes, in production mode (no generated types, no jobs in the web processes).
  Object.assign(process.env, { LOG_LEVEL: process.env.LOG_LEVEL || 'warn' })
  const scenarios = opts.only ? SCENARIOS.filter((s) => opts.only!.includes(s.id)) : SCENARIOS
  if (opts.only && scenarios.length !== opts.only.length) {
    throw new Error(`unknown scenario in --only; the scenarios are: ${SCENARIOS.map((s) => s.id).join(', ')}`)
  }
  if (opts.withNext && !fs.existsSync(path.join(projectRoot, '.next/BUILD_ID'))) throw new Error('--with-next needs a production build: run `npm run build` first')
  step(
    `scale ${opts.scale}, ${opts.warmup} s warm-up + ${opts.duration} s per scenario and target, ${opts.workers} worker(s) each for the API and the floor`,
  )

  const redis = await detectRedis()
  step(`Redis: ${redis.how}`)
  const server = await openServer(step)
  cleanups.push(() => server.stop())
  const fixtures = await prepareSeedDatabase(server, opts)

  step(`cloning ${SEED_DB} into this run's ${WORK_DB}…`)
  await dropDatabase(server, WORK_DB)
  await createDatabase(server, WORK_DB, SEED_DB)
  const workUrl = server.urlOf(WORK_DB)
  if (!opts.keep) cleanups.push(() => dropDatabase(server, WORK_DB))
  const pool = new pg.Pool({ connectionString: workUrl, max: 4 })
  cleanups.push(() => pool.end())
  const facts = await serverFacts(workUrl)
  const poolMax = Number(process.env.DATABASE_POOL_MAX || 20)
  const needed = opts.workers * poolMax * (opts.withNext ? 3 : 2) + 10
  if (needed > facts.maxConnections) step(`warning: up to ${needed} connections may be needed and the server allows ${facts.maxConnections}`)

  // The system under test and the floor, each in its own process group.
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...RATE_LIMITS,
    NODE_ENV: 'production',
    DATABASE_URL: workUrl,
    DATABASE_POOL_MAX: String(poolMax),
    LOG_LEVEL: 'warn',
    JOBS_AUTORUN: 'false',
    NEXT_TELEMETRY_DISABLED: '1',
  }
  if (redis.url) appEnv.REDIS_URL = redis.url
  else delete appEnv.REDIS_URL

  const targets: Array<{ name: TargetName; proc: Started; baseUrl: string }> = []
  /**
   * Starts a server and waits until it answers and all its processes are
   * up. Started again (twice at most) when it ends with exit code 0 before
   * answering: the intermittent hang of loading the Payload config under tsx
   * (see prepareSeedDatabase) ends a starting `npm run api` that way.
   */
  const launch = async (name: TargetName, script: string, env: NodeJS.ProcessEnv, port: number, processes: number) => {
    for (let attempt = 1; ; attempt++) {
      const proc = startProcess(name, ['--import', 'tsx', script], env, LOG_DIR)
      try {
        await waitForHttp(`http://127.0.0.1:${port}/api/health`, proc)
        await waitUntilSettled(proc, processes)
        targets.push({ name, proc, baseUrl: `http://127.0.0.1:${port}` })
        return
      } catch (err) {
        if (proc.child.exitCode !== 0 || attempt >= 3) throw err
        step(`${name} ended while starting, without an error (exit 0, nothing logged): starting it again`)
      }
    }
  }
  const apiPort = await freePort()
  step(`starting the API cluster (npm run api, ${opts.workers} workers) on port ${apiPort}…`)
  await launch('api', 'scripts/api.ts', { ...appEnv, API_PORT: String(apiPort), API_HOST: '127.0.0.1', API_WORKERS: String(opts.workers) }, apiPort, opts.workers + 1)
  const floorPort = await freePort()
  step(`starting the floor (raw node:http + pg, ${opts.workers} workers) on port ${floorPort}…`)
  const floorEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: workUrl,
    FLOOR_PORT: String(floorPort),
    FLOOR_HOST: '127.0.0.1',
    FLOOR_WORKERS: String(opts.workers),
    FLOOR_POOL_MAX: String(poolMax),
    FLOOR_GLOBALS: JSON.stringify(fixtures.globals),
  }
  await launch('floor', 'scripts/bench/floor-server.ts', floorEnv, floorPort, opts.workers + 1)
  if (opts.withNext) {
    const nextPort = await freePort()
    step(`starting next start (npm start) on port ${nextPort}…`)
    await launch('next', 'scripts/start.ts', { ...appEnv, PORT: String(nextPort), PUBLIC_URL: `http://127.0.0.1:${nextPort}` }, nextPort, 2)
  }
  step('all up')

  const ctx: ScenarioContext = { pool, fixtures, options: opts }
  const results: ScenarioResult[] = []
  const memory: Record<TargetName, RssSample | null> = { api: null, floor: null, next: null }
  const shapeSame: string[] = []
  const shapeDiffs: string[] = []
  let failed = false
  for (const [index, s] of scenarios.entries()) {
    const connections = s.connections(opts)
    await waitForQuiet(pool)
    const background = await backgroundCpu()
    step(
      `(${index + 1}/${scenarios.length}) ${s.title} — ${connections} connections` +
        (background !== null && background > BUSY ? ` — warning: other programs are using ${Math.round(background * 100)}% of the CPU` : ''),
    )
    const shapes: Partial<Record<TargetName, Set<string> | null>> = {}
    const result: ScenarioResult = {
      id: s.id,
      title: s.title,
      request: s.request,
      floor: s.floor,
      connections,
      backgroundCpu: background,
      target: s.target,
      results: {},
      ratio: null,
      nextRatio: null,
      met: null,
    }
    for (const t of targets) {
      const r: TargetResult = { warmup: null, load: null, rss: null, invariants: [], probe: null, notes: [], error: null }
      result.results[t.name] = r
      try {
        // Requests the previous load left in flight are still running: let them finish first.
        await waitForQuiet(pool)
        if (s.writes && !facts.autovacuum) {
          // What autovacuum would have done meanwhile: each target starts without the dead
          // rows an earlier run left behind (the same for the API and the floor).
          await pool.query(`vacuum (analyze) ${s.writes.map((w) => pg.escapeIdentifier(w)).join(', ')}`)
        }
        const run = await s.begin(ctx, t.name)
        const warm = await run.phase('warmup', null)
        const request = warm.next()
        const answer = await probe(t.baseUrl, request)
        if (request.method === 'GET' && answer.cache) {
          // The same request again: does the API answer it from its response cache?
          const again = await probe(t.baseUrl, request)
          r.notes.push(`x-cache of a repeated request: ${again.cache}`)
        }
        shapes[t.name] = answer.status >= 200 && answer.status < 300 ? keyPaths(answer.body) : null
        // Bodies are kept only for failures, and never with a token in them.
        r.probe = { status: answer.status, body: answer.status >= 200 && answer.status < 300 ? '' : answer.body.slice(0, 2_000).replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>') }
        if (r.probe.status < 200 || r.probe.status >= 300) step(`  ${t.name}: the first request answered ${r.probe.status}: ${r.probe.body.slice(0, 300)}`)
        if (opts.warmup > 0 || warm.seconds) {
          r.warmup = await runLoad({
            baseUrl: t.baseUrl,
            connections,
            seconds: warm.seconds ?? opts.warmup,
            amount: warm.amount,
            next: warm.next,
            label: `${t.name} warm-up`,
          })
          if (warm.note) r.notes.push(`${warm.note}: ${r.warmup.ok} answers in ${r.warmup.seconds} s, ${Math.round(r.warmup.rps)} req/s`)
        }
        await waitForQuiet(pool)
        const measure = await run.phase('measure', r.warmup)
        if (measure.note) r.notes.push(measure.note)
        const sampler = new RssSampler(t.proc.pid)
        sampler.start()
        try {
          r.load = await runLoad({ baseUrl: t.baseUrl, connections, seconds: opts.duration, amount: measure.amount, next: measure.next, label: `${t.name} measure` })
        } finally {
          r.rss = sampler.stop()
        }
        memory[t.name] = maxRss(memory[t.name], r.rss)
        if (r.load.exhausted) r.notes.push(`the prepared requests ran out after ${r.load.seconds} s`)
        if (run.check) {
          const loads = [r.warmup, r.load].filter((l): l is LoadResult => !!l)
          const probeOk = r.probe.status >= 200 && r.probe.status < 300 ? 1 : 0
          r.invariants = await run.check({
            ok: loads.reduce((n, l) => n + l.ok, probeOk),
            // A probe that failed to connect or timed out may still have been carried out.
            unanswered: loads.reduce((n, l) => n + l.unanswered, r.probe.status === 0 ? 1 : 0),
          })
        }
        const l = r.load
        const bad = l.non2xx + l.errors
        const violations = r.invariants.reduce((n, c) => n + c.violations, 0)
        step(
          `  ${t.name.padEnd(5)} ${String(Math.round(l.rps)).padStart(6)} req/s  p50 ${l.latency.p50} ms  p95 ${l.latency.p95} ms  p99 ${l.latency.p99} ms` +
            (r.rss && l.responses
              ? `  cpu ${((r.rss.cpuSeconds * 1000) / l.responses).toFixed(2)} ms/req (machine ${((r.rss.machineCpuSeconds * 1000) / l.responses).toFixed(2)})`
              : '') +
            `${bad ? `  non-2xx/errors ${bad} (${Object.entries(l.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ')})` : ''}` +
            `${run.check ? `  invariant violations ${violations}` : ''}`,
        )
      } catch (err) {
        failed = true
        r.error = err instanceof Error ? err.message : String(err)
        step(`  ${t.name}: failed: ${r.error}`)
      }
    }
    // Same answer shape from the API and the floor: evidence that the floor does the equivalent work.
    if (shapes.api && shapes.floor) {
      const missing = [...shapes.api].filter((k) => !shapes.floor!.has(k))
      const extra = [...shapes.floor].filter((k) => !shapes.api!.has(k))
      if (missing.length || extra.length) {
        shapeDiffs.push(`${s.title}: ${missing.length ? `floor lacks ${missing.slice(0, 8).join(', ')}` : ''}${extra.length ? ` floor adds ${extra.slice(0, 8).join(', ')}` : ''}`)
      } else shapeSame.push(`${s.id} (${shapes.api.size})`)
    }
    const rps = (t: TargetName) => result.results[t]?.load?.rps ?? null
    const floorRps = rps('floor')
    if (floorRps) {
      result.ratio = rps('api') !== null ? Math.round((rps('api')! / floorRps) * 1000) / 1000 : null
      result.nextRatio = rps('next') !== null ? Math.round((rps('next')! / floorRps) * 1000) / 1000 : null
    }
    result.met = judge(result)
    results.push(result)
  }

  // Data sizes as seeded (the seed database: before this run's writes).
  const counts: Record<string, number> = {}
  const seedPool = new pg.Pool({ connectionString: server.urlOf(SEED_DB), max: 1 })
  try {
    for (const [label, table] of [
      ['members', 'members'],
      ['ledger entries', 'point_transactions'],
      ['orders', 'orders'],
      ['products', 'products'],
      ['vouchers', 'vouchers'],
      ['redemptions', 'redemptions'],
    ]) {
      counts[label] = Number((await seedPool.query(`select count(*)::int as n from ${table}`)).rows[0].n)
    }
  } finally {
    await seedPool.end()
  }

  const violations = results.reduce((n, s) => n + Object.values(s.results).reduce((m, r) => m + (r?.invariants ?? []).reduce((k, c) => k + c.violations, 0), 0), 0)
  const notes = [
    `The API workers' memory is each worker's VmRSS (/proc) sampled every 250 ms during every measured phase; the primary only forks and supervises.`,
    `Bench data: the seed database ${SEED_DB} (large data + fixtures) is cloned into ${WORK_DB} for each run, so runs start from the same data and write scenarios run after the read and stats ones.`,
    `Members for \`me\` and the ledger page are ${fixtures.readers.length} active members of the large seed (written with the bench's password), with their seeded history; redeem uses ${fixtures.redeemers.length} bench members (plenty of points, added through the ledger service) and one voucher per target with a large stock; confirm uses fresh pending orders (2 lines over ${fixtures.benchProductIds.length} bench products) cloned from an order the app priced.`,
    ...(shapeSame.length ? [`Answer shapes (every key path of the first answer) of the floor and the API are the same for: ${shapeSame.join(', ')}.`] : []),
    ...shapeDiffs.map((d) => `Answer shapes differ — ${d}.`),
    `Stats scenarios use the default period (the last 30 days, by day) and ${opts.statsConnections} concurrent connections; the target is the API's p95.`,
    ...(facts.autovacuum
      ? []
      : [
          `Autovacuum is off on this PostgreSQL server, so before each target's run of a write scenario the bench vacuums the tables it writes (${SCENARIOS.filter((s) => s.writes).map((s) => `${s.id}: ${s.writes!.join(', ')}`).join('; ')}), as autovacuum would have between runs; the API and the floor get the same.`,
        ]),
    ...results.flatMap((s) =>
      (Object.entries(s.results) as Array<[TargetName, TargetResult]>).flatMap(([t, r]) => r.notes.map((n) => `${s.title} (${t}): ${n}.`)),
    ),
  ]
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: {
      cores: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model?.trim() ?? '?',
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      postgres: `${facts.version}${facts.autovacuum ? '' : ' (autovacuum off)'}`,
      redis: redis.version,
      loadAverage: os.loadavg(),
    },
    config: {
      scale: opts.scale,
      duration: opts.duration,
      warmup: opts.warmup,
      workers: opts.workers,
      database: `${server.kind === 'embedded' ? 'embedded PostgreSQL (.data/bench-postgres)' : "DATABASE_URL's server"}, database ${WORK_DB} cloned from ${SEED_DB}`,
      redis: redis.how,
      rateLimits: RATE_LIMITS,
      withNext: opts.withNext,
      poolMaxPerProcess: poolMax,
    },
    data: counts,
    scenarios: results,
    memory: {
      api: memory.api,
      floor: memory.floor,
      next: memory.next,
      targetMB: RSS_TARGET_MB,
      met: memory.api ? memory.api.maxWorkerBytes <= RSS_TARGET_MB * 1024 * 1024 : null,
    },
    invariantViolations: violations,
    notes,
  }
  const files = writeReport(RESULTS_DIR, report)
  step('stopping the servers…')
  for (const t of targets.reverse()) await stopProcess(t.proc)
  console.log('\n' + markdown(report).split('\n\nSetup:')[0] + '\n')
  console.log(`[bench] written ${path.relative(process.cwd(), files.md)} and ${path.relative(process.cwd(), files.json)} (process logs in ${path.relative(process.cwd(), LOG_DIR)})`)
  return failed ? 1 : 0
}

main()
  .then(async (code) => {
    await cleanup()
    process.exit(code)
  })
  .catch(async (err) => {
    console.error(`[bench] ${err instanceof Error ? (err.stack ?? err.message) : err}`)
    await cleanup()
    process.exit(1)
  })
