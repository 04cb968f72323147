import type { CollectionBeforeChangeHook } from 'payload'

/**
 * The first staff account ever created (the admin panel's "create first user"
 * screen) becomes the super-admin; otherwise nobody could grant roles.
 */
export const assignFirstUserSuperAdmin: CollectionBeforeChangeHook = async ({ data, operation, req }) => {
  if (operation !== 'create') return data
  const { totalDocs } = await req.payload.count({ collection: 'users', overrideAccess: true, req })
  if (totalDocs === 0) return { ...data, role: 'super-admin' }
  return data
}
