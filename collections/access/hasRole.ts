import type { Role } from '../../src/domain/roles'
import { staffUser, type AccessArgs } from './types'

/** Allows signed-in staff whose role is one of `roles`. */
export const hasRole =
  (...roles: Role[]) =>
  (args: AccessArgs): boolean => {
    const user = staffUser(args)
    return !!user && roles.includes(user.role)
  }
