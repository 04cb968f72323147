import type { CollectionBeforeChangeHook } from 'payload'
import { forbidden } from '../src/lib/errors'

/**
 * API keys belong to `integration` accounts, and only the super-admin creates,
 * changes or re-keys those accounts (SPEC §1). Other accounts never carry a key:
 * one sent for them is dropped, and an account moved off `integration` loses its key.
 */
export const guardApiKeys: CollectionBeforeChangeHook = ({ data, originalDoc, req }) => {
  const actor = req.user as { collection?: string; role?: string } | null | undefined
  const trustedServerCode = req.payloadAPI === 'local' && !actor
  const isSuperAdmin = actor?.collection === 'users' && actor.role === 'super-admin'
  const integration = data.role === 'integration' || originalDoc?.role === 'integration'
  if (integration && !isSuperAdmin && !trustedServerCode) {
    throw forbidden('Only a super-admin can manage integration accounts and their API keys.')
  }
  const hasKey = data.enableAPIKey || data.apiKey || data.apiKeyIndex || originalDoc?.enableAPIKey || originalDoc?.apiKeyIndex
  if ((data.role ?? originalDoc?.role) !== 'integration' && hasKey) {
    // apiKeyIndex is derived from the key in beforeValidate; clear it too, or the key would still authenticate.
    return { ...data, enableAPIKey: false, apiKey: null, apiKeyIndex: null }
  }
  return data
}
