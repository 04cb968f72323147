import autocannon from 'autocannon'
import cliProgress from 'cli-progress'

/** One request the load generator sends; built fresh for every request. */
export type BenchRequest = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string }

export type Latency = { p50: number; p95: number; p99: number; mean: number; max: number }

export type LoadResult = {
  /** Seconds the measurement actually ran. */
  seconds: number
  connections: number
  /** Responses received, any status. */
  responses: number
  /** 2xx responses. */
  ok: number
  /** 2xx responses per second: the figure the report compares. */
  rps: number
  non2xx: number
  /** Requests sent that got no answer before the run stopped (in flight at the end, or failed): the server may still have done them. */
  unanswered: number
  /** Connection errors and timeouts. */
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  latency: Latency
  /** The run stopped early because `amount` requests were used up (a pool of orders). */
  exhausted: boolean
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]
}

const round = (n: number) => Math.round(n * 100) / 100

/**
 * Drives `connections` concurrent keep-alive connections at `baseUrl` for
 * `seconds` (or until `amount` requests were sent) with autocannon, building
 * each request with `next()`. Latency percentiles come from every response's
 * time (autocannon's own histogram has no p95).
 */
export async function runLoad(opts: {
  baseUrl: string
  connections: number
  seconds: number
  amount?: number
  next: () => BenchRequest
  label: string
}): Promise<LoadResult> {
  const times: number[] = []
  const statusCodes: Record<string, number> = {}
  let ok = 0
  const bar =
    process.stdout.isTTY && opts.seconds >= 1
      ? new cliProgress.SingleBar(
          { format: `    ${opts.label.padEnd(34)} {bar} {value}/{total} s  {rps} req/s`, hideCursor: true, clearOnComplete: true, barsize: 20 },
          cliProgress.Presets.shades_classic,
        )
      : null
  const started = Date.now()
  bar?.start(Math.round(opts.seconds), 0, { rps: 0 })
  const ticker = bar
    ? setInterval(() => {
        const elapsed = (Date.now() - started) / 1000
        bar.update(Math.min(Math.round(opts.seconds), Math.floor(elapsed)), { rps: Math.round(ok / Math.max(elapsed, 0.001)) })
      }, 250)
    : null

  let stopTimer: NodeJS.Timeout | null = null
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.baseUrl,
        connections: opts.connections,
        ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds }),
        timeout: 30,
        // A fresh headers object per request: autocannon writes Content-Length into the one it is given.
        requests: [
          {
            setupRequest: (req) => {
              const next = opts.next()
              return { ...req, ...next, headers: { ...next.headers } }
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    )
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      times.push(responseTime)
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1
      if (statusCode >= 200 && statusCode < 300) ok++
    })
    // With `amount` autocannon ignores the duration: stop it ourselves when the time is up.
    if (opts.amount) stopTimer = setTimeout(() => instance.stop(), opts.seconds * 1000)
  })
  if (stopTimer) clearTimeout(stopTimer)
  if (ticker) clearInterval(ticker)
  bar?.stop()

  const seconds = Math.max(0.001, (Date.now() - started) / 1000)
  const sorted = Float64Array.from(times).sort()
  const sum = times.reduce((s, t) => s + t, 0)
  return {
    seconds: round(seconds),
    connections: opts.connections,
    responses: times.length,
    ok,
    rps: round(ok / seconds),
    non2xx: times.length - ok,
    unanswered: Math.max(0, result.requests.sent - times.length),
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    latency: {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      mean: round(times.length ? sum / times.length : 0),
      max: round(sorted.length ? sorted[sorted.length - 1] : 0),
    },
    exhausted: !!opts.amount && result.requests.sent >= opts.amount && seconds < opts.seconds - 0.5,
  }
}
