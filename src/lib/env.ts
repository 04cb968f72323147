import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Project root (the folder holding package.json), whichever script imports this. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Git-ignored folder for local state (the embedded database, the dev secret); PATRON_DATA_DIR moves it. */
export const dataDir = process.env.PATRON_DATA_DIR ? path.resolve(process.env.PATRON_DATA_DIR) : path.join(projectRoot, '.data')

let loaded = false

/**
 * Loads `.env` from the project root into process.env once, without overriding
 * variables that are already set (the shell wins, as with Next.js).
 */
export function loadEnv(): void {
  if (loaded) return
  loaded = true
  const file = path.join(projectRoot, '.env')
  if (!fs.existsSync(file)) return
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line)
    if (!match) continue
    const [, key, raw] = match
    if (process.env[key] !== undefined) continue
    let value = raw
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1)
    else value = value.replace(/\s+#.*$/, '')
    process.env[key] = value
  }
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number.parseInt(raw, 10)
  if (!Number.isFinite(n)) throw new Error(`${name} must be an integer, got "${raw}"`)
  return n
}

export function envBool(name: string, fallback: boolean): boolean {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())
}
