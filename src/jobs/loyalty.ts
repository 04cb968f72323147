import type { Field, Payload, TaskConfig } from 'payload'
import { expirePoints, expireRedemptions } from '../services/loyalty/expiry'
import { recalculateTiers } from '../services/loyalty/tiers'

/** Input every loyalty job accepts: nothing (all members), or a list of member ids. */
export type LoyaltyJobInput = { memberIds?: number[] | null }

/** A job's summary: a few counts, logged and stored as the job's output. */
export type JobSummary = Record<string, number>

/** A job Patron can run on a schedule (through Payload's queue) or on demand (`npm run job -- <slug>`). */
export type PatronJob = {
  slug: string
  label: string
  /** Cron (minute hour day month weekday), in the server's time zone. */
  cron: string
  /** Payload queue the schedule puts the job on. */
  queue: string
  summaryFields: string[]
  run: (payload: Payload, input: LoyaltyJobInput) => Promise<JobSummary>
}

/** Queue of the nightly maintenance jobs. The worker runs every queue. */
export const NIGHTLY_QUEUE = 'nightly'

const opts = (input: LoyaltyJobInput) => ({ memberIds: input.memberIds?.length ? input.memberIds : undefined })

/**
 * The loyalty jobs (issue 3). Each is idempotent, so a retry, a second worker or
 * an on-demand run next to the scheduled one changes nothing twice. They run one
 * after another at night: redemptions first (their returned points, when
 * configured, are then there for the other two), then points, then tiers.
 */
export const loyaltyJobs: PatronJob[] = [
  {
    slug: 'expire-redemptions',
    label: 'Expire pending redemptions past their validity',
    cron: '0 2 * * *',
    queue: NIGHTLY_QUEUE,
    summaryFields: ['redemptionsExpired', 'pointsReturned', 'failed'],
    run: (payload, input) => expireRedemptions(payload, opts(input)),
  },
  {
    slug: 'expire-points',
    label: 'Expire points past their expiry date (oldest lots first)',
    cron: '15 2 * * *',
    queue: NIGHTLY_QUEUE,
    summaryFields: ['membersExpired', 'pointsExpired', 'failed'],
    run: (payload, input) => expirePoints(payload, opts(input)),
  },
  {
    slug: 'recalculate-tiers',
    label: 'Recalculate member tiers from the current rules',
    cron: '30 2 * * *',
    queue: NIGHTLY_QUEUE,
    summaryFields: ['membersChecked', 'tiersChanged', 'upgraded', 'downgraded'],
    run: (payload, input) => recalculateTiers(payload, opts(input)),
  },
]

const inputSchema: Field[] = [
  { name: 'memberIds', type: 'number', hasMany: true, admin: { description: 'Only these members (empty: every member)' } },
]

/** Logs a finished run's summary on one line. */
export function logSummary(payload: Payload, slug: string, summary: JobSummary): void {
  const line = { msg: `job ${slug} finished`, job: slug, ...summary }
  if (summary.failed) payload.logger.warn(line)
  else payload.logger.info(line)
}

/** Payload task config for a job: handler, nightly schedule, retries with backoff. */
export function toTask(job: PatronJob): TaskConfig<{ input: LoyaltyJobInput; output: JobSummary }> {
  return {
    slug: job.slug,
    label: job.label,
    inputSchema,
    outputSchema: job.summaryFields.map((name): Field => ({ name, type: 'number', required: true })),
    schedule: [{ cron: job.cron, queue: job.queue }],
    // Safe: every job is idempotent. Items that failed are picked up again by the retry.
    retries: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
    handler: async ({ input, req }) => {
      const summary = await job.run(req.payload, input ?? {})
      logSummary(req.payload, job.slug, summary)
      if (summary.failed) throw new Error(`${job.slug}: ${summary.failed} item(s) failed (see the log); the job will be retried`)
      return { output: summary }
    },
  }
}

export const loyaltyTasks = loyaltyJobs.map(toTask)
