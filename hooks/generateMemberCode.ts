import type { CollectionBeforeChangeHook } from 'payload'
import { randomCode } from '../src/domain/codes'

/** Gives every new member a code to quote at the till or on the phone (unique in the database). */
export const generateMemberCode: CollectionBeforeChangeHook = ({ data, operation }) => {
  if (operation === 'create' && !data.memberCode) return { ...data, memberCode: randomCode('PM') }
  return data
}
