/** Closed to every API caller; only trusted server code (overrideAccess) gets through. */
export const nobody = (): boolean => false
