import { describe, expect, it } from 'vitest'
import { autoRunCrons, jobsAutoRun, patronJobs } from '../../src/jobs'
import { loyaltyTasks, toTask } from '../../src/jobs/loyalty'

// The loyalty jobs' configuration: who runs them and when. Their effect on the
// ledger is tested against the database in tests/integration/loyalty-jobs.test.ts.

describe('job autorun in the web process', () => {
  it('runs in development and when JOBS_AUTORUN=true', () => {
    expect(jobsAutoRun({ NODE_ENV: 'development' })).toBe(true)
    expect(jobsAutoRun({ NODE_ENV: 'production', JOBS_AUTORUN: 'true' })).toBe(true)
  })

  it('does not run in production by default (the worker does), nor ever in tests', () => {
    expect(jobsAutoRun({ NODE_ENV: 'production' })).toBe(false)
    expect(jobsAutoRun({})).toBe(false)
    expect(jobsAutoRun({ NODE_ENV: 'test' })).toBe(false)
    expect(jobsAutoRun({ NODE_ENV: 'test', JOBS_AUTORUN: 'true' })).toBe(false)
    expect(jobsAutoRun({ NODE_ENV: 'production', JOBS_AUTORUN: '1' })).toBe(false)
  })

  it('when on, queues schedules and runs every queue once a minute (JOBS_AUTORUN_CRON overrides)', () => {
    expect(autoRunCrons({ NODE_ENV: 'production' })).toEqual([])
    expect(autoRunCrons({ NODE_ENV: 'test' })).toEqual([])
    expect(autoRunCrons({ NODE_ENV: 'development' })).toEqual([{ cron: '* * * * *', allQueues: true, limit: 10 }])
    expect(autoRunCrons({ NODE_ENV: 'development', JOBS_AUTORUN_CRON: '*/10 * * * * *' })[0].cron).toBe('*/10 * * * * *')
  })
})

describe('loyalty task configs', () => {
  it('are nightly, in order: redemptions, points, tiers', () => {
    expect(loyaltyTasks.map((t) => [t.slug, t.schedule?.map((s) => s.cron)])).toEqual([
      ['expire-redemptions', ['0 2 * * *']],
      ['expire-points', ['15 2 * * *']],
      ['recalculate-tiers', ['30 2 * * *']],
    ])
    // The loyalty jobs are registered first, in that order; other areas' jobs follow.
    expect(patronJobs.slice(0, loyaltyTasks.length).map((j) => j.slug)).toEqual(loyaltyTasks.map((t) => t.slug))
  })

  it('retry with backoff (safe: the jobs are idempotent)', () => {
    for (const t of loyaltyTasks) expect(t.retries).toMatchObject({ attempts: 3, backoff: { type: 'exponential' } })
  })

  it('fail the run (so it is retried) when an item failed, after logging the summary', async () => {
    const logged: unknown[] = []
    const payload = { logger: { info: (l: unknown) => logged.push(l), warn: (l: unknown) => logged.push(l) } }
    const job = patronJobs[0]
    const original = job.run
    try {
      job.run = async () => ({ redemptionsExpired: 2, pointsReturned: 0, failed: 1 })
      const handler = toTask(job).handler as (args: unknown) => Promise<unknown>
      await expect(handler({ input: {}, req: { payload } })).rejects.toThrow(/1 item\(s\) failed/)
      expect(logged).toEqual([expect.objectContaining({ job: job.slug, redemptionsExpired: 2, failed: 1 })])

      job.run = async () => ({ redemptionsExpired: 2, pointsReturned: 0, failed: 0 })
      await expect(handler({ input: {}, req: { payload } })).resolves.toEqual({ output: { redemptionsExpired: 2, pointsReturned: 0, failed: 0 } })
    } finally {
      job.run = original
    }
  })
})
