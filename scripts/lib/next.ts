import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { projectRoot } from '../../src/lib/env'
import type { DatabaseHandle } from '../../src/lib/db/boot'
import { shutdown } from './boot'

/**
 * Runs `next <command>` as a child process that inherits the prepared
 * environment, and on Ctrl-C / SIGTERM stops it and then the embedded database.
 */
export function runNext(command: 'dev' | 'start', db: DatabaseHandle, env: Record<string, string> = {}): void {
  const port = process.env.PORT || '3000'
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(projectRoot, 'node_modules/next/dist/bin/next'), command, '-p', port],
    { stdio: 'inherit', cwd: projectRoot, env: { NEXT_TELEMETRY_DISABLED: '1', ...process.env, ...env } },
  )
  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      await new Promise((resolve) => child.once('exit', resolve))
    }
    await shutdown(null, db)
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  child.on('exit', (code) => {
    if (stopping) return
    void shutdown(null, db).then(() => process.exit(code ?? 1))
  })
}
