/** Public: no sign-in needed. */
export const anyone = (): boolean => true
