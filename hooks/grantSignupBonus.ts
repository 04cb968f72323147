import type { CollectionAfterChangeHook } from 'payload'
import { inTransaction } from '../src/lib/db/sql'
import { postLedgerEntry } from '../src/services/loyalty/ledger'
import { loadRules } from '../src/services/loyalty/rules'
import { pointsExpiry } from '../src/domain/loyalty'

/**
 * Credits the signup bonus to a new member, in the same transaction as the
 * member (a failed bonus means no member). Once per member: the entry's
 * idempotency key is tied to the member id. Imports pass
 * `context.skipSignupBonus` because legacy balances come from their own history.
 */
export const grantSignupBonus: CollectionAfterChangeHook = async ({ doc, operation, req, context }) => {
  if (operation !== 'create' || context.skipSignupBonus) return doc
  const rules = await loadRules(req.payload, req)
  if (!rules.signupBonus || rules.signupBonus <= 0) return doc
  const result = await inTransaction(req.payload, req, (db) =>
    postLedgerEntry(db, rules, {
      memberId: doc.id,
      type: 'bonus',
      points: rules.signupBonus,
      reason: 'Signup bonus',
      expiresAt: pointsExpiry(new Date(), rules.pointsExpiryDays),
      idempotencyKey: `signup:${doc.id}`,
    }),
  )
  return { ...doc, pointsBalance: result.balanceAfter, lifetimePoints: (doc.lifetimePoints ?? 0) + rules.signupBonus }
}
