import type { AfterErrorHook } from 'payload'
import { defaultCodeForStatus } from '../src/lib/errors'

type ErrorEntry = { message?: string; code?: string; data?: { code?: string } & Record<string, unknown> }

/**
 * Gives every error response the one shape of SPEC §3:
 * `{"errors":[{"message","code",...}]}`, taking the code from the error's data
 * or, failing that, from the HTTP status.
 */
export const addErrorCodes: AfterErrorHook = ({ error, result }) => {
  const status = (error as { status?: number }).status ?? 500
  const response = (result ?? { errors: [] }) as { errors?: ErrorEntry[] }
  const errors = (response.errors ?? []).map((entry) => ({
    ...entry,
    code: entry.code ?? entry.data?.code ?? defaultCodeForStatus(status),
  }))
  return { response: { ...response, errors }, status }
}
