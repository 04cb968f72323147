import type { Payload } from 'payload'
import type { Role } from '../../src/domain/roles'
import { login } from './rest'
import { uniq } from './context'

export type StaffFixture = { id: number; email: string; password: string; role: Role; token: string }

/** Creates a staff account with a unique e-mail through the trusted local API and signs it in over REST. */
export async function createStaff(payload: Payload, api: string, role: Role): Promise<StaffFixture> {
  const email = `${uniq(role)}@test.local`
  const password = `pw-${uniq()}`
  const user = await payload.create({ collection: 'users', data: { email, password, role, name: `Test ${role}` } })
  const token = role === 'integration' ? '' : await login(api, email, password)
  return { id: user.id as number, email, password, role, token }
}
