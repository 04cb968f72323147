import { addDataAndFileToRequest, type PayloadRequest } from 'payload'
import type { Role } from '../src/domain/roles'
import { badRequest, forbidden, PatronError, tooManyRequests } from '../src/lib/errors'
import { getRateLimiter } from '../src/lib/rate-limit'

/** Who is calling: a staff account (users), a storefront member, or nobody. */
export type Caller =
  | { kind: 'staff'; id: number; role: Role; scopes: string[] }
  | { kind: 'member'; id: number }
  | { kind: 'anonymous' }

export function callerOf(req: PayloadRequest): Caller {
  const user = req.user as { id: number; collection?: string; role?: Role; scopes?: string[] | null } | null
  if (!user) return { kind: 'anonymous' }
  if (user.collection === 'members') return { kind: 'member', id: user.id }
  if (user.collection === 'users' && user.role) return { kind: 'staff', id: user.id, role: user.role, scopes: user.scopes ?? [] }
  return { kind: 'anonymous' }
}

/** 401 for anonymous callers; otherwise the caller. */
export function requireCaller(req: PayloadRequest): Exclude<Caller, { kind: 'anonymous' }> {
  const caller = callerOf(req)
  if (caller.kind === 'anonymous') throw new PatronError('UNAUTHORIZED', 'Sign in first.', 401)
  return caller
}

/** True when the caller is staff with one of `roles`, or an integration holding `scope`. */
export function staffMay(caller: Caller, roles: Role[], scope?: string): boolean {
  if (caller.kind !== 'staff') return false
  if (caller.role === 'integration') return !!scope && caller.scopes.includes(scope)
  return roles.includes(caller.role)
}

export function requireStaff(req: PayloadRequest, roles: Role[], scope?: string): Extract<Caller, { kind: 'staff' }> {
  const caller = requireCaller(req)
  if (!staffMay(caller, roles, scope)) throw forbidden()
  return caller as Extract<Caller, { kind: 'staff' }>
}

/** The JSON body as an object (400 for anything else). */
export async function jsonBody(req: PayloadRequest): Promise<Record<string, unknown>> {
  await addDataAndFileToRequest(req)
  const data = req.data
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw badRequest('Send a JSON object as the request body.')
  return data as Record<string, unknown>
}

/** A route parameter that must be a positive integer id (404 otherwise: no such document). */
export function idParam(req: PayloadRequest, name = 'id'): number {
  const raw = req.routeParams?.[name]
  const id = Number(raw)
  if (!Number.isInteger(id) || id <= 0) throw new PatronError('NOT_FOUND', 'Not found.', 404)
  return id
}

/** Counts a hit against `key`; past the limit sets Retry-After and throws 429. */
export async function rateLimit(req: PayloadRequest, key: string, limit: number, windowSeconds: number): Promise<void> {
  const verdict = await getRateLimiter().hit(key, limit, windowSeconds)
  if (!verdict.allowed) {
    req.responseHeaders = new Headers({ 'Retry-After': String(verdict.retryAfterSeconds) })
    throw tooManyRequests(verdict.retryAfterSeconds)
  }
}
