import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let ctx: TestContext

beforeAll(async () => {
  ctx = await getTestContext()
})

/** Runs a project script against the test database; resolves with its exit code and output. */
function run(script: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({ code, out }))
  })
}

describe('npm run create-admin', () => {
  it('creates a super-admin with the given password, who can sign in', async () => {
    const email = `${uniq('owner')}@test.local`
    const { code, out } = await run('scripts/create-admin.ts', ['--email', email, '--password', 'a-strong-password-1'])
    expect(code, out).toBe(0)
    const login = await rest(`${ctx.api}/users/login`, { body: { email, password: 'a-strong-password-1' } })
    expect(login.status).toBe(200)
    expect(login.body.user.role).toBe('super-admin')
  })

  it('generates and prints a password when none is given (no built-in password)', async () => {
    const email = `${uniq('owner')}@test.local`
    const { code, out } = await run('scripts/create-admin.ts', ['--email', email])
    expect(code, out).toBe(0)
    const password = /password \(shown once\): (\S+)/.exec(out)?.[1]
    expect(password && password.length).toBeGreaterThanOrEqual(20)
    expect((await rest(`${ctx.api}/users/login`, { body: { email, password } })).status).toBe(200)
  })

  it('refuses a short password or a bad e-mail, creating nothing', async () => {
    const email = `${uniq('owner')}@test.local`
    expect((await run('scripts/create-admin.ts', ['--email', email, '--password', 'short'])).code).not.toBe(0)
    expect((await run('scripts/create-admin.ts', ['--email', 'not-an-email', '--password', 'a-strong-password-1'])).code).not.toBe(0)
    expect((await ctx.payload.count({ collection: 'users', where: { email: { equals: email } } })).totalDocs).toBe(0)
  })
})

describe('npm run seed', () => {
  it('refuses to seed demo accounts in production', async () => {
    const { code, out } = await run('scripts/seed.ts', [], { NODE_ENV: 'production' })
    expect(code).not.toBe(0)
    expect(out).toMatch(/refusing to seed/)
  })
})
