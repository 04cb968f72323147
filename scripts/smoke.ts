import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { findFreePort } from '../src/lib/db/embedded'
import { projectRoot } from '../src/lib/env'

/**
 * npm run smoke — the production path on the zero-setup default, as a new user
 * meets it: after `npm run build`, `npm start` with no DATABASE_URL (embedded
 * PostgreSQL in a fresh folder), /api/health and /admin/login answer 200, the
 * first account is created in the admin panel in headless Chromium (when
 * installed), then SIGTERM stops the app and its database cleanly.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

async function main() {
  const port = await findFreePort(3100)
  const base = `http://127.0.0.1:${port}`
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-smoke-'))
  // mkdtemp makes the folder private; as root, PostgreSQL runs as the `postgres` user and must enter it.
  fs.chmodSync(dataDir, 0o755)
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), PATRON_DATA_DIR: dataDir, PUBLIC_URL: base }
  delete env.DATABASE_URL
  delete env.REDIS_URL
  delete env.PAYLOAD_SECRET
  step(`starting \`npm start\` on port ${port} with the embedded database in ${dataDir}`)
  const app = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)))
  try {
    const health = await waitFor(`${base}/api/health`, 180_000)
    const body = (await health.json()) as { db?: string }
    check(health.status === 200 && body.db === 'ok', `/api/health 200 with db ok (got ${health.status} ${JSON.stringify(body)})`)
    const login = await fetch(`${base}/admin/login`)
    check(login.status === 200, `/admin/login 200 (got ${login.status})`)
    await browserCheck(base)
  } finally {
    step('stopping the app with SIGTERM')
    app.kill('SIGTERM')
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)])
    check(code !== 'timeout', 'the app exits within 30 s of SIGTERM')
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid')
    check(!fs.existsSync(pidFile), 'the embedded PostgreSQL shut down cleanly (no postmaster.pid left)')
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  step('smoke test passed')
}

async function browserCheck(base: string) {
  if (!fs.existsSync(CHROMIUM)) {
    step(`browser check not run: no Chromium at ${CHROMIUM} (apt-get install chromium)`)
    return
  }
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  try {
    const page = await browser.newPage()
    const email = 'owner@smoke.test'
    const password = 'smoke-test-password-1'
    await page.goto(`${base}/admin`, { waitUntil: 'domcontentloaded', timeout: 120_000 })
    await page.waitForURL(/create-first-user/, { timeout: 120_000 })
    step('admin panel offers to create the first account')
    await page.fill('#field-email', email)
    await page.fill('#field-password', password)
    await page.fill('#field-confirm-password', password)
    await page.click('button[type="submit"]')
    await page.waitForURL((url) => !url.pathname.includes('create-first-user'), { timeout: 120_000 })
    await page.getByText('Staff accounts').first().waitFor({ timeout: 60_000 })
    step('first account created; the dashboard lists Staff accounts')
    // Every screen a staff member opens first must render (an admin error shows no list or form).
    const screens: Array<[string, string]> = [
      ['/admin/collections/members', 'Members'],
      ['/admin/collections/point-transactions', 'Points ledger'],
      ['/admin/collections/vouchers', 'Vouchers'],
      ['/admin/collections/redemptions', 'Redemptions'],
      ['/admin/collections/vouchers/create', 'Code'],
      ['/admin/globals/loyalty', 'Tiers'],
      ['/admin/collections/products', 'Products'],
      ['/admin/collections/orders', 'Orders'],
      ['/admin/collections/resellers/create', 'Credit Limit'],
      ['/admin/collections/transactions', 'Transactions'],
      ['/admin/globals/settings', 'Currency'],
    ]
    for (const [url, text] of screens) {
      const res = await page.goto(`${base}${url}`, { waitUntil: 'domcontentloaded', timeout: 120_000 })
      check(res?.status() === 200, `${url} answers 200`)
      await page.getByText(text).first().waitFor({ timeout: 60_000 })
      step(`ok: ${url} shows "${text}"`)
    }
    const res = await fetch(`${base}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    const { user, token } = (await res.json()) as { user?: { role?: string }; token?: string }
    check(user?.role === 'super-admin', `the first account is the super-admin (got ${user?.role})`)
    await orderWorkflowCheck(page, base, token ?? '')
  } finally {
    await browser.close()
  }
}

/** The order page's workflow buttons move an order through the same service as the API. */
async function orderWorkflowCheck(page: import('playwright-core').Page, base: string, token: string) {
  const api = (path: string, body?: unknown) =>
    fetch(`${base}/api${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { 'content-type': 'application/json', authorization: `JWT ${token}` },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { doc?: { id: number; status?: string } } }))
  const product = await api('/products', { title: 'Smoke mug', sku: 'SMOKE-MUG', price: 1500, stockQuantity: 3, _status: 'published' })
  check(product.status === 201, `a product can be created (got ${product.status})`)
  const order = await api('/orders?depth=0', { items: [{ product: product.body.doc?.id, quantity: 1 }] })
  check(order.status === 201, `an order can be created (got ${order.status})`)
  const id = order.body.doc?.id
  await page.goto(`${base}/admin/collections/orders/${id}`, { waitUntil: 'domcontentloaded', timeout: 120_000 })
  await page.getByRole('button', { name: 'Confirm' }).click({ timeout: 60_000 })
  await page.getByRole('button', { name: 'Dispatch' }).waitFor({ timeout: 60_000 })
  const after = await api(`/orders/${id}?depth=0`)
  check(after.body && (after.body as { status?: string }).status === 'confirmed', `the Confirm button confirmed the order (got ${JSON.stringify((after.body as { status?: string }).status)})`)
  step('ok: the order page confirms an order through the transition service')
}

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(60_000) })
      if (res.status === 200) return res
      last = `status ${res.status}`
    } catch (err) {
      last = String(err)
    }
    await sleep(1_000)
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (${last})`)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const step = (msg: string) => console.log(`[smoke] ${msg}`)
function check(ok: boolean, what: string) {
  if (!ok) throw new Error(`smoke check failed: ${what}`)
  step(`ok: ${what}`)
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
