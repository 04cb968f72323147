import http from 'node:http'
import { Readable } from 'node:stream'
import { GRAPHQL_POST } from '@payloadcms/next/routes'
import { handleEndpoints, type SanitizedConfig } from 'payload'
import { CLIENT_IP_HEADER } from '../client-ip'
import { ensureListening, handleWithCache } from './response-cache'

type ConfigPromise = Promise<SanitizedConfig> | SanitizedConfig

/**
 * Payload's REST and GraphQL handlers on a plain Node HTTP server, without
 * Next.js: the same collections, access rules and hooks at a fraction of the
 * per-request cost, behind the same cache layer as the Next.js route
 * (response-cache.ts). The admin panel stays on Next.js.
 */
export function createApiServer(config: ConfigPromise): http.Server {
  const graphql = GRAPHQL_POST(config)
  // Listen for changes from the start, so that the cache is ready for the first reads.
  void ensureListening(config)
  return http.createServer((req, res) => {
    void handle(config, graphql, req, res)
  })
}

async function handle(
  config: ConfigPromise,
  graphql: (request: Request) => Promise<Response>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  try {
    const request = toFetchRequest(req, await smallBody(req))
    const { pathname } = new URL(request.url)
    let response: Response
    if (pathname === '/api/graphql' && req.method === 'POST') response = await handleWithCache(config, request, () => graphql(request))
    else if (pathname.startsWith('/api/') || pathname === '/api') response = await handleWithCache(config, request, () => handleEndpoints({ config, request }))
    else response = Response.json({ errors: [{ message: 'Not found.', code: 'NOT_FOUND' }] }, { status: 404 })
    await writeResponse(response, res, req)
  } catch (err) {
    console.error(err)
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ errors: [{ message: 'Something went wrong.', code: 'INTERNAL_ERROR' }] }))
  }
}

/** Bodies up to this size are read whole before the request is built: much cheaper than a stream for JSON. */
const SMALL_BODY_BYTES = 64 * 1024

/**
 * The request body as one buffer when it is small JSON-sized data (announced
 * by Content-Length); undefined when it must stay a stream (uploads, chunked
 * or large bodies, which Payload reads at its own pace and may refuse early).
 */
async function smallBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined
  const length = Number(req.headers['content-length'])
  if (!Number.isInteger(length) || length > SMALL_BODY_BYTES || /multipart\//i.test(req.headers['content-type'] ?? '')) return undefined
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function toFetchRequest(req: http.IncomingMessage, body?: Buffer): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === CLIENT_IP_HEADER || value === undefined) continue
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  // The socket's address, for rate limits; clients cannot forge this header (dropped above).
  if (req.socket.remoteAddress) headers.set(CLIENT_IP_HEADER, req.socket.remoteAddress)
  const host = req.headers.host ?? 'localhost'
  const url = new URL(req.url ?? '/', `http://${host}`)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(url, {
    method: req.method,
    headers,
    body: !hasBody ? undefined : body ?? (Readable.toWeb(req) as ReadableStream),
    // Required by Node's fetch when the body is a stream.
    duplex: 'half',
  } as RequestInit)
}

async function writeResponse(response: Response, res: http.ServerResponse, req?: http.IncomingMessage): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  // A response sent before the request body was read (a refused upload): close the
  // connection, or the unread bytes would be taken for the next request on it.
  const unreadBody = !!req && !req.complete
  if (unreadBody) headers.connection = 'close'
  // Kept now: once the response finishes, the request lets go of its socket.
  const socket = req?.socket
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length) headers['set-cookie'] = cookies
  res.writeHead(response.status, headers)
  // JSON answers are read whole (cheaper than iterating a stream); anything else is streamed.
  if (response.body && /json/i.test(response.headers.get('content-type') ?? '')) res.write(Buffer.from(await response.arrayBuffer()))
  else if (response.body) for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk)
  res.end(() => {
    if (unreadBody && socket && !socket.destroyed) socket.destroySoon()
  })
}

/** Listens on `port` (0: any free port) on `host` and resolves to the bound port. */
export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}
