import type { AfterErrorHook } from 'payload'
import { defaultCodeForStatus } from '../src/lib/errors'

type ErrorEntry = { message?: string; code?: string; data?: { code?: string } & Record<string, unknown> }

/**
 * Gives every error one shape (SPEC §3). REST: `{"errors":[{"message","code",...}]}`;
 * GraphQL: the same code under the error's `extensions.code`. The code comes
 * from the error's data (a PatronError) or, failing that, from the HTTP status.
 */
export const addErrorCodes: AfterErrorHook = ({ error, graphqlResult, result }) => {
  const status = (error as { status?: number }).status ?? 500
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
