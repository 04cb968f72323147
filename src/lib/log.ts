/** Minimal structured-ish logger for scripts and adapters that run outside Payload's logger. */
export const log = {
  info: (msg: string) => console.log(`[patron] ${msg}`),
  warn: (msg: string) => console.warn(`[patron] warning: ${msg}`),
  error: (msg: string, err?: unknown) =>
    console.error(`[patron] error: ${msg}${err ? `: ${err instanceof Error ? err.message : String(err)}` : ''}`),
}

const said = new Set<string>()
/** Logs a message only the first time it is seen in this process. */
export function warnOnce(key: string, msg: string): void {
  if (said.has(key)) return
  said.add(key)
  log.warn(msg)
}
