/** Tiny fetch wrapper for REST tests: JSON in, status + JSON + headers out. */
export type RestResponse<T = any> = { status: number; body: T; headers: Headers }

export async function rest<T = any>(
  url: string,
  init: { method?: string; token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RestResponse<T>> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  if (init.token) headers.authorization = `JWT ${init.token}`
  if (init.apiKey) headers.authorization = `users API-Key ${init.apiKey}`
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  })
  const text = await res.text()
  let body: any = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers }
}

export async function login(api: string, email: string, password: string): Promise<string> {
  const res = await rest<{ token?: string }>(`${api}/users/login`, { body: { email, password } })
  if (res.status !== 200 || !res.body.token) throw new Error(`login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.token
}
