import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dbFor } from '../../src/lib/db/sql'
import { moveStock } from '../../src/services/commerce/inventory'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { createMember, type MemberFixture } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let admin: StaffFixture
let editor: StaffFixture
let moderator: StaffFixture
let support: StaffFixture
let member: MemberFixture
/** Every upload in this file has a name starting with this, so its files can be found and removed. */
const FILE_TAG = uniq('catmedia')
let mediaDir = ''

beforeAll(async () => {
  ctx = await getTestContext()
  admin = await createStaff(ctx.payload, ctx.api, 'admin')
  editor = await createStaff(ctx.payload, ctx.api, 'editor')
  moderator = await createStaff(ctx.payload, ctx.api, 'moderator')
  support = await createStaff(ctx.payload, ctx.api, 'support')
  member = await createMember(ctx.payload)
  mediaDir = String(ctx.payload.collections.media.config.upload.staticDir)
})

afterAll(async () => {
  if (!ctx) return
  // Remove what this file uploaded: the documents (Payload deletes their files), then any stray file.
  await ctx.payload.delete({ collection: 'media', where: { filename: { like: FILE_TAG } } }).catch(() => undefined)
  const left = await fs.readdir(mediaDir).catch(() => [] as string[])
  await Promise.all(left.filter((f) => f.startsWith(FILE_TAG)).map((f) => fs.rm(path.join(mediaDir, f), { force: true })))
})

type Doc = { id: number; [key: string]: any }
const ids = (docs: Doc[]) => docs.map((d) => d.id).sort((a, b) => a - b)
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)

const richText = (text: string) => ({
  root: {
    type: 'root', version: 1, direction: null, format: '', indent: 0,
    children: [{ type: 'paragraph', version: 1, direction: null, format: '', indent: 0, textFormat: 0, textStyle: '', children: [{ type: 'text', version: 1, text, detail: 0, format: 0, mode: 'normal', style: '' }] }],
  },
})

/** A product created through the trusted local API; published and active unless told otherwise. */
async function createProduct(data: Record<string, unknown> = {}, opts: { draft?: boolean } = {}): Promise<Doc> {
  const sku = uniq('SKU').toUpperCase()
  return (await ctx.payload.create({
    collection: 'products',
    draft: opts.draft,
    data: { title: `Product ${sku}`, sku, price: 1000, stockQuantity: 0, status: 'active', _status: opts.draft ? 'draft' : 'published', ...data } as never,
  })) as unknown as Doc
}

async function createCategory(title: string, parent?: number): Promise<Doc> {
  return (await ctx.payload.create({ collection: 'categories', data: { title, parent } as never })) as unknown as Doc
}

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer()
}

/** POST /api/media as multipart form data, the way the admin panel and a storefront upload. */
async function upload(file: { data: Buffer | string; name: string; type: string }, payloadData: Record<string, unknown>, token?: string) {
  const form = new FormData()
  form.append('file', new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], { type: file.type }), file.name)
  form.append('_payload', JSON.stringify(payloadData))
  const res = await fetch(`${ctx.api}/media`, { method: 'POST', body: form, headers: token ? { authorization: `JWT ${token}` } : {} })
  const text = await res.text()
  let body: any = text
  try {
    body = JSON.parse(text)
  } catch {
    // keep the text
  }
  return { status: res.status, body }
}

/**
 * The same upload on a connection of its own that is closed afterwards: the
 * server answers 413 before it has read the body, and a kept-alive connection
 * left behind by that would break the next request of the shared HTTP client.
 */
async function uploadOnOwnConnection(file: { data: Buffer; name: string; type: string }, payloadData: Record<string, unknown>, token: string) {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name)
  form.append('_payload', JSON.stringify(payloadData))
  const encoded = new Request(`${ctx.api}/media`, { method: 'POST', body: form })
  const body = Buffer.from(await encoded.arrayBuffer())
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request(
      `${ctx.api}/media`,
      { method: 'POST', agent: false, headers: { authorization: `JWT ${token}`, 'content-type': encoded.headers.get('content-type') ?? '', 'content-length': body.length, connection: 'close' } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString()
          let parsed: any = text
          try {
            parsed = JSON.parse(text)
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed })
        })
      },
    )
    // The server may stop reading once it has refused the file: that is not a failure of the test.
    req.on('error', (err) => (req.writableFinished ? undefined : reject(err)))
    req.end(body)
  })
}

const filesNamed = async (prefix: string) => (await fs.readdir(mediaDir).catch(() => [] as string[])).filter((f) => f.startsWith(prefix))
const mediaCount = async (prefix: string) => (await ctx.payload.count({ collection: 'media', where: { filename: { like: prefix } } })).totalDocs

describe('who sees which products', () => {
  it('the public sees published, active products only; staff see drafts and archived ones', async () => {
    const tag = uniq('VIS').toUpperCase()
    const live = await createProduct({ sku: `${tag}-LIVE`, title: `${tag} Live` })
    const draft = await createProduct({ sku: `${tag}-DRAFT`, title: `${tag} Draft` }, { draft: true })
    const archived = await createProduct({ sku: `${tag}-ARCH`, title: `${tag} Archived`, status: 'archived' })
    const query = `${ctx.api}/products?limit=50&where[sku][like]=${tag}`

    const anon = await rest(query)
    expect(anon.status).toBe(200)
    expect(ids(anon.body.docs)).toEqual([live.id])
    expect(anon.body.totalDocs).toBe(1)
    const asMember = await rest(query, { token: member.token })
    expect(ids(asMember.body.docs)).toEqual([live.id])

    expect((await rest(`${ctx.api}/products/${live.id}`)).status).toBe(200)
    expect((await rest(`${ctx.api}/products/${draft.id}`)).status).toBe(404)
    expect((await rest(`${ctx.api}/products/${archived.id}`)).status).toBe(404)
    expect((await rest(`${ctx.api}/products/${draft.id}`, { token: member.token })).status).toBe(404)
    // Asking for drafts does not open them to the public.
    expect((await rest(`${ctx.api}/products/${draft.id}?draft=true`)).status).toBe(404)
    const anonDrafts = await rest(`${query}&draft=true`)
    expect(anonDrafts.status).toBe(200)
    expect(ids(anonDrafts.body.docs)).not.toContain(draft.id)
    expect(ids(anonDrafts.body.docs)).not.toContain(archived.id)

    for (const staff of [editor, moderator, support, admin]) {
      const res = await rest(`${query}&draft=true`, { token: staff.token })
      expect(res.status).toBe(200)
      expect(ids(res.body.docs)).toEqual(sorted([live.id, draft.id, archived.id]))
      expect((await rest(`${ctx.api}/products/${draft.id}?draft=true`, { token: staff.token })).status).toBe(200)
    }
  })

  it('a published product edited into a newer draft still shows the published version to the public', async () => {
    const tag = uniq('EDT').toUpperCase()
    const p = await createProduct({ sku: `${tag}-1`, title: `${tag} Published`, description: richText('Published words') })
    const saved = await rest(`${ctx.api}/products/${p.id}?draft=true`, { method: 'PATCH', token: editor.token, body: { description: richText('Secret draft words'), _status: 'draft' } })
    expect(saved.status).toBe(200)

    for (const url of [`${ctx.api}/products/${p.id}`, `${ctx.api}/products/${p.id}?draft=true`]) {
      const res = await rest(url)
      expect(res.status).toBe(200)
      expect(JSON.stringify(res.body.description)).toContain('Published words')
      expect(JSON.stringify(res.body)).not.toContain('Secret draft words')
    }
    const list = await rest(`${ctx.api}/products?where[sku][like]=${tag}`)
    expect(ids(list.body.docs)).toEqual([p.id])
    expect(JSON.stringify(list.body)).not.toContain('Secret draft words')
    const listDraft = await rest(`${ctx.api}/products?draft=true&where[sku][like]=${tag}`)
    expect(listDraft.status).toBe(200)
    expect(JSON.stringify(listDraft.body)).not.toContain('Secret draft words')

    const staffDraft = await rest(`${ctx.api}/products/${p.id}?draft=true`, { token: editor.token })
    expect(JSON.stringify(staffDraft.body.description)).toContain('Secret draft words')
    const staffPublished = await rest(`${ctx.api}/products/${p.id}`, { token: editor.token })
    expect(JSON.stringify(staffPublished.body.description)).toContain('Published words')
  })
})

describe('search, filter, sort and pagination', () => {
  let tag: string
  let mugs: Doc
  let plates: Doc
  const p: Record<string, Doc> = {}

  beforeAll(async () => {
    tag = uniq('SRCH').toUpperCase()
    mugs = await createCategory(`${tag} Mugs`)
    plates = await createCategory(`${tag} Plates`)
    p.alpha = await createProduct({ title: `${tag} Alpha mug`, sku: `${tag}-A1`, price: 1500, category: mugs.id })
    p.beta = await createProduct({ title: `${tag} Beta mug`, sku: `${tag}-B2`, price: 2500, category: mugs.id })
    p.gamma = await createProduct({ title: `${tag} Gamma plate`, sku: `${tag}-C3`, price: 4000, category: plates.id })
    p.delta = await createProduct({ title: `${tag} Delta plate`, sku: `${tag}-D4`, price: 900, category: plates.id })
    // Hidden from the public: must never count in their totals.
    p.hidden = await createProduct({ title: `${tag} Hidden plate`, sku: `${tag}-E5`, price: 1200, category: plates.id }, { draft: true })
  })

  const search = (q: string) => `${ctx.api}/products?limit=50&where[or][0][title][like]=${encodeURIComponent(q)}&where[or][1][sku][like]=${encodeURIComponent(q)}`

  it('searches by title and by SKU', async () => {
    const byTitle = await rest(search(`${tag} gamma`))
    expect(byTitle.status).toBe(200)
    expect(ids(byTitle.body.docs)).toEqual([p.gamma.id])
    const bySku = await rest(search(`${tag}-d4`))
    expect(ids(bySku.body.docs)).toEqual([p.delta.id])
    const both = await rest(search(`${tag} mug`))
    expect(ids(both.body.docs)).toEqual(sorted([p.alpha.id, p.beta.id]))
    expect((await rest(search(`${tag} hidden`))).body.docs).toHaveLength(0)
    expect(ids((await rest(search(`${tag} hidden`), { token: editor.token })).body.docs)).toEqual([p.hidden.id])
  })

  it('filters by category and by price range (bounds included)', async () => {
    const inMugs = await rest(`${ctx.api}/products?where[category][equals]=${mugs.id}`)
    expect(ids(inMugs.body.docs)).toEqual(sorted([p.alpha.id, p.beta.id]))
    const inPlates = await rest(`${ctx.api}/products?where[category][equals]=${plates.id}`)
    expect(ids(inPlates.body.docs)).toEqual(sorted([p.gamma.id, p.delta.id]))
    const range = await rest(`${ctx.api}/products?where[sku][like]=${tag}&where[price][greater_than_equal]=1500&where[price][less_than_equal]=2500`)
    expect(ids(range.body.docs)).toEqual(sorted([p.alpha.id, p.beta.id]))
    const both = await rest(`${ctx.api}/products?where[category][equals]=${plates.id}&where[price][less_than_equal]=1000`)
    expect(ids(both.body.docs)).toEqual([p.delta.id])
  })

  it('sorts by price both ways and by title', async () => {
    const base = `${ctx.api}/products?limit=50&where[sku][like]=${tag}`
    const asc = await rest(`${base}&sort=price`)
    expect(asc.body.docs.map((d: Doc) => d.id)).toEqual([p.delta.id, p.alpha.id, p.beta.id, p.gamma.id])
    expect(asc.body.docs.map((d: Doc) => d.price)).toEqual([900, 1500, 2500, 4000])
    const desc = await rest(`${base}&sort=-price`)
    expect(desc.body.docs.map((d: Doc) => d.id)).toEqual([p.gamma.id, p.beta.id, p.alpha.id, p.delta.id])
    const byTitle = await rest(`${base}&sort=title`)
    expect(byTitle.body.docs.map((d: Doc) => d.id)).toEqual([p.alpha.id, p.beta.id, p.delta.id, p.gamma.id])
  })

  it('pages through results with limit, page and totalDocs', async () => {
    const base = `${ctx.api}/products?where[sku][like]=${tag}&sort=price&limit=3`
    const first = await rest(`${base}&page=1`)
    expect(first.body).toMatchObject({ totalDocs: 4, totalPages: 2, page: 1, hasNextPage: true, hasPrevPage: false })
    expect(first.body.docs.map((d: Doc) => d.id)).toEqual([p.delta.id, p.alpha.id, p.beta.id])
    const second = await rest(`${base}&page=2`)
    expect(second.body).toMatchObject({ totalDocs: 4, page: 2, hasNextPage: false })
    expect(second.body.docs.map((d: Doc) => d.id)).toEqual([p.gamma.id])
    const staff = await rest(`${base}&page=1&draft=true`, { token: editor.token })
    expect(staff.body.totalDocs).toBe(5)
  })

  it('never answers bad query input with a 500', async () => {
    const bad = [
      `where[price][greater_than_equal]=abc`,
      `where[nope][equals]=1`,
      `where[price][bogus_operator]=1`,
      `sort=nonexistent`,
      `limit=-5`,
      `limit=abc&page=xyz`,
      `page=0`,
      `page=999999`,
      `where[or][0][title][like]=%25%27%3B--`,
      `depth=999`,
    ]
    for (const q of bad) {
      const res = await rest(`${ctx.api}/products?${q}`)
      expect(res.status, q).toBeLessThan(500)
    }
    expect((await rest(`${ctx.api}/products/999999999`)).status).toBe(404)
  })

  // Payload hands a non-numeric id straight to PostgreSQL (22P02); the error hook answers 400, not 500.
  it('a non-numeric category filter is 400', async () => {
    const res = await rest(`${ctx.api}/products?where[category][equals]=not-a-number`)
    expect(res.status).toBe(400)
    expect(res.body.errors[0].code).toBe('VALIDATION_ERROR')
  })
  it('a non-numeric product id is 400', async () => {
    expect((await rest(`${ctx.api}/products/not-a-number`)).status).toBe(400)
  })
})

describe('who changes products', () => {
  it('editors change description and images and publish; price, title, SKU, status and stock they send are dropped', async () => {
    const p = await createProduct({ price: 2000, stockQuantity: 7 })
    const image = await upload({ data: await png(400, 300), name: `${FILE_TAG}-editor.png`, type: 'image/png' }, { alt: 'A mug' }, editor.token)
    expect(image.status).toBe(201)

    const res = await rest(`${ctx.api}/products/${p.id}`, {
      method: 'PATCH',
      token: editor.token,
      body: {
        description: richText('Hand thrown'),
        images: [image.body.doc.id],
        price: 1,
        title: 'Hijacked',
        sku: 'HIJACK',
        slug: 'hijacked',
        status: 'archived',
        stockQuantity: 9999,
        stockAdjustment: 50,
        ratingAverage: 5,
        _status: 'published',
      },
    })
    expect(res.status).toBe(200)
    const after = (await ctx.payload.findByID({ collection: 'products', id: p.id, depth: 0 })) as unknown as Doc
    expect(JSON.stringify(after.description)).toContain('Hand thrown')
    expect(after.images).toEqual([image.body.doc.id])
    expect(after).toMatchObject({ price: 2000, title: p.title, sku: p.sku, slug: p.slug, status: 'active', stockQuantity: 7, _status: 'published' })
    expect(after.ratingAverage ?? null).toBeNull()
    // Published: the public sees the new description.
    expect(JSON.stringify((await rest(`${ctx.api}/products/${p.id}`)).body.description)).toContain('Hand thrown')
  })

  it('an editor publishes a draft', async () => {
    const p = await createProduct({}, { draft: true })
    expect((await rest(`${ctx.api}/products/${p.id}`)).status).toBe(404)
    const res = await rest(`${ctx.api}/products/${p.id}`, { method: 'PATCH', token: editor.token, body: { _status: 'published' } })
    expect(res.status).toBe(200)
    expect((await rest(`${ctx.api}/products/${p.id}`)).status).toBe(200)
  })

  it('editors cannot create or delete; members and the public cannot write at all', async () => {
    const sku = uniq('NEW').toUpperCase()
    const data = { title: `New ${sku}`, sku, price: 1200, stockQuantity: 3, _status: 'published' }
    expect((await rest(`${ctx.api}/products`, { token: editor.token, body: data })).status).toBe(403)
    expect((await rest(`${ctx.api}/products`, { token: member.token, body: data })).status).toBe(403)
    expect((await rest(`${ctx.api}/products`, { token: support.token, body: data })).status).toBe(403)
    expect((await rest(`${ctx.api}/products`, { body: data })).status).toBe(403)
    expect(await ctx.payload.count({ collection: 'products', where: { sku: { equals: sku } } })).toMatchObject({ totalDocs: 0 })

    const p = await createProduct({ price: 500 })
    for (const who of [member.token, support.token, moderator.token, undefined]) {
      expect((await rest(`${ctx.api}/products/${p.id}`, { method: 'PATCH', token: who, body: { price: 1, description: richText('x') } })).status).toBe(403)
      expect((await rest(`${ctx.api}/products/${p.id}`, { method: 'DELETE', token: who })).status).toBe(403)
    }
    expect((await rest(`${ctx.api}/products/${p.id}`, { method: 'DELETE', token: editor.token })).status).toBe(403)
    expect(((await ctx.payload.findByID({ collection: 'products', id: p.id })) as unknown as Doc).price).toBe(500)
  })

  it('admins create, change and delete products, but cannot set stock through a PATCH', async () => {
    const sku = uniq('adm')
    const created = await rest(`${ctx.api}/products`, { token: admin.token, body: { title: `Admin ${sku}`, sku: ` ${sku} `, price: 1200, stockQuantity: 0, _status: 'published' } })
    expect(created.status).toBe(201)
    expect(created.body.doc).toMatchObject({ sku: sku.toUpperCase(), slug: `admin-${sku.toLowerCase()}`, price: 1200, status: 'active', stockQuantity: 0 })
    const id = created.body.doc.id

    const changed = await rest(`${ctx.api}/products/${id}`, { method: 'PATCH', token: admin.token, body: { price: 1350, status: 'archived', stockQuantity: 500 } })
    expect(changed.status).toBe(200)
    const after = (await ctx.payload.findByID({ collection: 'products', id })) as unknown as Doc
    expect(after).toMatchObject({ price: 1350, status: 'archived', stockQuantity: 0 })

    expect((await rest(`${ctx.api}/products/${id}`, { method: 'DELETE', token: admin.token })).status).toBe(200)
    expect((await rest(`${ctx.api}/products/${id}`, { token: admin.token })).status).toBe(404)
  })

  it('refuses to delete a product with stock history (409) and keeps it', async () => {
    const p = await createProduct({ stockQuantity: 0 })
    await moveStock(await dbFor(ctx.payload), { productId: p.id, delta: 4, reason: 'restock', defaultThreshold: 0 })
    const res = await rest(`${ctx.api}/products/${p.id}`, { method: 'DELETE', token: admin.token })
    expect(res.status).toBe(409)
    expect(res.body.errors[0].message).toMatch(/stock history/)
    expect((await rest(`${ctx.api}/products/${p.id}`, { token: admin.token })).status).toBe(200)
  })

  it('rejects a duplicate SKU with 400', async () => {
    const p = await createProduct()
    const dup = await rest(`${ctx.api}/products`, { token: admin.token, body: { title: `Other ${uniq()}`, sku: p.sku.toLowerCase(), price: 100 } })
    expect(dup.status).toBe(400)
  })
})

describe('price validation', () => {
  const make = (price: unknown) => {
    const sku = uniq('PRC').toUpperCase()
    return rest(`${ctx.api}/products`, { token: admin.token, body: { title: `Priced ${sku}`, sku, price } })
  }

  it('accepts whole minor units, including zero', async () => {
    expect((await make(1999)).status).toBe(201)
    expect((await make(0)).status).toBe(201)
  })

  it('rejects negative, fractional, non-numeric and missing prices with 400', async () => {
    for (const price of [-1, 19.99, 0.5, 'abc', null, undefined, Number.MAX_SAFE_INTEGER * 4]) {
      const res = await make(price)
      expect(res.status, String(price)).toBe(400)
    }
    const p = await createProduct({ price: 700 })
    const patch = await rest(`${ctx.api}/products/${p.id}`, { method: 'PATCH', token: admin.token, body: { price: 19.99 } })
    expect(patch.status).toBe(400)
    expect((await rest(`${ctx.api}/products/${p.id}`, { method: 'PATCH', token: admin.token, body: { price: -5 } })).status).toBe(400)
    // Drafts are validated too.
    expect((await rest(`${ctx.api}/products/${p.id}?draft=true`, { method: 'PATCH', token: admin.token, body: { price: 19.99 } })).status).toBe(400)
    const sku = uniq('DRF').toUpperCase()
    expect((await rest(`${ctx.api}/products?draft=true`, { token: admin.token, body: { title: `Draft ${sku}`, sku, price: 19.99 } })).status).toBe(400)
    expect(((await ctx.payload.findByID({ collection: 'products', id: p.id })) as unknown as Doc).price).toBe(700)
  })

  it('answers malformed bodies with 4xx, never 500', async () => {
    const sku = uniq('BAD').toUpperCase()
    const bodies: unknown[] = [
      { title: `Bad ${sku}`, sku, price: 100, category: 'nope' },
      { title: `Bad ${sku}`, sku, price: 100, category: 999999999 },
      { title: `Bad ${sku}`, sku, price: 100, category: -1 },
      { title: `Bad ${sku}`, sku, price: 100, images: [999999999] },
      { title: `Bad ${sku}`, sku, price: 100, images: ['x'] },
      { title: `Bad ${sku}`, sku, price: 100, attributes: 'not-an-array' },
      { title: `Bad ${sku}`, sku, price: 100, status: 'bogus' },
      { title: 'x'.repeat(5000), sku, price: 100 },
      { title: `Bad ${sku}`, sku: { $ne: 1 }, price: 100 },
      { title: `Bad ${sku}`, sku: 'HAS SPACE', price: 100 },
      { title: `Bad ${sku}`, sku: '   ', price: 100 },
      [1, 2, 3],
    ]
    for (const body of bodies) {
      const res = await rest(`${ctx.api}/products`, { token: admin.token, body })
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBeLessThan(500)
    }
    const draft = await rest(`${ctx.api}/products?draft=true`, { token: admin.token, body: { title: `Bad ${sku}`, sku, price: 100, category: 999999999 } })
    expect(draft.status).toBe(400)
    const p = await createProduct()
    expect((await rest(`${ctx.api}/products/${p.id}?draft=true`, { method: 'PATCH', token: admin.token, body: { category: 999999999 } })).status).toBe(400)
    expect((await rest(`${ctx.api}/products/${p.id}`, { method: 'PATCH', token: editor.token, body: { images: [999999999] } })).status).toBe(400)
    const raw = await fetch(`${ctx.api}/products`, { method: 'POST', headers: { authorization: `JWT ${admin.token}`, 'content-type': 'application/json' }, body: '{"title": ' })
    expect(raw.status).toBeLessThan(500)
  })
})

describe('versions', () => {
  it('each save creates a version; editors read versions, the public and members cannot', async () => {
    const created = await rest(`${ctx.api}/products`, { token: admin.token, body: { title: `Versioned ${uniq()}`, sku: uniq('VER'), price: 100, _status: 'published' } })
    expect(created.status).toBe(201)
    const id = created.body.doc.id
    expect((await rest(`${ctx.api}/products/${id}`, { method: 'PATCH', token: admin.token, body: { price: 200 } })).status).toBe(200)
    expect((await rest(`${ctx.api}/products/${id}`, { method: 'PATCH', token: editor.token, body: { description: richText('v3') } })).status).toBe(200)

    const url = `${ctx.api}/products/versions?where[parent][equals]=${id}&sort=createdAt`
    const asEditor = await rest(url, { token: editor.token })
    expect(asEditor.status).toBe(200)
    expect(asEditor.body.totalDocs).toBe(3)
    expect(asEditor.body.docs.map((v: Doc) => v.version.price)).toEqual([100, 200, 200])
    const one = await rest(`${ctx.api}/products/versions/${asEditor.body.docs[0].id}`, { token: editor.token })
    expect(one.status).toBe(200)
    expect(one.body.version.price).toBe(100)

    expect((await rest(url)).status).toBe(403)
    expect((await rest(url, { token: member.token })).status).toBe(403)
    expect((await rest(`${ctx.api}/products/versions/${asEditor.body.docs[0].id}`)).status).toBe(403)
  })
})

describe('categories', () => {
  it('are nested, readable by anyone and written by admins only', async () => {
    const tag = uniq('cat')
    const root = await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: `Home ${tag}` } })
    expect(root.status).toBe(201)
    const child = await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: `Kitchen ${tag}`, parent: root.body.doc.id } })
    expect(child.status).toBe(201)
    const anon = await rest(`${ctx.api}/categories/${child.body.doc.id}?depth=1`)
    expect(anon.status).toBe(200)
    expect(anon.body.parent).toMatchObject({ id: root.body.doc.id, slug: `home-${tag}` })
    const children = await rest(`${ctx.api}/categories?where[parent][equals]=${root.body.doc.id}`)
    expect(ids(children.body.docs)).toEqual([child.body.doc.id])

    for (const who of [editor.token, member.token, support.token, undefined]) {
      expect((await rest(`${ctx.api}/categories`, { token: who, body: { title: `Nope ${tag}` } })).status).toBe(403)
      expect((await rest(`${ctx.api}/categories/${root.body.doc.id}`, { method: 'PATCH', token: who, body: { title: 'Renamed' } })).status).toBe(403)
      expect((await rest(`${ctx.api}/categories/${root.body.doc.id}`, { method: 'DELETE', token: who })).status).toBe(403)
    }
  })

  it('makes the slug from the title and normalises a given one', async () => {
    const tag = uniq('slug')
    const fromTitle = await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: `Hand-made  Mugs & Cups! ${tag}` } })
    expect(fromTitle.status).toBe(201)
    expect(fromTitle.body.doc.slug).toBe(`hand-made-mugs-cups-${tag}`)
    const accents = await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: `Café Crème ${tag}` } })
    expect(accents.body.doc.slug).toBe(`cafe-creme-${tag}`)
    const given = await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: 'Anything', slug: `  Ça VA -- ${tag.toUpperCase()}  ` } })
    expect(given.status).toBe(201)
    expect(given.body.doc.slug).toBe(`ca-va-${tag}`)

    // Renaming keeps the slug (links stay valid) unless a new slug is sent.
    const renamed = await rest(`${ctx.api}/categories/${fromTitle.body.doc.id}`, { method: 'PATCH', token: admin.token, body: { title: `Mugs ${tag}` } })
    expect(renamed.status).toBe(200)
    expect(renamed.body.doc.slug).toBe(`hand-made-mugs-cups-${tag}`)
    const reslug = await rest(`${ctx.api}/categories/${fromTitle.body.doc.id}`, { method: 'PATCH', token: admin.token, body: { slug: `Mugs ${tag}` } })
    expect(reslug.body.doc.slug).toBe(`mugs-${tag}`)
    // An emptied slug is made again from the title.
    const emptied = await rest(`${ctx.api}/categories/${fromTitle.body.doc.id}`, { method: 'PATCH', token: admin.token, body: { slug: '' } })
    expect(emptied.status).toBe(200)
    expect(emptied.body.doc.slug).toBe(`mugs-${tag}`)
    // A title with nothing sluggable is a 400, not a 500.
    expect((await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: '!!!' } })).status).toBe(400)
  })

  it('rejects a duplicate slug with 400', async () => {
    const tag = uniq('dup')
    expect((await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: `Bowls ${tag}` } })).status).toBe(201)
    const dup = await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: `bowls  ${tag.toUpperCase()}!` } })
    expect(dup.status).toBe(400)
    const dupGiven = await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: 'Other', slug: `bowls-${tag}` } })
    expect(dupGiven.status).toBe(400)
    expect((await ctx.payload.count({ collection: 'categories', where: { slug: { equals: `bowls-${tag}` } } })).totalDocs).toBe(1)
  })

  it('refuses to make a category its own ancestor (400)', async () => {
    const tag = uniq('cyc')
    const a = await createCategory(`A ${tag}`)
    const b = await createCategory(`B ${tag}`, a.id)
    const c = await createCategory(`C ${tag}`, b.id)
    const self = await rest(`${ctx.api}/categories/${a.id}`, { method: 'PATCH', token: admin.token, body: { parent: a.id } })
    expect(self.status).toBe(400)
    const grandchild = await rest(`${ctx.api}/categories/${a.id}`, { method: 'PATCH', token: admin.token, body: { parent: c.id } })
    expect(grandchild.status).toBe(400)
    const child = await rest(`${ctx.api}/categories/${b.id}`, { method: 'PATCH', token: admin.token, body: { parent: c.id } })
    expect(child.status).toBe(400)
    expect(((await ctx.payload.findByID({ collection: 'categories', id: a.id, depth: 0 })) as unknown as Doc).parent ?? null).toBeNull()
    // Moving a leaf under another branch is fine; so is moving a subtree to the top.
    const other = await createCategory(`D ${tag}`)
    expect((await rest(`${ctx.api}/categories/${c.id}`, { method: 'PATCH', token: admin.token, body: { parent: other.id } })).status).toBe(200)
    expect((await rest(`${ctx.api}/categories/${b.id}`, { method: 'PATCH', token: admin.token, body: { parent: null } })).status).toBe(200)
    // A missing or malformed parent is a 400, not a 500.
    expect((await rest(`${ctx.api}/categories/${b.id}`, { method: 'PATCH', token: admin.token, body: { parent: 999999999 } })).status).toBe(400)
    expect((await rest(`${ctx.api}/categories/${b.id}`, { method: 'PATCH', token: admin.token, body: { parent: 'abc' } })).status).toBe(400)
    expect((await rest(`${ctx.api}/categories`, { token: admin.token, body: { title: `E ${tag}`, parent: 999999999 } })).status).toBe(400)
  })
})

describe('media uploads', () => {
  it('an editor uploads a PNG: 201 with resized thumbnail and card variants', async () => {
    const name = `${FILE_TAG}-big.png`
    const res = await upload({ data: await png(1600, 1000), name, type: 'image/png' }, { alt: 'A large mug' }, editor.token)
    expect(res.status).toBe(201)
    const doc = res.body.doc
    expect(doc).toMatchObject({ alt: 'A large mug', mimeType: 'image/png', width: 1600, height: 1000 })
    expect(doc.sizes.thumbnail).toMatchObject({ width: 320, height: 320 })
    expect(doc.sizes.card.width).toBe(768)
    expect(doc.sizes.card.height).toBe(480)
    for (const file of [doc.filename, doc.sizes.thumbnail.filename, doc.sizes.card.filename]) {
      const meta = await sharp(path.join(mediaDir, file)).metadata()
      expect(meta.format).toBe('png')
    }
    expect((await sharp(path.join(mediaDir, doc.sizes.card.filename)).metadata()).width).toBe(768)
    // Anyone can read media (product pages show images).
    expect((await rest(`${ctx.api}/media/${doc.id}`)).status).toBe(200)
  })

  it('accepts a JPEG from an admin', async () => {
    const jpeg = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#3366aa' } }).jpeg().toBuffer()
    const res = await upload({ data: jpeg, name: `${FILE_TAG}-photo.jpg`, type: 'image/jpeg' }, { alt: 'A photo' }, admin.token)
    expect(res.status).toBe(201)
    expect(res.body.doc.mimeType).toBe('image/jpeg')
    expect(res.body.doc.sizes.card.width).toBe(768)
  })

  it('the public, members and support cannot upload', async () => {
    const data = await png(50, 50)
    for (const token of [undefined, member.token, support.token, moderator.token]) {
      const prefix = `${FILE_TAG}-denied-${uniq()}`
      const res = await upload({ data, name: `${prefix}.png`, type: 'image/png' }, { alt: 'no' }, token)
      expect(res.status).toBe(403)
      expect(await filesNamed(prefix)).toEqual([])
    }
  })

  it('rejects text, SVG and disguised files (4xx) and stores nothing', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    const cases = [
      { data: 'just some text', ext: 'txt', type: 'text/plain' },
      { data: svg, ext: 'svg', type: 'image/svg+xml' },
      { data: svg, ext: 'png', type: 'image/png' },
      { data: 'not really a png', ext: 'png', type: 'image/png' },
      { data: '<html><script>alert(1)</script></html>', ext: 'html', type: 'text/html' },
    ]
    for (const c of cases) {
      const prefix = `${FILE_TAG}-bad-${uniq()}`
      const res = await upload({ data: c.data, name: `${prefix}.${c.ext}`, type: c.type }, { alt: 'bad' }, editor.token)
      expect(res.status, `${c.ext} as ${c.type}`).toBeGreaterThanOrEqual(400)
      expect(res.status, `${c.ext} as ${c.type}`).toBeLessThan(500)
      expect(await mediaCount(prefix)).toBe(0)
      expect(await filesNamed(prefix)).toEqual([])
    }
  })

  it('requires alt text (400) and stores nothing without it', async () => {
    for (const body of [{}, { alt: '' }, { alt: '   ' }]) {
      const prefix = `${FILE_TAG}-noalt-${uniq()}`
      const res = await upload({ data: await png(100, 100), name: `${prefix}.png`, type: 'image/png' }, body, editor.token)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(await mediaCount(prefix)).toBe(0)
      expect(await filesNamed(prefix)).toEqual([])
    }
  })

  it('rejects a file over the size limit (4xx) and stores nothing', async () => {
    const limit = Number(process.env.MAX_UPLOAD_BYTES || 5 * 1024 * 1024)
    // Random noise barely compresses: 1400 × 1400 × 3 bytes ≈ 5.9 MB as an uncompressed PNG.
    const side = Math.ceil(Math.sqrt(limit / 3)) + 100
    const noise = randomBytes(side * side * 3)
    const big = await sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer()
    expect(big.length).toBeGreaterThan(limit)
    const prefix = `${FILE_TAG}-huge-${uniq()}`
    const res = await uploadOnOwnConnection({ data: big, name: `${prefix}.png`, type: 'image/png' }, { alt: 'Too big' }, editor.token)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expect(await mediaCount(prefix)).toBe(0)
    expect(await filesNamed(prefix)).toEqual([])
  })

  it('a POST without a file is a 400', async () => {
    const res = await rest(`${ctx.api}/media`, { token: editor.token, body: { alt: 'no file' } })
    expect(res.status).toBe(400)
  })
})
