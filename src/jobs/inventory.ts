import type { Field, TaskConfig } from 'payload'
import { removeAbandonedCarts } from '../services/commerce/carts'
import { NOTIFY_LOW_STOCK_TASK, notifyLowStock, scanLowStock, type LowStockNotifySummary } from '../services/commerce/lowStock'
import { logSummary, toTask, type PatronJob } from './loyalty'

/** Queue of the daily inventory scan. The worker runs every queue. */
export const INVENTORY_QUEUE = 'inventory'

/**
 * The inventory jobs (issue 4). `scan-low-stock` runs every morning: it
 * reconciles every product's low-stock alert with its stock and threshold
 * (opens the missing ones, resolves those back above) and e-mails the admins
 * about open alerts not yet notified. Idempotent, like every job.
 */
export const inventoryJobs: PatronJob[] = [
  {
    slug: 'scan-low-stock',
    label: 'Reconcile low-stock alerts for every product and e-mail the admins',
    cron: '0 6 * * *',
    queue: INVENTORY_QUEUE,
    summaryFields: ['alertsOpened', 'alertsResolved', 'alertsNotified', 'failed'],
    run: (payload) => scanLowStock(payload),
  },
  {
    slug: 'remove-abandoned-carts',
    label: 'Remove carts nobody touched for settings.abandonedCartDays days',
    cron: '30 3 * * *',
    queue: INVENTORY_QUEUE,
    summaryFields: ['cartsRemoved'],
    run: async (payload) => ({ cartsRemoved: await removeAbandonedCarts(payload) }),
  },
]

const notifyInput: Field[] = [{ name: 'alertIds', type: 'number', hasMany: true, admin: { description: 'Only these alerts (empty: every open alert not yet notified)' } }]

/**
 * `notify-low-stock`: queued (not scheduled) when a stock change opens an
 * alert; e-mails the admins about it unless a run already did. Retried with
 * backoff when the mail server fails.
 */
export const notifyLowStockTask: TaskConfig<{ input: { alertIds?: number[] | null }; output: LowStockNotifySummary }> = {
  slug: NOTIFY_LOW_STOCK_TASK,
  label: 'E-mail the admins about new low-stock alerts',
  inputSchema: notifyInput,
  outputSchema: [
    { name: 'alertsNotified', type: 'number', required: true },
    { name: 'failed', type: 'number', required: true },
  ],
  retries: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
  handler: async ({ input, req }) => {
    const summary = await notifyLowStock(req.payload, { alertIds: input?.alertIds?.length ? input.alertIds : undefined })
    logSummary(req.payload, NOTIFY_LOW_STOCK_TASK, summary)
    if (summary.failed) throw new Error(`${NOTIFY_LOW_STOCK_TASK}: ${summary.failed} e-mail(s) failed; the job will be retried`)
    return { output: summary }
  },
}

export const inventoryTasks = [...inventoryJobs.map(toTask), notifyLowStockTask]
