import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { dataDir } from './env'

/**
 * PAYLOAD_SECRET signs sessions and encrypts API keys. Production with an
 * external database must set it; for the zero-setup local paths (dev, tests,
 * `npm start` on the embedded database) one is generated once and kept in
 * the git-ignored `.data/payload-secret`, so sessions survive restarts.
 */
export function ensureSecret(opts: { allowGenerated: boolean }): void {
  if (process.env.PAYLOAD_SECRET) return
  if (!opts.allowGenerated) {
    throw new Error('PAYLOAD_SECRET is not set. Set it to a long random string (see .env.example).')
  }
  const file = path.join(dataDir, 'payload-secret')
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true })
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600 })
  }
  process.env.PAYLOAD_SECRET = fs.readFileSync(file, 'utf8').trim()
}
