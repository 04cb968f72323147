import crypto from 'node:crypto'

/**
 * Verifies Payload's session JWTs with node:crypto alone, for the floor server.
 *
 * Payload 3.90 signs with HS256 (jose) using `payload.secret`, which it derives
 * from the configured secret as sha256(PAYLOAD_SECRET) in hex, first 32
 * characters (node_modules/payload/dist/index.js), encoded as UTF-8 bytes
 * (auth/jwt.js). The protected header carries `authVersion: 1`
 * (auth/jwtAuth.js), which the verifier checks too (auth/strategies/jwt.js).
 */
export type SessionClaims = { id: number; collection: string; sid?: string; email?: string; exp?: number; iat?: number }

export function payloadSigningKey(secret: string): Buffer {
  return Buffer.from(crypto.createHash('sha256').update(secret).digest('hex').slice(0, 32), 'utf8')
}

const JWT_AUTH_VERSION = 1

/** The claims of a valid, unexpired token signed with `key`; null otherwise. */
export function verifySessionToken(token: string, key: Buffer, nowSeconds = Math.floor(Date.now() / 1000)): SessionClaims | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  const [head, body, signature] = parts
  const expected = crypto.createHmac('sha256', key).update(`${head}.${body}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string; authVersion?: number }
    if (header.alg !== 'HS256' || header.authVersion !== JWT_AUTH_VERSION) return null
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims
    if (typeof claims.exp === 'number' && claims.exp <= nowSeconds) return null
    if (typeof claims.collection !== 'string' || (typeof claims.id !== 'number' && typeof claims.id !== 'string')) return null
    if (claims.sid !== undefined && typeof claims.sid !== 'string') return null
    return { ...claims, id: Number(claims.id) }
  } catch {
    return null
  }
}

/** The token of an `Authorization: JWT …` or `Bearer …` header. */
export function tokenFromHeader(header: string | undefined): string | null {
  if (!header) return null
  if (header.startsWith('JWT ')) return header.slice(4)
  if (header.startsWith('Bearer ')) return header.slice(7)
  return null
}
