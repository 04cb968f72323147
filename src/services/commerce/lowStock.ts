import type { Payload, PayloadRequest } from 'payload'
import { dbFor, inTransaction, rows, sql } from '../../lib/db/sql'
import { defaultReorderThreshold } from './inventory'

/** Job that e-mails the admins about open low-stock alerts (queued when a change crosses a threshold). */
export const NOTIFY_LOW_STOCK_TASK = 'notify-low-stock' as const

/** Roles that receive low-stock e-mails. */
export const LOW_STOCK_RECIPIENT_ROLES = ['super-admin', 'admin'] as const

export type LowStockScanSummary = { alertsOpened: number; alertsResolved: number; alertsNotified: number; failed: number }
export type LowStockNotifySummary = { alertsNotified: number; failed: number }

type PendingAlert = { id: number; product_id: number; title: string | null; sku: string | null; stock_at_alert: string; threshold: string; stock_now: string | null }

/**
 * Reconciles every product's low-stock alert with its stock in two set-based
 * statements (one transaction): opens the missing alerts (stock at or below
 * the product's threshold, else the settings default; active products only)
 * and resolves the open alerts whose stock is back above. Then e-mails the
 * admins about every open alert not yet notified. Idempotent: a second run
 * opens, resolves and sends nothing. `productIds` limits the reconciliation
 * (not the notification) to those products.
 */
export async function scanLowStock(payload: Payload, opts: { productIds?: number[] } = {}): Promise<LowStockScanSummary> {
  const fallback = await defaultReorderThreshold(payload)
  const ids = opts.productIds?.length ? opts.productIds : null
  const scope = ids ? sql`and p.id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})` : sql``
  const { opened, resolved } = await inTransaction(payload, undefined, async (db) => {
    const opened = await rows<{ id: number }>(
      db,
      sql`insert into low_stock_alerts (product_id, stock_at_alert, threshold, status)
          select p.id, p.stock_quantity, coalesce(p.reorder_threshold, ${fallback}), 'open'
          from products p
          where p.status = 'active' and p.stock_quantity <= coalesce(p.reorder_threshold, ${fallback}) ${scope}
          on conflict (product_id) where status = 'open' do nothing
          returning id`,
    )
    const resolved = await rows<{ id: number }>(
      db,
      sql`update low_stock_alerts a set status = 'resolved', resolved_at = now(), updated_at = now()
          from products p
          where a.product_id = p.id and a.status = 'open'
            and p.stock_quantity > coalesce(p.reorder_threshold, ${fallback}) ${scope}
          returning a.id`,
    )
    return { opened: opened.length, resolved: resolved.length }
  })
  const notified = await notifyLowStock(payload)
  return { alertsOpened: opened, alertsResolved: resolved, alertsNotified: notified.alertsNotified, failed: notified.failed }
}

/**
 * E-mails the admins (roles super-admin and admin) about open alerts that were
 * never notified: one e-mail per alert, addressed to all of them. Each alert
 * is first claimed by one conditional update of `notified_at` (so concurrent
 * runs, or a scan next to a queued notification, send it once); if sending
 * fails the claim is released and the next run (or the job's retry) sends it.
 * `alertIds` limits it to those alerts.
 */
export async function notifyLowStock(payload: Payload, opts: { alertIds?: number[] } = {}): Promise<LowStockNotifySummary> {
  const db = await dbFor(payload)
  const ids = opts.alertIds?.length ? opts.alertIds : null
  const scope = ids ? sql`and a.id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})` : sql``
  const recipients = await adminEmails(payload)
  if (recipients.length === 0) {
    const [{ n }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from low_stock_alerts a where a.status = 'open' and a.notified_at is null ${scope}`)
    if (n) payload.logger.warn({ msg: `low stock: ${n} alert(s) open but no admin to e-mail` })
    return { alertsNotified: 0, failed: 0 }
  }
  // One statement claims every pending alert: row locks make concurrent runs claim disjoint sets.
  const claimed = await rows<PendingAlert & { notified_at: string }>(
    db,
    sql`with claimed as (
          update low_stock_alerts a set notified_at = now(), updated_at = now()
          where a.status = 'open' and a.notified_at is null ${scope}
          returning a.id, a.product_id, a.stock_at_alert, a.threshold, a.notified_at)
        select c.id, c.product_id, p.title, p.sku, c.stock_at_alert, c.threshold, p.stock_quantity as stock_now, c.notified_at::text as notified_at
        from claimed c left join products p on p.id = c.product_id
        order by c.id`,
  )
  let alertsNotified = 0
  let failed = 0
  for (const alert of claimed) {
    try {
      await payload.sendEmail({ to: recipients, ...lowStockEmail(alert) })
      alertsNotified++
    } catch (err) {
      failed++
      payload.logger.error({ err, msg: `low stock: e-mail for alert ${alert.id} failed; it will be sent again` })
      // Release the claim so the next run (or the job's retry) sends it.
      await db
        .execute(sql`update low_stock_alerts set notified_at = null where id = ${alert.id} and notified_at = ${alert.notified_at}::timestamptz`)
        .catch(() => undefined)
    }
  }
  return { alertsNotified, failed }
}

/** E-mail addresses of the staff who receive low-stock alerts. */
export async function adminEmails(payload: Payload): Promise<string[]> {
  const { docs } = await payload.find({
    collection: 'users',
    where: { role: { in: [...LOW_STOCK_RECIPIENT_ROLES] } },
    depth: 0,
    limit: 0,
    pagination: false,
    overrideAccess: true,
  })
  return docs.map((u) => (u as { email?: string }).email).filter((e): e is string => !!e)
}

function lowStockEmail(alert: PendingAlert): { subject: string; text: string; html: string } {
  const name = `${alert.title ?? `Product ${alert.product_id}`}${alert.sku ? ` (${alert.sku})` : ''}`
  const base = (process.env.PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/$/, '')
  const link = `${base}/admin/collections/products/${alert.product_id}`
  const now = alert.stock_now ?? alert.stock_at_alert
  const subject = `Low stock: ${name}: ${now} left`
  const text = [
    `${name} is at or below its reorder threshold.`,
    `Stock when the alert opened: ${alert.stock_at_alert} (threshold ${alert.threshold}); stock now: ${now}.`,
    `Restock it with "Add to stock": ${link}`,
  ].join('\n')
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
  const html = `<p><strong>${esc(name)}</strong> is at or below its reorder threshold.</p>
<p>Stock when the alert opened: ${esc(alert.stock_at_alert)} (threshold ${esc(alert.threshold)}); stock now: ${esc(String(now))}.</p>
<p><a href="${esc(link)}">Restock it with "Add to stock"</a></p>`
  return { subject, text, html }
}

/**
 * Queues the e-mail for a just-opened alert, in the caller's transaction when
 * `req` has one: the job exists only if the stock change commits, and the
 * worker (or the app, in development) sends it right after. The daily scan
 * sends anything a lost job missed.
 */
export async function queueLowStockNotification(payload: Payload, alertId: number, req?: Partial<PayloadRequest>): Promise<void> {
  await payload.jobs.queue({ task: NOTIFY_LOW_STOCK_TASK, input: { alertIds: [alertId] }, req: req as PayloadRequest | undefined })
}
