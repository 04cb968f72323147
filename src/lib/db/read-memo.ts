import type { Payload } from 'payload'
import { memoInProcess } from '../process-memo'

/**
 * Documents the database adapter reads (before Payload's afterRead: access,
 * hooks and population still run on every request) that are remembered in
 * process, by collection or global, with the data areas their tables notify
 * (migrations *_cache_notify). Every authenticated request reads its account
 * twice (the JWT check and, for `me`, the answer); every order and redemption
 * reads the settings or loyalty rules.
 */
const COLLECTIONS: Readonly<Record<string, readonly string[]>> = {
  members: ['members'],
  users: ['users'],
}
const GLOBALS: Readonly<Record<string, readonly string[]>> = {
  loyalty: ['loyalty'],
  settings: ['settings'],
}
/** A safety net only: a committed change makes a value unreachable at once. */
const TTL_MS = 60_000

type Args = { collection?: string; slug?: string; req?: { transactionID?: unknown } } & Record<string, unknown>
type Reader = (this: unknown, args: Args) => Promise<unknown>
type Adapter = { findOne: Reader; findGlobal: Reader; __patronReadMemo?: true }

function remember(original: Reader, name: 'findOne' | 'findGlobal', areasOf: (args: Args) => readonly string[] | undefined): Reader {
  return async function (this: unknown, args: Args) {
    const areas = areasOf(args)
    // Inside a transaction the reader may see its own uncommitted writes: never shared.
    if (!areas || args.req?.transactionID !== undefined) return original.call(this, args)
    const { req: _req, ...rest } = args
    const key = `${name}:${JSON.stringify(rest)}`
    const doc = await memoInProcess(areas, key, TTL_MS, () => original.call(this, args))
    // Payload's afterRead changes the document it is given (drops hidden fields…): hand out a copy.
    return doc === null || doc === undefined ? doc : structuredClone(doc)
  }
}

/** Installs the memo on Payload's database adapter (once; it stays inert while no change listener runs). */
export function rememberReads(payload: Payload): void {
  const db = payload.db as unknown as Adapter
  if (db.__patronReadMemo) return
  db.findOne = remember(db.findOne, 'findOne', (a) => (a.collection ? COLLECTIONS[a.collection] : undefined))
  db.findGlobal = remember(db.findGlobal, 'findGlobal', (a) => (a.slug ? GLOBALS[a.slug] : undefined))
  db.__patronReadMemo = true
}
