import type { Payload } from 'payload'
import { inTransaction } from '../../lib/db/sql'
import { postLedgerEntry } from './ledger'
import { loadRules } from './rules'

/** A manual correction by an admin: a new `adjust` entry (the ledger is never edited). */
export async function adjustMemberPoints(
  payload: Payload,
  input: { memberId: number; points: number; reason: string; staffId: number },
): Promise<{ entry: number; pointsBalance: number }> {
  const rules = await loadRules(payload)
  const result = await inTransaction(payload, undefined, (db) =>
    postLedgerEntry(db, rules, { memberId: input.memberId, type: 'adjust', points: input.points, reason: input.reason, createdBy: input.staffId }),
  )
  return { entry: result.entryId, pointsBalance: result.balanceAfter }
}
