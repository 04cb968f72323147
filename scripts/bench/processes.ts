import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { projectRoot } from '../../src/lib/env'

/**
 * The processes the bench starts: each in its own process group (detached),
 * so it can be stopped as a whole, by the group id we got when we spawned it,
 * and so a Ctrl-C in the terminal reaches the bench first, which then stops
 * them in order. Output goes to a log file per process.
 */
export type Started = {
  name: string
  child: ChildProcess
  pid: number
  log: string
  exited: Promise<number | null>
}

const started = new Set<Started>()

export function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): Started {
  fs.mkdirSync(logDir, { recursive: true })
  const log = path.join(logDir, `${name}.log`)
  const fd = fs.openSync(log, 'w')
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, detached: true, stdio: ['ignore', fd, fd] })
  fs.closeSync(fd)
  if (!child.pid) throw new Error(`could not start ${name}`)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const s: Started = { name, child, pid: child.pid, log, exited }
  started.add(s)
  void exited.then(() => started.delete(s))
  return s
}

/** Runs a process to its end with the terminal as its output (in its own group, stopped with the rest on Ctrl-C); resolves to its exit code. */
export function runToEnd(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, detached: true, stdio: ['ignore', 'inherit', 'inherit'] })
  if (!child.pid) throw new Error(`could not start ${name}`)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ? 128 : code)))
  const s: Started = { name, child, pid: child.pid, log: '', exited }
  started.add(s)
  void exited.then(() => started.delete(s))
  return exited
}

const alive = (s: Started) => s.child.exitCode === null && s.child.signalCode === null

/** SIGTERM to the process group we started; SIGKILL to it after `graceMs`. */
export async function stopProcess(s: Started, graceMs = 15_000): Promise<void> {
  if (!alive(s)) return
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-s.pid, signal)
    } catch {
      // already gone
    }
  }
  signalGroup('SIGTERM')
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref())
  if ((await Promise.race([s.exited, timer])) === 'timeout') {
    signalGroup('SIGKILL')
    await Promise.race([s.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())])
  }
  // Whatever is left in the group (a grandchild that ignored SIGTERM).
  signalGroup('SIGKILL')
}

export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((s) => stopProcess(s)))
}

export function tailLog(s: Started, lines = 30): string {
  try {
    return fs.readFileSync(s.log, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** Polls `url` until it answers 2xx; fails when the process exits first or after `timeoutMs`. */
export async function waitForHttp(url: string, s: Started, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!alive(s)) throw new Error(`${s.name} exited (${s.child.signalCode ?? s.child.exitCode}) before it answered ${url}:\n${tailLog(s)}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) })
      await res.arrayBuffer()
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`${s.name} did not answer ${url} within ${Math.round(timeoutMs / 1000)} s:\n${tailLog(s)}`)
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

// ---------------------------------------------------------------- memory

type ProcInfo = { pid: number; ppid: number; cmdline: string }

function readProcs(): ProcInfo[] {
  const out: ProcInfo[] = []
  let entries: string[] = []
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return out
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so parse after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()
      out.push({ pid: Number(name), ppid, cmdline })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** Resident set size of a process in bytes (VmRSS), or null when unreadable. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : null
  } catch {
    return null
  }
}

/** Node processes in the tree under `root` (root included), leaving out helpers such as tsx's esbuild service. */
export function nodeProcessTree(root: number): ProcInfo[] {
  const procs = readProcs()
  const byParent = new Map<number, ProcInfo[]>()
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p])
  const self = procs.find((p) => p.pid === root)
  const out: ProcInfo[] = self ? [self] : []
  const queue = [root]
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child)
      queue.push(child.pid)
    }
  }
  return out.filter((p) => !/esbuild/.test(p.cmdline))
}

/** CPU time a process has used, in clock ticks (utime + stime), or 0 when unreadable. */
function cpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

/**
 * Waits until the process tree under `s` has at least `processes` Node
 * processes and they have all gone quiet (under 10% of a core over a second):
 * a cluster whose first worker answers may still have others loading, and
 * the measurement should not start before every worker serves. Best effort
 * where /proc is missing.
 */
export async function waitUntilSettled(s: Started, processes: number, timeoutMs = 180_000): Promise<void> {
  if (!fs.existsSync('/proc/self/stat')) {
    await new Promise((r) => setTimeout(r, 5_000))
    return
  }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!alive(s)) throw new Error(`${s.name} exited while starting:\n${tailLog(s)}`)
    const tree = nodeProcessTree(s.pid)
    const before = tree.reduce((n, p) => n + cpuTicks(p.pid), 0)
    await new Promise((r) => setTimeout(r, 1_000))
    const after = tree.reduce((n, p) => n + cpuTicks(p.pid), 0)
    if (tree.length >= processes && after - before < 10) return
  }
  throw new Error(`${s.name} did not settle within ${Math.round(timeoutMs / 1000)} s:\n${tailLog(s)}`)
}

function cpuTimes(): { busy: number; total: number } | null {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const total = fields.reduce((a, b) => a + b, 0)
    const idle = fields[3] + (fields[4] ?? 0)
    return { busy: total - idle, total }
  } catch {
    return null
  }
}

/**
 * Share of the machine's CPU (0–1) in use over `ms`, measured while the
 * bench's own servers are idle between loads: work by other programs, which
 * makes the figures unreliable. null where /proc/stat is missing.
 */
export async function backgroundCpu(ms = 1_000): Promise<number | null> {
  // Let the requests still in flight from the previous load finish first.
  await new Promise((r) => setTimeout(r, 1_000))
  const a = cpuTimes()
  await new Promise((r) => setTimeout(r, ms))
  const b = cpuTimes()
  if (!a || !b || b.total === a.total) return null
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * 100) / 100
}

export type RssSample = {
  maxWorkerBytes: number
  maxPrimaryBytes: number
  maxTotalBytes: number
  processes: number
  /** CPU seconds the tree used while sampled (user + system), a cost that other programs on the machine barely change. */
  cpuSeconds: number
  /** CPU seconds the whole machine used meanwhile (PostgreSQL, the load generator and any other program included). */
  machineCpuSeconds: number
  supported: boolean
}

let clockTicks: number | null = null
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/**
 * Samples the RSS of every process in a started process's tree while a load
 * runs. "Workers" are the processes below the root (the cluster's workers,
 * Next's server); the root is the cluster primary or launcher.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null
  private sample: RssSample = {
    maxWorkerBytes: 0,
    maxPrimaryBytes: 0,
    maxTotalBytes: 0,
    processes: 0,
    cpuSeconds: 0,
    machineCpuSeconds: 0,
    supported: fs.existsSync('/proc/self/status'),
  }
  private machineStart: { busy: number; total: number } | null = null
  /** CPU ticks per process at the start, and the latest reading. */
  private cpuStart = new Map<number, number>()
  private cpuLast = new Map<number, number>()

  constructor(private readonly root: number) {}

  start(intervalMs = 250): void {
    this.machineStart = cpuTimes()
    const tick = () => {
      const tree = nodeProcessTree(this.root)
      let total = 0
      for (const p of tree) {
        const ticks = cpuTicks(p.pid)
        if (!this.cpuStart.has(p.pid)) this.cpuStart.set(p.pid, ticks)
        this.cpuLast.set(p.pid, ticks)
        const rss = rssBytes(p.pid) ?? 0
        total += rss
        if (p.pid === this.root) this.sample.maxPrimaryBytes = Math.max(this.sample.maxPrimaryBytes, rss)
        else this.sample.maxWorkerBytes = Math.max(this.sample.maxWorkerBytes, rss)
      }
      this.sample.maxTotalBytes = Math.max(this.sample.maxTotalBytes, total)
      this.sample.processes = Math.max(this.sample.processes, tree.length)
    }
    tick()
    this.timer = setInterval(tick, intervalMs)
  }

  stop(): RssSample {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    for (const pid of this.cpuLast.keys()) {
      const now = cpuTicks(pid)
      if (now) this.cpuLast.set(pid, now)
    }
    let ticks = 0
    for (const [pid, last] of this.cpuLast) ticks += last - (this.cpuStart.get(pid) ?? last)
    const machine = cpuTimes()
    const machineTicks = machine && this.machineStart ? machine.busy - this.machineStart.busy : 0
    return {
      ...this.sample,
      cpuSeconds: Math.round((ticks / ticksPerSecond()) * 100) / 100,
      machineCpuSeconds: Math.round((machineTicks / ticksPerSecond()) * 100) / 100,
    }
  }
}
