import { APIError, Forbidden, NotFound, type AfterErrorHookArgs, type AfterErrorResult } from 'payload'
import { describe, expect, it } from 'vitest'
import { addErrorCodes } from '../../hooks/addErrorCodes'
import {
  PatronError,
  badRequest,
  conflict,
  defaultCodeForStatus,
  forbidden,
  notFound,
  tooManyRequests,
  type ErrorCode,
} from '../../src/lib/errors'

describe('PatronError', () => {
  it('carries the status, the code in data, and a public message', () => {
    const err = new PatronError('INSUFFICIENT_POINTS', 'Not enough points.', 409)
    expect(err.status).toBe(409)
    expect(err.data).toEqual({ code: 'INSUFFICIENT_POINTS' })
    expect(err.message).toBe('Not enough points.')
    expect(err.isPublic).toBe(true)
  })

  it('is a Payload APIError (so Payload formats it) and an Error', () => {
    const err = new PatronError('OUT_OF_STOCK', 'Out of stock.', 409)
    expect(err).toBeInstanceOf(APIError)
    expect(err).toBeInstanceOf(Error)
  })

  it('merges extra data next to the code', () => {
    const err = new PatronError('INSUFFICIENT_POINTS', 'Not enough points.', 409, { needed: 500, balance: 120 })
    expect(err.data).toEqual({ code: 'INSUFFICIENT_POINTS', needed: 500, balance: 120 })
  })

  it('stays public even with a 5xx status (the message is ours)', () => {
    const err = new PatronError('SERVICE_UNAVAILABLE', 'Try again later.', 503)
    expect(err.isPublic).toBe(true)
    expect(err.status).toBe(503)
  })
})

describe('error helpers', () => {
  it.each<[string, PatronError, number, ErrorCode]>([
    ['badRequest', badRequest('Bad input.', { field: 'email' }), 400, 'VALIDATION_ERROR'],
    ['forbidden', forbidden(), 403, 'FORBIDDEN'],
    ['notFound', notFound(), 404, 'NOT_FOUND'],
    ['conflict', conflict('VOUCHER_EXPIRED', 'The voucher has expired.'), 409, 'VOUCHER_EXPIRED'],
    ['tooManyRequests', tooManyRequests(30), 429, 'RATE_LIMITED'],
  ])('%s → %i %s', (_name, err, status, code) => {
    expect(err).toBeInstanceOf(PatronError)
    expect(err.status).toBe(status)
    expect(err.data.code).toBe(code)
    expect(err.isPublic).toBe(true)
    expect(err.message).toMatch(/\S/)
  })

  it('badRequest and conflict keep their extra data', () => {
    expect(badRequest('Bad input.', { field: 'email' }).data).toEqual({ code: 'VALIDATION_ERROR', field: 'email' })
    expect(conflict('CREDIT_LIMIT_EXCEEDED', 'Over the limit.', { available: 100 }).data).toEqual({
      code: 'CREDIT_LIMIT_EXCEEDED',
      available: 100,
    })
  })

  it('tooManyRequests says when to retry', () => {
    const err = tooManyRequests(42)
    expect(err.data).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 42 })
    expect(err.message).toContain('42')
  })

  it('forbidden and notFound accept a custom message', () => {
    expect(forbidden('Admins only.').message).toBe('Admins only.')
    expect(notFound('No such order.').message).toBe('No such order.')
  })
})

describe('defaultCodeForStatus', () => {
  it.each<[number, ErrorCode]>([
    [400, 'VALIDATION_ERROR'],
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [409, 'CONFLICT'],
    [423, 'LOCKED'],
    [429, 'RATE_LIMITED'],
    [500, 'INTERNAL_ERROR'],
    [503, 'SERVICE_UNAVAILABLE'],
  ])('%i → %s', (status, code) => {
    expect(defaultCodeForStatus(status)).toBe(code)
  })

  it('maps any other 5xx to INTERNAL_ERROR', () => {
    expect(defaultCodeForStatus(502)).toBe('INTERNAL_ERROR')
    expect(defaultCodeForStatus(504)).toBe('INTERNAL_ERROR')
  })

  it('maps any other 4xx to VALIDATION_ERROR', () => {
    expect(defaultCodeForStatus(413)).toBe('VALIDATION_ERROR')
    expect(defaultCodeForStatus(422)).toBe('VALIDATION_ERROR')
  })
})

describe('addErrorCodes (afterError hook)', () => {
  type Entry = { message?: string; code?: string; data?: Record<string, unknown> | null; [k: string]: unknown }

  async function run(error: Error, result?: { errors: Entry[] }) {
    const args = { error, result, context: {}, req: {} } as unknown as AfterErrorHookArgs
    const out = (await addErrorCodes(args)) as Exclude<AfterErrorResult, void>
    expect(out).toBeDefined()
    return out as { response: { errors: Entry[] } & Record<string, unknown>; status: number }
  }

  it('takes the code from the error entry’s data', async () => {
    const err = conflict('INSUFFICIENT_POINTS', 'Not enough points.', { needed: 10 })
    const out = await run(err, { errors: [{ name: 'PatronError', message: err.message, data: err.data }] })
    expect(out.status).toBe(409)
    expect(out.response.errors).toEqual([
      {
        name: 'PatronError',
        message: 'Not enough points.',
        data: { code: 'INSUFFICIENT_POINTS', needed: 10 },
        code: 'INSUFFICIENT_POINTS',
      },
    ])
  })

  it('prefers data.code over the status’s default code', async () => {
    // A 409 would default to CONFLICT.
    const out = await run(new PatronError('VOUCHER_EXPIRED', 'Expired.', 409), {
      errors: [{ message: 'Expired.', data: { code: 'VOUCHER_EXPIRED' } }],
    })
    expect(out.response.errors[0].code).toBe('VOUCHER_EXPIRED')
  })

  it.each<[string, Error, number, ErrorCode]>([
    ['Payload Forbidden', new Forbidden(), 403, 'FORBIDDEN'],
    ['Payload NotFound', new NotFound(), 404, 'NOT_FOUND'],
    ['a 401 APIError', new APIError('Unauthorized', 401), 401, 'UNAUTHORIZED'],
    ['a 423 APIError', new APIError('This user is locked.', 423), 423, 'LOCKED'],
    ['a 400 APIError', new APIError('Bad.', 400), 400, 'VALIDATION_ERROR'],
  ])('falls back to the status for %s', async (_label, error, status, code) => {
    const out = await run(error, { errors: [{ message: error.message }] })
    expect(out.status).toBe(status)
    expect(out.response.errors).toEqual([{ message: error.message, code }])
  })

  it('treats an error without a status as a 500 INTERNAL_ERROR', async () => {
    const out = await run(new Error('boom'), { errors: [{ message: 'Something went wrong.' }] })
    expect(out.status).toBe(500)
    expect(out.response.errors).toEqual([{ message: 'Something went wrong.', code: 'INTERNAL_ERROR' }])
  })

  it('adds a code to every entry, each from its own data when it has one', async () => {
    const out = await run(new APIError('Invalid.', 400), {
      errors: [
        { message: 'first', data: { code: 'OUT_OF_STOCK' } },
        { message: 'second', field: 'email' },
        { message: 'third', data: null },
      ],
    })
    expect(out.response.errors.map((e) => e.code)).toEqual(['OUT_OF_STOCK', 'VALIDATION_ERROR', 'VALIDATION_ERROR'])
    expect(out.response.errors[1].field).toBe('email')
  })

  it('keeps a code an entry already has', async () => {
    const out = await run(new APIError('Gone.', 404), { errors: [{ message: 'Gone.', code: 'NOT_FOUND' }] })
    expect(out.response.errors[0].code).toBe('NOT_FOUND')
  })

  it('keeps other top-level response fields', async () => {
    const result = { errors: [{ message: 'x' }], stack: 'trace' } as { errors: Entry[] }
    const out = await run(new APIError('x', 400), result)
    expect(out.response.stack).toBe('trace')
  })

  it('does not mutate the result it was given', async () => {
    const result = { errors: [{ message: 'x' } as Entry] }
    await run(new APIError('x', 400), result)
    expect(result.errors[0]).toEqual({ message: 'x' })
  })

  it('copes with no result (an empty error list, status kept)', async () => {
    const out = await run(new APIError('x', 429))
    expect(out.status).toBe(429)
    expect(out.response.errors).toEqual([])
  })
})

describe('addErrorCodes: an unreachable or saturated database', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After instead of 500', () => {
    const req = {} as { responseHeaders?: Headers }
    const out = addErrorCodes({
      error: new Error('timeout exceeded when trying to connect'),
      result: { errors: [{ message: 'Something went wrong.' }] },
      req,
    } as never) as { status: number; response: { errors: Array<{ code: string }> } }
    expect(out.status).toBe(503)
    expect(out.response.errors[0].code).toBe('SERVICE_UNAVAILABLE')
    expect(req.responseHeaders?.get('retry-after')).toBe('5')
  })

  it('leaves other server errors as 500', () => {
    const out = addErrorCodes({ error: new Error('boom'), result: { errors: [{ message: 'x' }] }, req: {} } as never) as { status: number }
    expect(out.status).toBe(500)
  })
})

describe('addErrorCodes: database errors caused by the caller', () => {
  it('maps a bad value type, a missing referenced row and an out-of-range number to 400', () => {
    for (const code of ['22P02', '23503', '22003']) {
      const error = Object.assign(new Error('Failed query'), { cause: { code } })
      const out = addErrorCodes({ error, result: { errors: [{ message: 'Something went wrong.' }] }, req: {} } as never) as {
        status: number
        response: { errors: Array<{ code: string }> }
      }
      expect(out.status, code).toBe(400)
      expect(out.response.errors[0].code).toBe('VALIDATION_ERROR')
    }
  })

  it('leaves a client error that already has a 4xx status alone', () => {
    const error = Object.assign(new Error('nope'), { status: 404, cause: { code: '22P02' } })
    const out = addErrorCodes({ error, result: { errors: [{ message: 'nope' }] }, req: {} } as never) as { status: number }
    expect(out.status).toBe(404)
  })
})
