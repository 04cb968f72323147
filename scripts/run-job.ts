import { patronJobs } from '../src/jobs'
import { loadPayload, prepareEnvironment, runScript, shutdown } from './lib/boot'

// npm run job -- <slug> [--member 12,34]
// Runs one job now, in this process (not through the queue), and prints its
// summary as JSON. The jobs are idempotent, so running one next to the worker's
// scheduled run is safe. Exit code 0: done; 1: some items failed (see the log,
// rerun to retry them); 2: bad arguments.
const USAGE = `usage: npm run job -- <slug> [--member <id>[,<id>…]]\njobs:\n${patronJobs.map((j) => `  ${j.slug.padEnd(20)} ${j.label} (schedule: ${j.cron})`).join('\n')}`

function parseArgs(argv: string[]): { slug: string; memberIds?: number[] } | string {
  const rest = [...argv]
  let memberIds: number[] | undefined
  const positional: string[] = []
  while (rest.length) {
    const arg = rest.shift()!
    if (arg === '--help' || arg === '-h') return USAGE
    if (arg === '--member' || arg.startsWith('--member=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rest.shift()
      const ids = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)
      if (ids.length === 0 || !ids.every((s) => /^\d+$/.test(s))) return `--member takes member ids, e.g. --member 12,34\n\n${USAGE}`
      memberIds = [...(memberIds ?? []), ...ids.map(Number)]
    } else if (arg.startsWith('-')) {
      return `unknown option ${arg}\n\n${USAGE}`
    } else {
      positional.push(arg)
    }
  }
  if (positional.length !== 1) return positional.length ? `one job at a time\n\n${USAGE}` : USAGE
  const slug = positional[0]
  if (!patronJobs.some((j) => j.slug === slug)) return `unknown job "${slug}"\n\n${USAGE}`
  return { slug, memberIds }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  if (typeof args === 'string') {
    console.error(args)
    return 2
  }
  const job = patronJobs.find((j) => j.slug === args.slug)!
  const db = await prepareEnvironment({ production: process.env.NODE_ENV === 'production' })
  let payload: Awaited<ReturnType<typeof loadPayload>> | null = null
  try {
    payload = await loadPayload()
    const started = Date.now()
    const summary = await job.run(payload, { memberIds: args.memberIds })
    console.log(JSON.stringify({ job: job.slug, ...summary, ms: Date.now() - started }))
    return summary.failed ? 1 : 0
  } finally {
    await shutdown(payload, db)
  }
}

runScript(main)
