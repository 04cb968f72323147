import { APIError } from 'payload'

/** Machine-readable codes clients can branch on (SPEC §3). */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'LOCKED'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE'
  | 'INSUFFICIENT_POINTS'
  | 'OUT_OF_STOCK'
  | 'VOUCHER_INACTIVE'
  | 'VOUCHER_EXPIRED'
  | 'LIMIT_REACHED'
  | 'TIER_TOO_LOW'
  | 'INVALID_TRANSITION'
  | 'CREDIT_LIMIT_EXCEEDED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'MEMBER_INACTIVE'

/** An error whose message is safe to show and which carries a code. */
export class PatronError extends APIError<{ code: ErrorCode; [key: string]: unknown }> {
  constructor(code: ErrorCode, message: string, status: number, extra: Record<string, unknown> = {}) {
    super(message, status, { ...extra, code }, true)
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>) =>
  new PatronError('VALIDATION_ERROR', message, 400, extra)
export const forbidden = (message = 'You are not allowed to perform this action.') =>
  new PatronError('FORBIDDEN', message, 403)
export const notFound = (message = 'Not found.') => new PatronError('NOT_FOUND', message, 404)
export const conflict = (code: ErrorCode, message: string, extra?: Record<string, unknown>) =>
  new PatronError(code, message, 409, extra)
export const tooManyRequests = (retryAfterSeconds: number) =>
  new PatronError('RATE_LIMITED', `Too many requests; try again in ${retryAfterSeconds} s.`, 429, { retryAfterSeconds })

/** The code a response gets when the error did not name one. */
export function defaultCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'VALIDATION_ERROR'
    case 401:
      return 'UNAUTHORIZED'
    case 403:
      return 'FORBIDDEN'
    case 404:
      return 'NOT_FOUND'
    case 409:
      return 'CONFLICT'
    case 423:
      return 'LOCKED'
    case 429:
      return 'RATE_LIMITED'
    case 503:
      return 'SERVICE_UNAVAILABLE'
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR'
  }
}
