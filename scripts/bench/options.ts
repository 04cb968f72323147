import os from 'node:os'

export type BenchOptions = {
  /** Size of the large data set: 1 = the sizes (src/seed/large-plan.ts FULL_SIZE). */
  scale: number
  /** Measured seconds per scenario and target. */
  duration: number
  /** Warm-up seconds before each measurement (not counted). */
  warmup: number
  /** Concurrent connections for the read scenarios. */
  connections: number
  /** Concurrent connections for redeem (the issue asks for 50). */
  redeemConnections: number
  /** Concurrent connections for the stats endpoints (their target is a latency). */
  statsConnections: number
  /** Processes in the API cluster and in the floor. */
  workers: number
  /** Recreate the seeded template database even when it matches. */
  fresh: boolean
  /** Also measure `next start` (needs `npm run build`). */
  withNext: boolean
  /** Keep the run's working database afterwards (it is dropped otherwise). */
  keep: boolean
  /** Only these scenario ids (all when null). */
  only: string[] | null
}

export const USAGE = `npm run bench -- [options]

  --scale <n>           large data scale (default 1 = the issue's sizes; 0.05 for a quick run)
  --duration <s>        measured seconds per scenario and target (default 10)
  --warmup <s>          warm-up seconds before each measurement (default 3)
  --connections <n>     concurrent connections for reads (default 20)
  --redeem-connections <n>  concurrent clients for redeem (default 50)
  --stats-connections <n>   concurrent connections for the stats endpoints (default 4)
  --workers <n>         processes in the API cluster and in the floor (default: cores)
  --only <ids>          comma-separated scenario ids (see scripts/bench/README.md)
  --with-next           also measure \`next start\` (run \`npm run build\` first)
  --fresh               re-seed the bench database from scratch
  --keep                keep this run's working database (patron_bench) afterwards

Environment: DATABASE_URL (a server to create patron_bench* databases on; default:
an embedded PostgreSQL in .data/bench-postgres), REDIS_URL (default:
redis://127.0.0.1:6379 when it answers).`

export function parseOptions(argv: string[]): BenchOptions {
  const opts: BenchOptions = {
    scale: 1,
    duration: 10,
    warmup: 3,
    connections: 20,
    redeemConnections: 50,
    statsConnections: 4,
    workers: os.availableParallelism(),
    fresh: false,
    withNext: false,
    keep: false,
    only: null,
  }
  const number = (name: string, raw: string | undefined, min: number, max: number) => {
    const n = Number(raw)
    if (raw === undefined || !Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} needs a number from ${min} to ${max}\n\n${USAGE}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined]
    const value = () => inline ?? argv[++i]
    switch (flag) {
      case '--scale':
        opts.scale = number('scale', value(), 0.0001, 10)
        break
      case '--duration':
        opts.duration = number('duration', value(), 1, 3600)
        break
      case '--warmup':
        opts.warmup = number('warmup', value(), 0, 600)
        break
      case '--connections':
        opts.connections = Math.round(number('connections', value(), 1, 10_000))
        break
      case '--redeem-connections':
        opts.redeemConnections = Math.round(number('redeem-connections', value(), 1, 10_000))
        break
      case '--stats-connections':
        opts.statsConnections = Math.round(number('stats-connections', value(), 1, 10_000))
        break
      case '--workers':
        opts.workers = Math.round(number('workers', value(), 1, 256))
        break
      case '--only':
        opts.only = (value() ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        break
      case '--with-next':
        opts.withNext = true
        break
      case '--fresh':
        opts.fresh = true
        break
      case '--keep':
        opts.keep = true
        break
      case '--help':
      case '-h':
        console.log(USAGE)
        process.exit(0)
        break
      default:
        throw new Error(`unknown option ${argv[i]}\n\n${USAGE}`)
    }
  }
  return opts
}
