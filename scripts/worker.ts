import { envInt } from '../src/lib/env'
import { loadPayload, prepareEnvironment, shutdown } from './lib/boot'

// npm run worker — runs Payload's job queue outside the web process.
// Each tick picks up due jobs; SIGTERM finishes the current tick and exits.
async function main() {
  const db = await prepareEnvironment({ production: process.env.NODE_ENV === 'production' })
  const payload = await loadPayload()
  const intervalMs = envInt('WORKER_INTERVAL_MS', 5_000)
  const limit = envInt('WORKER_BATCH', 20)
  let running = true
  const stop = () => {
    running = false
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const { tasks = [], workflows = [] } = payload.config.jobs ?? {}
  const hasJobs = tasks.length + workflows.length > 0
  payload.logger.info(
    hasJobs ? `worker started: ${tasks.length} task type(s), polling every ${intervalMs} ms` : 'worker started: no job types are configured yet; idling',
  )
  while (running) {
    if (hasJobs) {
      try {
        await payload.jobs.run({ limit, allQueues: true })
      } catch (err) {
        payload.logger.error({ err, msg: 'job run failed' })
      }
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  await shutdown(payload, db)
  process.exit(0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
