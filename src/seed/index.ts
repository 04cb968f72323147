import crypto from 'node:crypto'
import type { Payload } from 'payload'
import { ROLES, type Role } from '../domain/roles'
import { DEMO_LOGIN_RESELLER_EMAIL, ensureDemoResellers, seedCommerceDemo } from './commerce'
import { DEMO_MEMBER_EMAIL, seedLoyaltyDemo } from './loyalty'
import { demoPassword } from './password'

export { demoPassword }

/** A staff login (by role) or the demo storefront member (`member`). */
export type DemoLogin = { role: Role | 'member'; email: string; password?: string; apiKey?: string }

const demoEmail = (role: Role) => `${role}@patron.local`

/**
 * Demo data for development, idempotent: each piece is looked up by a natural
 * key and created only when missing. The demo resellers first (the `reseller`
 * login must belong to one), staff accounts (one per role), then the loyalty
 * program (src/seed/loyalty.ts): vouchers, 40 members across the tiers with a
 * year of ledger history, and redemptions; then commerce (src/seed/commerce.ts):
 * the catalogue, resellers' clients, orders in every state with payments and
 * refunds, and reviews.
 */
export async function seedDemo(payload: Payload, onProgress: (msg: string) => void = () => {}): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = []
  const resellers = await ensureDemoResellers(payload, onProgress)
  const loginReseller = resellers.ids.get(DEMO_LOGIN_RESELLER_EMAIL)!
  for (const [i, role] of ROLES.entries()) {
    onProgress(`staff accounts ${i + 1}/${ROLES.length}`)
    const email = demoEmail(role)
    const existing = await payload.find({ collection: 'users', where: { email: { equals: email } }, limit: 1, depth: 0 })
    let user = existing.docs[0]
    if (!user) {
      user = await payload.create({
        collection: 'users',
        data: {
          email,
          password: demoPassword(),
          name: `Demo ${role}`,
          role,
          ...(role === 'integration' ? { enableAPIKey: true, apiKey: crypto.randomUUID() } : {}),
          ...(role === 'reseller' ? { reseller: loginReseller } : {}),
        },
      })
    } else if (role === 'reseller' && user.role === 'reseller' && !user.reseller) {
      // Made before reseller logins had to belong to a reseller.
      user = await payload.update({ collection: 'users', id: user.id, data: { reseller: loginReseller }, overrideAccess: true, depth: 0 })
    }
    if (role === 'integration') {
      // API keys are stored encrypted; read it back decrypted through the adapter for the printout.
      const key = await readApiKey(payload, user.id)
      logins.push({ role, email, apiKey: key })
    } else {
      logins.push({ role, email, password: demoPassword() })
    }
  }
  await seedLoyaltyDemo(payload, onProgress)
  await seedCommerceDemo(payload, onProgress)
  logins.push({ role: 'member', email: DEMO_MEMBER_EMAIL, password: demoPassword() })
  return logins
}

async function readApiKey(payload: Payload, id: number | string): Promise<string | undefined> {
  const row = (await payload.db.findOne({ collection: 'users', where: { id: { equals: id } } })) as { apiKey?: string } | null
  if (!row?.apiKey) return undefined
  try {
    return (payload as unknown as { decrypt: (v: string) => string }).decrypt(row.apiKey)
  } catch {
    return undefined
  }
}

export function printLogins(logins: DemoLogin[], baseUrl: string): void {
  const lines = [
    '',
    `  Patron is running: admin ${baseUrl}/admin   REST ${baseUrl}/api   GraphQL ${baseUrl}/api/graphql`,
    '  Demo logins (development only):',
    ...logins.map((l) =>
      l.apiKey
        ? `    ${l.role.padEnd(12)} API key: Authorization: users API-Key ${l.apiKey}`
        : `    ${l.role.padEnd(12)} ${l.email.padEnd(28)} ${l.password}`,
    ),
    '',
  ]
  console.log(lines.join('\n'))
}
