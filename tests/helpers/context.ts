import type http from 'node:http'
import type { Payload } from 'payload'
import { getPayload } from 'payload'
import { runMigrations } from '../../src/lib/db/migrate'
import { createApiServer, listen } from '../../src/lib/http/api-server'
import { startSmtpCatcher } from './smtp'

export type TestContext = {
  payload: Payload
  /** Base URL of the REST API served in-process by Payload's handlers, e.g. http://127.0.0.1:1234/api */
  api: string
  mail: Awaited<ReturnType<typeof startSmtpCatcher>>
  server: http.Server
}

let context: Promise<TestContext> | undefined

/**
 * One Payload instance per test run (integration files share a process):
 * a real SMTP catcher for e-mail, migrations on the throw-away database that
 * `npm test` created, and the REST API on a local port.
 */
export function getTestContext(): Promise<TestContext> {
  context ??= (async () => {
    if (!process.env.DATABASE_URL) throw new Error('run integration tests through `npm test` (it provides the database)')
    const mail = await startSmtpCatcher()
    process.env.SMTP_HOST = '127.0.0.1'
    process.env.SMTP_PORT = String(mail.port)
    process.env.SMTP_SECURE = 'false'
    const { default: config } = await import('../../payload.config')
    const payload = await getPayload({ config })
    await runMigrations(payload)
    const server = createApiServer(config)
    const port = await listen(server, 0)
    return { payload, api: `http://127.0.0.1:${port}/api`, mail, server }
  })()
  return context
}

/** A string unique to this test run, for e-mails and codes that must not collide across runs. */
export const uniq = (prefix = 't') => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`
