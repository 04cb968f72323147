import type { AfterErrorHook } from 'payload'
import { pgCode } from '../src/lib/db/sql'
import { defaultCodeForStatus } from '../src/lib/errors'

type ErrorEntry = { message?: string; code?: string; data?: { code?: string } & Record<string, unknown> }

/**
 * Gives every error one shape (SPEC §3). REST: `{"errors":[{"message","code",...}]}`;
 * GraphQL: the same code under the error's `extensions.code`. The code comes
 * from the error's data (a PatronError) or, failing that, from the HTTP status.
 */
/** PostgreSQL errors that can only come from values the caller sent: bad text for a number, a missing referenced row, a number out of range. */
const CALLER_INPUT_CODES: Record<string, string> = {
  '22P02': 'A value in the request has the wrong type (for example text where an id is expected).',
  '23503': 'The request refers to a record that does not exist.',
  '22003': 'A number in the request is out of range.',
}

/** Errors that mean "the database is unreachable or saturated", not "the request was wrong". */
const DATABASE_UNAVAILABLE = /timeout exceeded when trying to connect|Connection terminated|ECONNREFUSED|the database system is (starting up|shutting down)/i

export const addErrorCodes: AfterErrorHook = ({ error, graphqlResult, req, result }) => {
  let status = (error as { status?: number }).status ?? 500
  const sqlState = pgCode(error)
  if (status >= 500 && sqlState && CALLER_INPUT_CODES[sqlState]) {
    return { response: { errors: [{ message: CALLER_INPUT_CODES[sqlState], code: 'VALIDATION_ERROR' }] }, status: 400 }
  }
  if (status >= 500 && DATABASE_UNAVAILABLE.test(String(error?.message))) {
    // A client may retry these: say so, and do not call them our bug (500).
    status = 503
    req.responseHeaders = new Headers({ 'Retry-After': '5' })
    return { response: { errors: [{ message: 'The service is busy or its database is unreachable; try again shortly.', code: 'SERVICE_UNAVAILABLE' }] }, status }
  }
  if (graphqlResult) {
    const ext = (graphqlResult.extensions ?? {}) as { statusCode?: number; data?: { code?: string } }
    const code = ext.data?.code ?? defaultCodeForStatus(ext.statusCode ?? status)
    return { graphqlResult: { ...graphqlResult, extensions: { ...graphqlResult.extensions, code } } }
  }
  const response = (result ?? { errors: [] }) as { errors?: ErrorEntry[] }
  const errors = (response.errors ?? []).map((entry) => ({
    ...entry,
    code: entry.data?.code ?? entry.code ?? defaultCodeForStatus(status),
  }))
  return { response: { ...response, errors }, status }
}
