/** A tiny HTTP client with a cookie jar: one instance = one person's browser session. */
export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Client {
  cookie = '';
  constructor(readonly base: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const set = res.headers.getSetCookie?.() ?? [];
    for (const c of set) {
      const [pair] = c.split(';');
      if (pair?.startsWith('linli_sid=')) this.cookie = /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c) ? '' : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  get<T = any>(p: string) {
    return this.request<T>('GET', p);
  }
  post<T = any>(p: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', p, body ?? {}, headers);
  }
  patch<T = any>(p: string, body?: unknown) {
    return this.request<T>('PATCH', p, body ?? {});
  }
  delete<T = any>(p: string) {
    return this.request<T>('DELETE', p);
  }

  async login(login: string, password: string): Promise<Reply> {
    const r = await this.post('/api/auth/login', { login, password });
    if (r.status !== 200) throw new Error(`login ${login} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  }
}

/**
 * Adds a person to `communityId` through the admin API (POST /members with a login) and returns
 * them signed in against `url`. Throws with the server's answer when refused.
 */
export async function addMember(
  admin: Client,
  url: string,
  communityId: string,
  login: string,
  roles: string[],
  extra: Record<string, unknown> = {},
): Promise<Client> {
  const password = 'member-pass-1';
  const r = await admin.post(`/api/communities/${communityId}/members`, { displayName: login, roles, login, password, ...extra });
  if (r.status !== 201) throw new Error(`adding ${login}: ${r.status} ${JSON.stringify(r.body)}`);
  const c = new Client(url);
  await c.login(login, password);
  return c;
}

/** Imports six households (1栋1单元101–106, 100 m² each, owners 业主1–6) into `cid`; their ids by room order. */
export async function sixHouseholds(admin: Client, cid: string): Promise<string[]> {
  const rooms = ['101', '102', '103', '104', '105', '106'];
  const rows = rooms.map((room, i) => ({ building: '1', unit: '1', room, area: '100', owner: `业主${i + 1}` }));
  const imported = await admin.post(`/api/communities/${cid}/households`, { households: rows });
  if (imported.status !== 200) throw new Error(`roster import failed: ${imported.status} ${JSON.stringify(imported.body)}`);
  const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as { id: string; room: string }[];
  return rooms.map((room) => list.find((h) => h.room === room)!.id);
}
