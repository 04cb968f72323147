import pg from 'pg'
import type { PayloadRequest } from 'payload'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { health } from '../../endpoints/health'
import { pendingSchemaChanges } from '../../src/lib/db/schema-drift'
import { getTestContext, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let superAdmin: StaffFixture
let admin: StaffFixture
let editor: StaffFixture

beforeAll(async () => {
  ctx = await getTestContext()
  superAdmin = await createStaff(ctx.payload, ctx.api, 'super-admin')
  admin = await createStaff(ctx.payload, ctx.api, 'admin')
  editor = await createStaff(ctx.payload, ctx.api, 'editor')
})

describe('GET /api/health', () => {
  it('reports the database and Redis', async () => {
    const res = await rest(`${ctx.api}/health`)
    expect(res.status).toBe(200)
    expect(res.body.db).toBe('ok')
    expect(res.body.redis).toBe(process.env.REDIS_URL ? 'ok' : 'disabled')
    expect(res.body.status).toBe('ok')
  })

  describe('when PostgreSQL is unreachable', () => {
    const deadPool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 500 })
    afterAll(() => deadPool.end())

    it('answers 503 with db: down', async () => {
      const req = { payload: { db: { pool: deadPool } } } as unknown as PayloadRequest
      const res = await health.handler(req)
      expect(res.status).toBe(503)
      const body = await res.json()
      expect(body).toMatchObject({ status: 'down', db: 'down' })
    })
  })
})

describe('migrations', () => {
  it('the committed migrations create exactly the schema the collections describe', async () => {
    expect(await pendingSchemaChanges(ctx.payload)).toEqual([])
  })

  it('ran on this database (push is off)', async () => {
    const { rows } = await (ctx.payload.db as unknown as { pool: pg.Pool }).pool.query('select count(*)::int as n from payload_migrations')
    expect(rows[0].n).toBeGreaterThan(0)
  })
})

describe('globals: settings and branding', () => {
  it('anyone can read settings and branding', async () => {
    const settings = await rest(`${ctx.api}/globals/settings`)
    expect(settings.status).toBe(200)
    expect(settings.body.currency).toBe('USD')
    const branding = await rest(`${ctx.api}/globals/branding`)
    expect(branding.status).toBe(200)
    expect(branding.body.name).toBeTruthy()
  })

  it('only the super-admin changes settings', async () => {
    const before = await ctx.payload.findGlobal({ slug: 'settings' })
    for (const who of [admin, editor]) {
      const res = await rest(`${ctx.api}/globals/settings`, { token: who.token, body: { deliveryFee: 999 } })
      expect(res.status).toBe(403)
    }
    const anon = await rest(`${ctx.api}/globals/settings`, { body: { deliveryFee: 999 } })
    expect(anon.status).toBe(403)
    expect((await ctx.payload.findGlobal({ slug: 'settings' })).deliveryFee).toBe(before.deliveryFee)

    const ok = await rest(`${ctx.api}/globals/settings`, { token: superAdmin.token, body: { deliveryFee: 450, taxRate: 7.5 } })
    expect(ok.status).toBe(200)
    const after = await ctx.payload.findGlobal({ slug: 'settings' })
    expect(after.deliveryFee).toBe(450)
    expect(after.taxRate).toBe(7.5)
  })

  it('rejects bad settings with 400 and keeps the old values', async () => {
    const before = await ctx.payload.findGlobal({ slug: 'settings' })
    const res = await rest(`${ctx.api}/globals/settings`, { token: superAdmin.token, body: { taxRate: 150, deliveryFee: -5 } })
    expect(res.status).toBe(400)
    expect(res.body.errors[0].code).toBe('VALIDATION_ERROR')
    const after = await ctx.payload.findGlobal({ slug: 'settings' })
    expect(after.taxRate).toBe(before.taxRate)
    expect(after.deliveryFee).toBe(before.deliveryFee)
  })

  it('admins change branding, editors cannot; colours are validated', async () => {
    expect((await rest(`${ctx.api}/globals/branding`, { token: editor.token, body: { name: 'Nope' } })).status).toBe(403)
    const bad = await rest(`${ctx.api}/globals/branding`, { token: admin.token, body: { primaryColour: 'red' } })
    expect(bad.status).toBe(400)
    const ok = await rest(`${ctx.api}/globals/branding`, { token: admin.token, body: { name: 'Acme Crafts', primaryColour: '#112233' } })
    expect(ok.status).toBe(200)
    expect((await ctx.payload.findGlobal({ slug: 'branding' })).name).toBe('Acme Crafts')
  })
})

describe('GraphQL at /api/graphql', () => {
  const gql = (query: string, token?: string) => rest(`${ctx.api}/graphql`, { token, body: { query } })

  it('serves public globals to anyone', async () => {
    const res = await gql('{ Setting { currency } }')
    expect(res.status).toBe(200)
    expect(res.body.data.Setting.currency).toBe('USD')
  })

  it('applies the same access rules as REST', async () => {
    const anon = await gql('{ Users { docs { email } } }')
    expect(anon.body.data?.Users ?? null).toBeNull()
    expect(anon.body.errors[0].message).toMatch(/not allowed/i)
    expect(anon.body.errors[0].extensions.code).toBe('FORBIDDEN')
    const asAdmin = await gql('{ Users(limit: 200) { docs { email } } }', admin.token)
    expect(asAdmin.body.data.Users.docs.map((d: { email: string }) => d.email)).toContain(editor.email)
  })
})

describe('error shape', () => {
  it('unknown routes and bad ids get a coded error, never a 500', async () => {
    const missing = await rest(`${ctx.api}/users/999999`, { token: admin.token })
    expect(missing.status).toBe(404)
    expect(missing.body.errors[0].code).toBe('NOT_FOUND')
    const badJson = await fetch(`${ctx.api}/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' })
    expect(badJson.status).toBeGreaterThanOrEqual(400)
    expect(badJson.status).toBeLessThan(500)
  })
})

describe('request bodies on the lean API server', () => {
  // Small JSON bodies with a Content-Length are read whole; chunked and large ones stay streams.
  const login = async (body: BodyInit, headers: Record<string, string> = {}) => {
    const res = await fetch(`${ctx.api}/members/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      duplex: 'half',
    } as RequestInit)
    return { status: res.status, body: await res.json() }
  }
  const wrong = JSON.stringify({ email: 'nobody@example.invalid', password: 'not-the-password' })

  it('a JSON body with a Content-Length is read (401 for wrong credentials, not 400)', async () => {
    expect((await login(wrong)).status).toBe(401)
  })

  it('a chunked JSON body (no Content-Length) is read the same way', async () => {
    const stream = new ReadableStream({
      start(controller) {
        const bytes = new TextEncoder().encode(wrong)
        controller.enqueue(bytes.slice(0, 10))
        controller.enqueue(bytes.slice(10))
        controller.close()
      },
    })
    expect((await login(stream)).status).toBe(401)
  })

  it('a body larger than the whole-read limit is streamed and still read', async () => {
    const big = JSON.stringify({ email: 'nobody@example.invalid', password: 'not-the-password', padding: 'x'.repeat(100_000) })
    expect((await login(big)).status).toBe(401)
  })

  it('a malformed small body is a clear 400', async () => {
    const res = await login('{"email": ')
    expect(res.status).toBe(400)
  })
})
