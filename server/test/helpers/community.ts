/**
 * One server/community fixture for the server tests: a private Redis, one or more Linli server
 * processes on it, the admin signed in, a community with its roster imported, and a People helper
 * that makes members with sessions. Replaces the start-up each test file used to copy; the test
 * keeps its own members and assertions. Stop it in afterAll (`await f?.stop()`).
 */
import { expect } from 'vitest';
import type { Role } from '@linli/shared';
import { startRedis, startServer, type ServerOptions, type TestRedis, type TestServer } from './processes.ts';
import { Client, addMember } from './http-client.ts';
import { People, type Person } from './people.ts';

/** A roster row as the admin imports it (POST /api/communities/:id/households). */
export interface HouseholdRow {
  building: string;
  unit: string;
  room: string;
  area: string;
  owner: string;
}

export interface Household {
  id: string;
  building: string;
  unit: string;
  room: string;
}

export interface CommunityOptions {
  /** The community's name. */
  name: string;
  /** Server processes on the one Redis (default 1). */
  servers?: number;
  env?: ServerOptions['env'];
  /** The roster: rows, or `n` rows 1栋1单元101… of 100 m² owned by 业主1…n. None by default. */
  households?: HouseholdRow[] | number;
}

export interface CommunityFixture {
  redis: TestRedis;
  /** All server processes; `srv` is the first. */
  servers: TestServer[];
  srv: TestServer;
  /** The admin, signed in on the first process. */
  admin: Client;
  cid: string;
  people: People;
  /** The imported households in the order of the rows. */
  households: Household[];
  /** Their ids in the order of the rows. */
  hh: string[];
  /** A member made directly in Redis (fast: no argon2 login), with a session cookie. */
  member(name: string, roles: Role[], opts?: { householdIds?: string[]; buildings?: string[]; communityId?: string }): Promise<Person>;
  /** A member added through the admin API with a login and password, signed in on `srv` (default the first). */
  login(login: string, roles: string[], extra?: Record<string, unknown> & { srv?: TestServer; communityId?: string }): Promise<Client>;
  /** An HTTP client for `p`'s session on `srv` (default the first). */
  as(p: Person, srv?: TestServer): Client;
  /** Another community (for the outsiders of a test). */
  community(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** `n` rows 1栋1单元101… of `area` m² (default 100), owners 业主1…n. */
export const roomRows = (n: number, area = '100'): HouseholdRow[] =>
  Array.from({ length: n }, (_, i) => ({ building: '1', unit: '1', room: String(101 + i), area, owner: `业主${i + 1}` }));

export async function startCommunity(opts: CommunityOptions): Promise<CommunityFixture> {
  const redis = await startRedis();
  const servers: TestServer[] = [];
  const people = new People(redis.url);
  try {
    servers.push(
      ...(await Promise.all(Array.from({ length: opts.servers ?? 1 }, () => startServer({ redisUrl: redis.url, env: opts.env })))),
    );
    const srv = servers[0]!;
    const admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    const community = async (name: string): Promise<string> => {
      const r = await admin.post('/api/communities', { name });
      if (r.status !== 201) throw new Error(`creating community ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.community.id as string;
    };
    const cid = await community(opts.name);
    const rows = typeof opts.households === 'number' ? roomRows(opts.households) : (opts.households ?? []);
    let households: Household[] = [];
    if (rows.length) {
      const imported = await admin.post(`/api/communities/${cid}/households`, { households: rows });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(imported.body.created).toBe(rows.length);
      const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as Household[];
      households = rows.map((r) => list.find((h) => h.building === r.building && h.unit === r.unit && h.room === r.room)!);
    }
    return {
      redis,
      servers,
      srv,
      admin,
      cid,
      people,
      households,
      hh: households.map((h) => h.id),
      member: (name, roles, o = {}) => people.member(o.communityId ?? cid, name, roles, o),
      login: (login, roles, { srv: on = srv, communityId = cid, ...extra } = {}) =>
        addMember(admin, on.url, communityId, login, roles, extra),
      as: (p, on = srv) => Object.assign(new Client(on.url), { cookie: p.cookie }),
      community,
      async stop() {
        await people.close();
        await Promise.all(servers.map((s) => s.stop()));
        await redis.stop();
      },
    };
  } catch (err) {
    await people.close().catch(() => {});
    await Promise.all(servers.map((s) => s.stop()));
    await redis.stop();
    throw err;
  }
}
