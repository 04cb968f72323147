import type { JobsConfig, Payload } from 'payload'
import { isAdmin } from '../../collections/access/isAdmin'
import { inventoryJobs, inventoryTasks } from './inventory'
import { loyaltyJobs, loyaltyTasks, type PatronJob } from './loyalty'

type AutorunCronConfig = Extract<NonNullable<JobsConfig['autoRun']>, unknown[]>[number]

/** Every job, by slug: what `npm run job -- <slug>` can run. */
export const patronJobs: PatronJob[] = [...loyaltyJobs, ...inventoryJobs]

/**
 * Whether the web process runs the job queue itself: in development
 * (`npm run dev`), or anywhere with JOBS_AUTORUN=true (a single-process
 * deployment without `npm run worker`). Never in tests, which run jobs
 * explicitly.
 */
export function jobsAutoRun(env: Record<string, string | undefined> = process.env): boolean {
  if (env.NODE_ENV === 'test') return false
  return env.NODE_ENV === 'development' || env.JOBS_AUTORUN === 'true'
}

/** How often an auto-running web process queues due scheduled jobs and runs queued ones. */
export function autoRunCrons(env: Record<string, string | undefined> = process.env): AutorunCronConfig[] {
  if (!jobsAutoRun(env)) return []
  return [{ cron: env.JOBS_AUTORUN_CRON || '* * * * *', allQueues: true, limit: 10 }]
}

/**
 * Payload's job queue (SPEC §4). Scheduled tasks are queued by `handleSchedules`
 * and run by the worker (`npm run worker`), or by the app itself when
 * `jobsAutoRun` says so. Only admins may run or queue jobs over the API
 * (`/api/payload-jobs/run`); members and other staff may not.
 */
export const jobs: JobsConfig = {
  tasks: [...loyaltyTasks, ...inventoryTasks],
  access: { run: isAdmin, queue: isAdmin, cancel: isAdmin },
  // Evaluated when the web process starts its crons (first request), not at build time.
  autoRun: () => autoRunCrons(),
  deleteJobOnComplete: true,
}

/**
 * Hands back jobs left `processing` by a worker that died mid-run (crash, OOM,
 * SIGKILL): untouched for `olderThanMinutes`, they would otherwise never run
 * again, and a scheduled one would block its schedule (Payload queues the next
 * run only when none is pending or processing). Picking a job up bumps its
 * `updatedAt`, so the threshold must exceed the longest run; if a slow job is
 * released while still running, a second run is harmless because every job is
 * idempotent. Returns the released job ids.
 */
export async function releaseStaleJobs(payload: Payload, olderThanMinutes: number): Promise<Array<number | string>> {
  const cutoff = new Date(Date.now() - olderThanMinutes * 60_000).toISOString()
  const { docs } = await payload.update({
    collection: 'payload-jobs',
    where: { and: [{ processing: { equals: true } }, { completedAt: { exists: false } }, { updatedAt: { less_than: cutoff } }] },
    data: { processing: false },
    depth: 0,
  })
  const ids = docs.map((d) => d.id)
  if (ids.length) payload.logger.warn({ msg: `released ${ids.length} job(s) left processing for over ${olderThanMinutes} min`, jobs: ids })
  return ids
}
