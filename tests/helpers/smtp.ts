import { SMTPServer } from 'smtp-server'

export type CapturedMail = { from: string; to: string[]; raw: string }

/** A real SMTP server on a free local port that keeps what it receives, for tests. */
export async function startSmtpCatcher(): Promise<{
  port: number
  messages: CapturedMail[]
  waitFor: (match: (m: CapturedMail) => boolean, timeoutMs?: number) => Promise<CapturedMail>
  close: () => Promise<void>
}> {
  const messages: CapturedMail[] = []
  const waiters: Array<() => void> = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => (raw += chunk))
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: decodeQuotedPrintable(raw),
        })
        waiters.splice(0).forEach((w) => w())
        callback()
      })
    },
  })
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address()
      resolve(typeof address === 'object' && address ? address.port : 0)
    })
  })
  const waitFor = async (match: (m: CapturedMail) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = messages.find(match)
      if (found) return found
      if (Date.now() > deadline) throw new Error('no matching e-mail arrived')
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 200)
      })
    }
  }
  return { port, messages, waitFor, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}
