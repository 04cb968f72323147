import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

/** Any signed-in storefront member. */
export const isMember = (args: AccessArgs): boolean => memberUser(args) !== null
