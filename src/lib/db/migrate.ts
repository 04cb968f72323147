import type { Payload } from 'payload'
import { migrations } from '../../../migrations'

type MigrateArgs = Parameters<Payload['db']['migrate']>[0]

/** Applies the committed migrations that have not run yet on this database. */
export async function runMigrations(payload: Payload): Promise<void> {
  // The generic adapter types migration args as `unknown`; ours take the Postgres adapter's.
  await payload.db.migrate({ migrations } as unknown as MigrateArgs)
}
