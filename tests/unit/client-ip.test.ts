import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CLIENT_IP_HEADER, clientIp } from '../../src/lib/client-ip'

const saved = process.env.TRUST_PROXY_HOPS

function setHops(value: string | undefined) {
  if (value === undefined) delete process.env.TRUST_PROXY_HOPS
  else process.env.TRUST_PROXY_HOPS = value
}

const h = (init: Record<string, string>) => new Headers(init)

beforeEach(() => setHops(undefined))
afterEach(() => setHops(saved))

it('reads the header the API server sets from the socket', () => {
  expect(CLIENT_IP_HEADER).toBe('x-patron-client-ip')
})

describe('TRUST_PROXY_HOPS unset (no reverse proxy)', () => {
  it('uses the socket address set by the API server', () => {
    expect(clientIp(h({ [CLIENT_IP_HEADER]: '203.0.113.9' }))).toBe('203.0.113.9')
  })

  it('prefers the socket address over a client-supplied X-Forwarded-For', () => {
    expect(clientIp(h({ [CLIENT_IP_HEADER]: '203.0.113.9', 'x-forwarded-for': '1.1.1.1' }))).toBe('203.0.113.9')
  })

  it('without the socket header, takes the right-most X-Forwarded-For entry', () => {
    expect(clientIp(h({ 'x-forwarded-for': '1.1.1.1, 2.2.2.2 ,  3.3.3.3' }))).toBe('3.3.3.3')
  })

  it('ignores empty X-Forwarded-For entries', () => {
    expect(clientIp(h({ 'x-forwarded-for': '1.1.1.1, ,2.2.2.2,' }))).toBe('2.2.2.2')
  })

  it('falls back to X-Real-IP, then to "unknown"', () => {
    expect(clientIp(h({ 'x-real-ip': '5.5.5.5' }))).toBe('5.5.5.5')
    expect(clientIp(h({ 'x-forwarded-for': ' , ', 'x-real-ip': '5.5.5.5' }))).toBe('5.5.5.5')
    expect(clientIp(h({}))).toBe('unknown')
  })

  it('treats an empty TRUST_PROXY_HOPS and 0 like unset', () => {
    const headers = h({ [CLIENT_IP_HEADER]: '203.0.113.9', 'x-forwarded-for': '1.1.1.1, 2.2.2.2' })
    setHops('')
    expect(clientIp(headers)).toBe('203.0.113.9')
    setHops('0')
    expect(clientIp(headers)).toBe('203.0.113.9')
  })
})

describe('TRUST_PROXY_HOPS=1 (one reverse proxy)', () => {
  beforeEach(() => setHops('1'))

  it('takes the address the proxy appended, not what the client claimed', () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the real peer.
    const headers = h({ [CLIENT_IP_HEADER]: '10.0.0.1', 'x-forwarded-for': '6.6.6.6, 198.51.100.7' })
    expect(clientIp(headers)).toBe('198.51.100.7')
  })

  it('with a single entry, takes it over the proxy’s own socket address', () => {
    expect(clientIp(h({ [CLIENT_IP_HEADER]: '10.0.0.1', 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7')
  })

  it('without X-Forwarded-For, uses the socket address', () => {
    expect(clientIp(h({ [CLIENT_IP_HEADER]: '10.0.0.1' }))).toBe('10.0.0.1')
  })

  it('without any header, says "unknown"', () => {
    expect(clientIp(h({}))).toBe('unknown')
  })
})

describe('TRUST_PROXY_HOPS=2 (CDN in front of nginx)', () => {
  beforeEach(() => setHops('2'))

  it('takes the second entry from the right', () => {
    // client-claimed, real client (written by the CDN), CDN (written by nginx)
    const headers = h({ [CLIENT_IP_HEADER]: '10.0.0.1', 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 192.0.2.1' })
    expect(clientIp(headers)).toBe('198.51.100.7')
  })

  it('with exactly two entries, takes the first', () => {
    expect(clientIp(h({ 'x-forwarded-for': '198.51.100.7, 192.0.2.1' }))).toBe('198.51.100.7')
  })

  it('with fewer entries than hops, takes the left-most', () => {
    expect(clientIp(h({ [CLIENT_IP_HEADER]: '10.0.0.1', 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7')
  })

  it('without X-Forwarded-For, uses the socket address', () => {
    expect(clientIp(h({ [CLIENT_IP_HEADER]: '10.0.0.1' }))).toBe('10.0.0.1')
  })
})

describe('invalid TRUST_PROXY_HOPS', () => {
  it('is reported once and treated as no proxy, never failing the request', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      setHops('two')
      expect(clientIp(h({ 'x-forwarded-for': '9.9.9.9, 1.1.1.1' }))).toBe('1.1.1.1')
      expect(clientIp(h({ 'x-forwarded-for': '9.9.9.9, 1.1.1.1' }))).toBe('1.1.1.1')
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0][0])).toMatch(/TRUST_PROXY_HOPS/)
    } finally {
      warn.mockRestore()
    }
  })
})
