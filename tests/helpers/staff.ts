import type { Payload } from 'payload'
import type { Role } from '../../src/domain/roles'
import { uniq } from './context'

export type StaffFixture = { id: number; email: string; password: string; role: Role; token: string }

/**
 * Creates a staff account with a unique e-mail and a session token, both
 * through the trusted local API (so fixtures do not count against the REST
 * login rate limit that the auth tests exercise).
 */
export async function createStaff(payload: Payload, _api: string, role: Role, data: Record<string, unknown> = {}): Promise<StaffFixture> {
  const email = `${uniq(role)}@test.local`
  const password = `pw-${uniq()}`
  if (role === 'reseller' && data.reseller === undefined) {
    // A reseller login must belong to a reseller: give it a fresh one.
    const reseller = await payload.create({ collection: 'resellers', data: { businessName: `Reseller of ${email}`, email: `r-${email}`, status: 'active' } as never, overrideAccess: true })
    data = { ...data, reseller: reseller.id }
  }
  const user = await payload.create({ collection: 'users', data: { email, password, role, name: `Test ${role}`, ...data } as never })
  const token = role === 'integration' ? '' : ((await payload.login({ collection: 'users', data: { email, password } })).token ?? '')
  return { id: user.id as number, email, password, role, token }
}
