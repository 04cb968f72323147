import { beforeAll, describe, expect, it } from 'vitest'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { createStaff } from '../helpers/staff'

let ctx: TestContext
beforeAll(async () => {
  ctx = await getTestContext()
})

const tryLogin = (email: string, password: string) => rest(`${ctx.api}/users/login`, { body: { email, password } })

describe('lockout after five failed logins', () => {
  it('refuses even the right password while locked, and accepts it once the lock time has passed', async () => {
    const user = await createStaff(ctx.payload, ctx.api, 'support')
    for (let i = 0; i < 5; i++) {
      const res = await tryLogin(user.email, 'wrong-password')
      expect(res.status).toBe(401)
    }
    const locked = await tryLogin(user.email, user.password)
    expect(locked.status).toBe(401)
    expect(locked.body.token).toBeUndefined()
    expect(JSON.stringify(locked.body)).toMatch(/locked/i)

    const row = (await ctx.payload.db.findOne({ collection: 'users', where: { id: { equals: user.id } } })) as {
      lockUntil?: string
    }
    const lockMs = new Date(row.lockUntil!).getTime() - Date.now()
    expect(lockMs).toBeGreaterThan(9 * 60 * 1000)
    expect(lockMs).toBeLessThanOrEqual(10 * 60 * 1000)

    // Let the ten minutes pass by moving the lock into the past.
    await ctx.payload.db.updateOne({
      collection: 'users',
      id: user.id,
      data: { lockUntil: new Date(Date.now() - 1000).toISOString() },
    })
    const after = await tryLogin(user.email, user.password)
    expect(after.status).toBe(200)
    expect(after.body.token).toBeTruthy()
  })

  it('fewer than five failures do not lock the account', async () => {
    const user = await createStaff(ctx.payload, ctx.api, 'editor')
    for (let i = 0; i < 4; i++) expect((await tryLogin(user.email, 'nope')).status).toBe(401)
    expect((await tryLogin(user.email, user.password)).status).toBe(200)
  })
})

describe('rate limits', () => {
  it('answers 429 with Retry-After past the login limit, before checking the password', async () => {
    const email = `${uniq('ghost')}@test.local`
    const limit = Number(process.env.RATE_LIMIT_LOGIN || 10)
    for (let i = 0; i < limit; i++) expect((await tryLogin(email, 'x')).status).toBe(401)
    const limited = await tryLogin(email, 'x')
    expect(limited.status).toBe(429)
    expect(limited.body.errors[0].code).toBe('RATE_LIMITED')
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
  })

  it('limits forgot-password requests too', async () => {
    const email = `${uniq('ghost')}@test.local`
    const limit = Number(process.env.RATE_LIMIT_FORGOT_PASSWORD || 5)
    for (let i = 0; i < limit; i++) {
      expect((await rest(`${ctx.api}/users/forgot-password`, { body: { email } })).status).toBe(200)
    }
    const limited = await rest(`${ctx.api}/users/forgot-password`, { body: { email } })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBeTruthy()
  })

  it('a forged client-address header does not reset the limit', async () => {
    const email = `${uniq('ghost')}@test.local`
    const limit = Number(process.env.RATE_LIMIT_LOGIN || 10)
    for (let i = 0; i < limit; i++) await tryLogin(email, 'x')
    const forged = await rest(`${ctx.api}/users/login`, {
      body: { email, password: 'x' },
      headers: { 'x-patron-client-ip': `10.0.0.${Math.floor(Math.random() * 200)}` },
    })
    expect(forged.status).toBe(429)
    const forwarded = await rest(`${ctx.api}/users/login`, {
      body: { email, password: 'x' },
      headers: { 'x-forwarded-for': `10.1.2.${Math.floor(Math.random() * 200)}` },
    })
    expect(forwarded.status).toBe(429)
  })
})

describe('per-address limit', () => {
  it('stops one address spraying many e-mails (behind a trusted proxy)', async () => {
    const saved = { hops: process.env.TRUST_PROXY_HOPS, perIp: process.env.RATE_LIMIT_AUTH_PER_IP }
    process.env.TRUST_PROXY_HOPS = '1'
    process.env.RATE_LIMIT_AUTH_PER_IP = '3'
    try {
      const ip = `203.0.113.${Math.floor(Math.random() * 250)}`
      const attempt = () =>
        rest(`${ctx.api}/users/login`, { body: { email: `${uniq('spray')}@test.local`, password: 'x' }, headers: { 'x-forwarded-for': ip } })
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401)
      const limited = await attempt()
      expect(limited.status).toBe(429)
      // Another client address is not affected.
      const other = await rest(`${ctx.api}/users/login`, {
        body: { email: `${uniq('spray')}@test.local`, password: 'x' },
        headers: { 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}` },
      })
      expect(other.status).toBe(401)
    } finally {
      process.env.TRUST_PROXY_HOPS = saved.hops
      process.env.RATE_LIMIT_AUTH_PER_IP = saved.perIp
      if (saved.hops === undefined) delete process.env.TRUST_PROXY_HOPS
      if (saved.perIp === undefined) delete process.env.RATE_LIMIT_AUTH_PER_IP
    }
  })
})

describe('forgot and reset password by e-mail', () => {
  it('mails a reset link over SMTP whose token sets a new password', async () => {
    const user = await createStaff(ctx.payload, ctx.api, 'moderator')
    const res = await rest(`${ctx.api}/users/forgot-password`, { body: { email: user.email } })
    expect(res.status).toBe(200)
    const mail = await ctx.mail.waitFor((m) => m.to.includes(user.email))
    expect(mail.raw).toMatch(/Reset your Patron password/)
    const token = /\/admin\/reset\/([A-Za-z0-9]+)/.exec(mail.raw)?.[1]
    expect(token).toBeTruthy()

    const reset = await rest(`${ctx.api}/users/reset-password`, { body: { token, password: 'a-brand-new-password' } })
    expect(reset.status).toBe(200)
    expect((await tryLogin(user.email, user.password)).status).toBe(401)
    expect((await tryLogin(user.email, 'a-brand-new-password')).status).toBe(200)
    // A used token does not work twice.
    const again = await rest(`${ctx.api}/users/reset-password`, { body: { token, password: 'yet-another-password' } })
    expect(again.status).toBeGreaterThanOrEqual(400)
    expect(again.status).toBeLessThan(500)
  })

  it('answers the same for an unknown address and sends nothing', async () => {
    const email = `${uniq('nobody')}@test.local`
    const res = await rest(`${ctx.api}/users/forgot-password`, { body: { email } })
    expect(res.status).toBe(200)
    await new Promise((r) => setTimeout(r, 300))
    expect(ctx.mail.messages.some((m) => m.to.includes(email))).toBe(false)
  })

  it('rejects a made-up token with a 4xx', async () => {
    const res = await rest(`${ctx.api}/users/reset-password`, { body: { token: 'not-a-token', password: 'whatever-password' } })
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
  })
})
