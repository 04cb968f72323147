import { envInt } from '../src/lib/env'
import { releaseStaleJobs } from '../src/jobs'
import { loadPayload, prepareEnvironment, shutdown } from './lib/boot'

// npm run worker — runs Payload's job queue outside the web process.
// Each tick queues the scheduled jobs that are due next (handleSchedules: at
// most one pending job per scheduled task, waiting until its cron time) and
// runs every queued job whose time has come, from every queue. SIGINT/SIGTERM
// lets the current tick finish, then exits. Several workers may run: every job
// is idempotent, so a job picked up twice changes nothing twice. Once a minute
// it also releases jobs left `processing` for WORKER_STALE_JOB_MINUTES (120) by
// a worker that died mid-run, so that they, and their schedules, carry on.
async function main() {
  const db = await prepareEnvironment({ production: process.env.NODE_ENV === 'production' })
  const payload = await loadPayload()
  const intervalMs = envInt('WORKER_INTERVAL_MS', 5_000)
  const limit = envInt('WORKER_BATCH', 20)
  const staleMinutes = envInt('WORKER_STALE_JOB_MINUTES', 120)
  let lastRelease = 0
  let running = true
  let wake: (() => void) | null = null
  const stop = () => {
    running = false
    wake?.()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const jobsConfig = payload.config.jobs
  const { tasks = [], workflows = [] } = jobsConfig ?? {}
  const hasJobs = tasks.length + workflows.length > 0
  const scheduled = tasks.filter((t) => t.schedule?.length).map((t) => `${t.slug} (${t.schedule!.map((s) => `${s.cron} on ${s.queue}`).join(', ')})`)
  payload.logger.info(
    hasJobs
      ? `worker started: ${tasks.length} task type(s), polling every ${intervalMs} ms; scheduled: ${scheduled.join('; ') || 'none'}`
      : 'worker started: no job types are configured yet; idling',
  )
  while (running) {
    if (hasJobs) {
      try {
        if (Date.now() - lastRelease >= 60_000) {
          lastRelease = Date.now()
          await releaseStaleJobs(payload, staleMinutes)
        }
        if (jobsConfig.scheduling) await payload.jobs.handleSchedules({ allQueues: true })
        if (running) await payload.jobs.run({ limit, allQueues: true })
      } catch (err) {
        payload.logger.error({ err, msg: 'job run failed' })
      }
    }
    if (!running) break
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    wake = null
  }
  payload.logger.info('worker stopping')
  await shutdown(payload, db)
  // pino may buffer: flush so the last lines are not lost to process.exit.
  await new Promise<void>((resolve) => {
    const logger = payload.logger as unknown as { flush?: (cb: () => void) => void }
    if (logger.flush) logger.flush(() => resolve())
    else resolve()
  })
  process.exit(0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
