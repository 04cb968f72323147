import fs from 'node:fs'
import path from 'node:path'
import type { Payload } from 'payload'

type DrizzleKit = {
  generateDrizzleJson: (schema: unknown) => Promise<{ version: string }> | { version: string }
  generateMigration: (before: unknown, after: unknown) => Promise<string[]>
  upSnapshot?: (snapshot: unknown) => unknown
}

/**
 * The SQL that a new migration would contain: the difference between the
 * schema the collections describe now and the last committed migration's
 * snapshot. Empty means collections and migrations agree.
 */
export async function pendingSchemaChanges(payload: Payload): Promise<string[]> {
  const db = payload.db as unknown as {
    migrationDir: string
    schema: unknown
    defaultDrizzleSnapshot: unknown
    requireDrizzleKit: () => DrizzleKit
  }
  const { generateDrizzleJson, generateMigration, upSnapshot } = db.requireDrizzleKit()
  const after = await generateDrizzleJson(db.schema)
  const snapshots = fs.existsSync(db.migrationDir)
    ? fs.readdirSync(db.migrationDir).filter((f) => f.endsWith('.json')).sort()
    : []
  let before: unknown = structuredClone(db.defaultDrizzleSnapshot)
  const latest = snapshots.at(-1)
  if (latest) {
    before = JSON.parse(fs.readFileSync(path.join(db.migrationDir, latest), 'utf8'))
    if (upSnapshot && (before as { version: string }).version < after.version) before = upSnapshot(before)
  }
  return generateMigration(before, after)
}
