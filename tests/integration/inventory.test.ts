import { spawn } from 'node:child_process'
import path from 'node:path'
import type { Payload } from 'payload'
import { beforeAll, describe, expect, it } from 'vitest'
import { patronJobs } from '../../src/jobs'
import { dbFor, inTransaction, pgCode, rows, sql } from '../../src/lib/db/sql'
import { moveStock, type StockMoveInput } from '../../src/services/commerce/inventory'
import { NOTIFY_LOW_STOCK_TASK, notifyLowStock, scanLowStock } from '../../src/services/commerce/lowStock'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let payload: Payload
let admin: StaffFixture
let superAdmin: StaffFixture
let editor: StaffFixture
let moderator: StaffFixture
const prefix = uniq('INV').toUpperCase()
const root = path.resolve(__dirname, '../..')

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  admin = await createStaff(payload, ctx.api, 'admin')
  superAdmin = await createStaff(payload, ctx.api, 'super-admin')
  editor = await createStaff(payload, ctx.api, 'editor')
  moderator = await createStaff(payload, ctx.api, 'moderator')
})

async function product(stockQuantity: number, reorderThreshold: number | null = 3): Promise<{ id: number; sku: string }> {
  const sku = `${prefix}-${uniq('p').toUpperCase()}`
  const doc = await payload.create({
    collection: 'products',
    data: { title: `Inventory ${sku}`, sku, price: 1000, stockQuantity, reorderThreshold, _status: 'published' } as never,
    overrideAccess: true,
  })
  return { id: doc.id as number, sku }
}

const move = (productId: number, delta: number, extra: Partial<StockMoveInput> = {}) =>
  inTransaction(payload, undefined, (db) => moveStock(db, { productId, delta, reason: delta > 0 ? 'restock' : 'order', defaultThreshold: 5, ...extra }))

async function stockOf(id: number): Promise<number> {
  const [r] = await rows<{ s: string }>(await dbFor(payload), sql`select stock_quantity as s from products where id = ${id}`)
  return Number(r.s)
}

type AlertRow = { id: number; status: string; stock_at_alert: string; threshold: string; notified_at: Date | null; resolved_at: Date | null }
async function alertsOf(id: number): Promise<AlertRow[]> {
  return rows<AlertRow>(
    await dbFor(payload),
    sql`select id, status, stock_at_alert, threshold, notified_at, resolved_at from low_stock_alerts where product_id = ${id} order by id`,
  )
}

type MovementRow = { delta: string; stock_after: string; reason: string; order_ref: string | null; created_by_id: number | null; note: string | null }
/** The movements after creation (the `initial` one is covered by its own test below). */
async function movementsOf(id: number): Promise<MovementRow[]> {
  return rows<MovementRow>(
    await dbFor(payload),
    sql`select delta, stock_after, reason, order_ref, created_by_id, note from stock_movements
        where product_id = ${id} and reason <> 'initial' order by id`,
  )
}

const mailsFor = (sku: string) => ctx.mail.messages.filter((m) => m.raw.includes(sku))

/** Rejects with the error, resolves with the value: for counting outcomes of concurrent calls. */
const settle = <T,>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }))

describe('moveStock', () => {
  it('records who, why and which order, and the stock after each change', async () => {
    const p = await product(10, 2)
    await move(p.id, -3, { reason: 'order', orderRef: 'ORD-123', createdBy: admin.id, note: 'web order' })
    await move(p.id, 4, { reason: 'restock', createdBy: admin.id })
    expect(await movementsOf(p.id)).toEqual([
      { delta: '-3', stock_after: '7', reason: 'order', order_ref: 'ORD-123', created_by_id: admin.id, note: 'web order' },
      { delta: '4', stock_after: '11', reason: 'restock', order_ref: null, created_by_id: admin.id, note: null },
    ])
    expect(await stockOf(p.id)).toBe(11)
  })

  it('30 concurrent takes of 1 from 10: exactly 10 succeed, 20 OUT_OF_STOCK, never negative', async () => {
    const p = await product(10, 0)
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => settle(move(p.id, -1, { orderRef: `ORD-${i}` }))))
    const ok = results.filter((r) => r.ok)
    const refused = results.filter((r) => !r.ok)
    expect(ok).toHaveLength(10)
    expect(refused).toHaveLength(20)
    for (const r of refused) expect((r as { error: unknown }).error).toMatchObject({ status: 409, data: { code: 'OUT_OF_STOCK' } })
    expect(await stockOf(p.id)).toBe(0)
    const movements = await movementsOf(p.id)
    expect(movements).toHaveLength(10)
    expect(movements.map((m) => Number(m.stock_after)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    // Only the take that reached the threshold (0) opened an alert.
    expect((await alertsOf(p.id)).filter((a) => a.status === 'open')).toHaveLength(1)
  })

  it('refuses going below zero and a zero or fractional change', async () => {
    const p = await product(2, 0)
    await expect(move(p.id, -3)).rejects.toMatchObject({ status: 409, data: { code: 'OUT_OF_STOCK', available: 2, requested: 3 } })
    await expect(move(p.id, 0)).rejects.toMatchObject({ status: 400 })
    await expect(move(p.id, 1.5)).rejects.toMatchObject({ status: 400 })
    expect(await stockOf(p.id)).toBe(2)
    expect(await movementsOf(p.id)).toHaveLength(0)
  })
})

describe('low-stock alerts: one per crossing', () => {
  it('many takes below the threshold open one alert; a restock above resolves it; falling again opens a new one', async () => {
    const p = await product(10, 5)
    const first = await move(p.id, -4) // 6: above
    expect(first).toMatchObject({ stockAfter: 6, alertOpened: false })
    const crossing = await move(p.id, -1) // 5: at the threshold
    expect(crossing).toMatchObject({ stockAfter: 5, alertOpened: true })
    expect(crossing.alertId).toEqual(expect.any(Number))
    for (const _ of [1, 2, 3]) expect(await move(p.id, -1)).toMatchObject({ alertOpened: false }) // 4, 3, 2
    let alerts = await alertsOf(p.id)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ id: crossing.alertId, status: 'open', stock_at_alert: '5', threshold: '5' })

    expect(await move(p.id, 2)).toMatchObject({ stockAfter: 4, alertResolved: false }) // still at or below
    expect(await move(p.id, 4)).toMatchObject({ stockAfter: 8, alertResolved: true })
    alerts = await alertsOf(p.id)
    expect(alerts).toHaveLength(1)
    expect(alerts[0].status).toBe('resolved')
    expect(alerts[0].resolved_at).not.toBeNull()

    expect(await move(p.id, -3)).toMatchObject({ stockAfter: 5, alertOpened: true })
    alerts = await alertsOf(p.id)
    expect(alerts.map((a) => a.status)).toEqual(['resolved', 'open'])
  })

  it('concurrent takes across the threshold still open one alert', async () => {
    const p = await product(20, 10)
    const results = await Promise.all(Array.from({ length: 15 }, () => move(p.id, -1)))
    expect(results.filter((r) => r.alertOpened)).toHaveLength(1)
    expect(await alertsOf(p.id)).toHaveLength(1)
  })

  it('the database refuses a second open alert for a product', async () => {
    const p = await product(1, 3)
    await move(p.id, -1)
    const err = await (await dbFor(payload))
      .execute(sql`insert into low_stock_alerts (product_id, stock_at_alert, threshold, status) values (${p.id}, 0, 3, 'open')`)
      .catch((e: unknown) => e)
    expect(pgCode(err)).toBe('23505')
  })
})

describe('notification', () => {
  it('e-mails the admins once per alert and sets notified_at; a second run sends nothing', async () => {
    const p = await product(10, 3)
    const { alertId } = await move(p.id, -8)
    expect(alertId).toEqual(expect.any(Number))

    const first = await notifyLowStock(payload, { alertIds: [alertId!] })
    expect(first).toEqual({ alertsNotified: 1, failed: 0 })
    const mail = await ctx.mail.waitFor((m) => m.raw.includes(p.sku))
    expect(mail.to).toEqual(expect.arrayContaining([admin.email, superAdmin.email]))
    expect(mail.to).not.toContain(editor.email)
    expect(mail.to).not.toContain(moderator.email)
    expect(mail.raw).toContain(`Low stock: Inventory ${p.sku}`)
    expect(mail.raw).toContain(`/admin/collections/products/${p.id}`)
    const [alert] = await alertsOf(p.id)
    expect(alert.notified_at).not.toBeNull()

    expect(await notifyLowStock(payload, { alertIds: [alertId!] })).toEqual({ alertsNotified: 0, failed: 0 })
    await scanLowStock(payload, { productIds: [p.id] })
    await new Promise((r) => setTimeout(r, 300))
    expect(mailsFor(p.sku)).toHaveLength(1)
  })

  it('concurrent runs e-mail an alert once', async () => {
    const p = await product(4, 3)
    const { alertId } = await move(p.id, -2)
    const results = await Promise.all(Array.from({ length: 5 }, () => notifyLowStock(payload, { alertIds: [alertId!] })))
    expect(results.reduce((n, r) => n + r.alertsNotified, 0)).toBe(1)
    await ctx.mail.waitFor((m) => m.raw.includes(p.sku))
    await new Promise((r) => setTimeout(r, 300))
    expect(mailsFor(p.sku)).toHaveLength(1)
  })

  it('a resolved alert is not e-mailed', async () => {
    const p = await product(4, 3)
    const { alertId } = await move(p.id, -1)
    await move(p.id, 5)
    expect(await notifyLowStock(payload, { alertIds: [alertId!] })).toEqual({ alertsNotified: 0, failed: 0 })
    expect((await alertsOf(p.id))[0].notified_at).toBeNull()
  })
})

describe('admin restock through the API', () => {
  const url = (id: number) => `${ctx.api}/products/${id}`

  it('an admin "Add to stock" records a restock movement with createdBy; stockQuantity sent directly is ignored', async () => {
    const p = await product(4, 2)
    const res = await rest(url(p.id), { method: 'PATCH', token: admin.token, body: { stockAdjustment: 5 } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.doc.stockQuantity).toBe(9)
    expect(await movementsOf(p.id)).toEqual([{ delta: '5', stock_after: '9', reason: 'restock', order_ref: null, created_by_id: admin.id, note: null }])

    const direct = await rest(url(p.id), { method: 'PATCH', token: admin.token, body: { stockQuantity: 999 } })
    expect(direct.status).toBe(200)
    expect(await stockOf(p.id)).toBe(9)
    expect(await movementsOf(p.id)).toHaveLength(1)
  })

  it('a negative adjustment past zero is refused with 409 and changes nothing', async () => {
    const p = await product(2, 0)
    const res = await rest(url(p.id), { method: 'PATCH', token: admin.token, body: { stockAdjustment: -5 } })
    expect(res.status).toBe(409)
    expect(res.body.errors[0].code).toBe('OUT_OF_STOCK')
    expect(await stockOf(p.id)).toBe(2)
    expect(await movementsOf(p.id)).toHaveLength(0)
  })

  it('a crossing made in the admin panel queues the notification, which the job sends once', async () => {
    const p = await product(6, 3)
    const res = await rest(url(p.id), { method: 'PATCH', token: admin.token, body: { stockAdjustment: -4 } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const [alert] = await alertsOf(p.id)
    expect(alert).toMatchObject({ status: 'open', stock_at_alert: '2', notified_at: null })
    expect(await movementsOf(p.id)).toEqual([{ delta: '-4', stock_after: '2', reason: 'adjustment', order_ref: null, created_by_id: admin.id, note: null }])

    const { docs } = await payload.find({ collection: 'payload-jobs', where: { taskSlug: { equals: NOTIFY_LOW_STOCK_TASK } }, limit: 0, depth: 0 })
    const job = docs.find((d) => ((d.input as { alertIds?: number[] } | null)?.alertIds ?? []).includes(alert.id))
    expect(job).toBeDefined()
    await payload.jobs.runByID({ id: job!.id })
    const mail = await ctx.mail.waitFor((m) => m.raw.includes(p.sku))
    expect(mail.to).toContain(admin.email)
    expect((await alertsOf(p.id))[0].notified_at).not.toBeNull()

    // Running it again (a retry) sends nothing more.
    await payload.jobs.queue({ task: NOTIFY_LOW_STOCK_TASK, input: { alertIds: [alert.id] } }).then((j) => payload.jobs.runByID({ id: j.id }))
    await new Promise((r) => setTimeout(r, 300))
    expect(mailsFor(p.sku)).toHaveLength(1)
  })

  it('a save that fails after the crossing leaves no alert and no queued job', async () => {
    const p = await product(6, 3)
    // Crosses the threshold, then fails validation (price must be >= 0): everything rolls back.
    const res = await rest(url(p.id), { method: 'PATCH', token: admin.token, body: { stockAdjustment: -4, price: -1 } })
    expect(res.status).toBe(400)
    expect(await stockOf(p.id)).toBe(6)
    expect(await alertsOf(p.id)).toHaveLength(0)
  })

  it('an editor cannot adjust stock', async () => {
    const p = await product(5, 1)
    const res = await rest(url(p.id), { method: 'PATCH', token: editor.token, body: { stockAdjustment: 50, stockQuantity: 500 } })
    expect([200, 403]).toContain(res.status)
    expect(await stockOf(p.id)).toBe(5)
    expect(await movementsOf(p.id)).toHaveLength(0)
  })

  it('an editor publishing a draft while stock moves never sets the stock back', async () => {
    const p = await product(10, 1)
    const description = (text: string) => ({
      root: { type: 'root', direction: null, format: '', indent: 0, version: 1, children: [{ type: 'paragraph', direction: null, format: '', indent: 0, version: 1, children: [{ type: 'text', text, version: 1, detail: 0, format: 0, mode: 'normal', style: '' }] }] },
    })
    const draft = await rest(`${url(p.id)}?draft=true`, { method: 'PATCH', token: editor.token, body: { description: description('draft copy'), _status: 'draft' } })
    expect(draft.status, JSON.stringify(draft.body)).toBe(200)
    await move(p.id, -3, { orderRef: 'ORD-DRAFT' }) // 7, while the draft (made at 10) is open
    const publish = await rest(url(p.id), { method: 'PATCH', token: editor.token, body: { description: description('published copy'), _status: 'published' } })
    expect(publish.status, JSON.stringify(publish.body)).toBe(200)
    expect(await stockOf(p.id)).toBe(7)
    // And the trigger itself: an update without the service's flag leaves the stock alone.
    await (await dbFor(payload)).execute(sql`update products set stock_quantity = 100 where id = ${p.id}`)
    expect(await stockOf(p.id)).toBe(7)
  })
})

describe('stock movements are append-only', () => {
  it('the API refuses updates and deletes (403), and so does the database', async () => {
    const p = await product(5, 0)
    await move(p.id, -1, { orderRef: 'ORD-AO' })
    const { docs } = await payload.find({ collection: 'stock-movements', where: { product: { equals: p.id }, reason: { not_equals: 'initial' } }, depth: 0 })
    expect(docs).toHaveLength(1)
    const id = docs[0].id
    const patch = await rest(`${ctx.api}/stock-movements/${id}`, { method: 'PATCH', token: superAdmin.token, body: { delta: -100 } })
    expect(patch.status).toBe(403)
    const del = await rest(`${ctx.api}/stock-movements/${id}`, { method: 'DELETE', token: superAdmin.token })
    expect(del.status).toBe(403)
    const create = await rest(`${ctx.api}/stock-movements`, { method: 'POST', token: superAdmin.token, body: { product: p.id, delta: 5, stockAfter: 9, reason: 'restock' } })
    expect(create.status).toBe(403)
    const editorRead = await rest(`${ctx.api}/stock-movements/${id}`, { token: editor.token })
    expect(editorRead.status).toBe(403)

    const db = await dbFor(payload)
    await expect(db.execute(sql`update stock_movements set delta = -100 where id = ${id}`)).rejects.toThrow()
    await expect(db.execute(sql`delete from stock_movements where id = ${id}`)).rejects.toThrow()
    expect(await movementsOf(p.id)).toHaveLength(1)
  })

  it('low-stock alerts cannot be created, changed or deleted through the API', async () => {
    const p = await product(1, 3)
    const { alertId } = await move(p.id, -1)
    const patch = await rest(`${ctx.api}/low-stock-alerts/${alertId}`, { method: 'PATCH', token: superAdmin.token, body: { status: 'resolved' } })
    expect(patch.status).toBe(403)
    const del = await rest(`${ctx.api}/low-stock-alerts/${alertId}`, { method: 'DELETE', token: superAdmin.token })
    expect(del.status).toBe(403)
    const list = await rest(`${ctx.api}/low-stock-alerts?where[product][equals]=${p.id}`, { token: moderator.token })
    expect(list.status).toBe(200)
    expect(list.body.docs).toHaveLength(1)
  })
})

describe('scan-low-stock', () => {
  it('opens missing alerts and resolves stale ones for every product (own or default threshold); idempotent', async () => {
    const settings = await payload.findGlobal({ slug: 'settings', depth: 0 })
    const fallback = Number(settings.defaultReorderThreshold ?? 0)
    const low = await product(2, 3) // at/below own threshold, no alert yet (created, not moved)
    const ok = await product(50, 3)
    const lowByDefault = await product(fallback, null) // at the settings default
    const aboveDefault = await product(fallback + 1, null)
    const recovered = await product(5, 3)
    await move(recovered.id, -3) // 2: alert opened
    // Raise the threshold's other side without the service: a product whose open alert is stale.
    await payload.update({ collection: 'products', id: recovered.id, data: { reorderThreshold: 1 } as never, overrideAccess: true })
    const ids = [low.id, ok.id, lowByDefault.id, aboveDefault.id, recovered.id]

    const first = await scanLowStock(payload, { productIds: ids })
    expect(first).toMatchObject({ alertsOpened: 2, alertsResolved: 1, failed: 0 })
    expect((await alertsOf(low.id)).map((a) => a.status)).toEqual(['open'])
    expect(await alertsOf(ok.id)).toEqual([])
    expect((await alertsOf(lowByDefault.id)).map((a) => [a.status, Number(a.threshold)])).toEqual([['open', fallback]])
    expect(await alertsOf(aboveDefault.id)).toEqual([])
    expect((await alertsOf(recovered.id)).map((a) => a.status)).toEqual(['resolved'])
    // The scan e-mails the admins about what it opened.
    await ctx.mail.waitFor((m) => m.raw.includes(low.sku))
    await ctx.mail.waitFor((m) => m.raw.includes(lowByDefault.sku))
    expect((await alertsOf(low.id))[0].notified_at).not.toBeNull()

    const second = await scanLowStock(payload, { productIds: ids })
    expect(second).toMatchObject({ alertsOpened: 0, alertsResolved: 0, failed: 0 })
    await new Promise((r) => setTimeout(r, 300))
    expect(mailsFor(low.sku)).toHaveLength(1)
    expect(mailsFor(lowByDefault.sku)).toHaveLength(1)
    expect(await alertsOf(low.id)).toHaveLength(1)
  })

  it('concurrent scans open and e-mail one alert', async () => {
    const p = await product(0, 2)
    const results = await Promise.all(Array.from({ length: 4 }, () => scanLowStock(payload, { productIds: [p.id] })))
    expect(results.reduce((n, r) => n + r.alertsOpened, 0)).toBe(1)
    await ctx.mail.waitFor((m) => m.raw.includes(p.sku))
    await new Promise((r) => setTimeout(r, 300))
    expect(mailsFor(p.sku)).toHaveLength(1)
    expect(await alertsOf(p.id)).toHaveLength(1)
  })

  it('is registered as a daily job and runs with `npm run job -- scan-low-stock`, twice without change', async () => {
    const job = patronJobs.find((j) => j.slug === 'scan-low-stock')
    expect(job).toMatchObject({ cron: '0 6 * * *' })
    const p = await product(1, 2)
    const a = await runScript('scripts/run-job.ts', ['scan-low-stock'])
    expect(a.code, a.out).toBe(0)
    const summary = JSON.parse(a.out.split('\n').find((l) => l.startsWith('{"job"'))!)
    expect(summary).toMatchObject({ job: 'scan-low-stock', failed: 0 })
    expect(summary.alertsOpened).toBeGreaterThanOrEqual(1)
    expect((await alertsOf(p.id)).map((x) => x.status)).toEqual(['open'])
    await ctx.mail.waitFor((m) => m.raw.includes(p.sku))

    const b = await runScript('scripts/run-job.ts', ['scan-low-stock'])
    expect(b.code, b.out).toBe(0)
    expect(JSON.parse(b.out.split('\n').find((l) => l.startsWith('{"job"'))!)).toMatchObject({ alertsOpened: 0, alertsResolved: 0, alertsNotified: 0, failed: 0 })
    expect(await alertsOf(p.id)).toHaveLength(1)
    expect(mailsFor(p.sku)).toHaveLength(1)
  })
})

function runScript(script: string, args: string[]) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, script), ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${script} timed out:\n${out}`))
    }, 50_000)
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

describe('initial stock', () => {
  it('a product created with stock has an initial movement, so the history adds up from zero', async () => {
    const { payload } = await getTestContext()
    const p = await payload.create({
      collection: 'products',
      data: { title: `Initial ${uniq()}`, sku: uniq('INIT').toUpperCase(), price: 100, stockQuantity: 12, _status: 'published' } as never,
      overrideAccess: true,
    })
    const moves = await payload.find({ collection: 'stock-movements', where: { product: { equals: p.id } } })
    expect(moves.docs.map((m) => [m.reason, m.delta, m.stockAfter])).toEqual([['initial', 12, 12]])
  })
})
