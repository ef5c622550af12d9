/** The demo community's roster and members, as a fresh `npm start` seeds them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { DEMO_DEFAULT_PASSWORD, DEMO_LOGINS } from '../src/members/members.demo.ts';
import { DEMO_DEVELOPER } from '../src/roster/roster.demo.ts';

describe('demo roster and members', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let cid: string;

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url, env: { LINLI_DEMO: '1', LINLI_DEMO_LOG: '1' } });
  });
  afterAll(async () => {
    await srv?.stop();
    await redis?.stop();
  });

  it('signs in every demo staff account and finds the demo community with 120 households', async () => {
    const logins = [DEMO_LOGINS.propertyFirm, DEMO_LOGINS.ownersCommittee, DEMO_LOGINS.partyBranch, DEMO_LOGINS.facilitator, DEMO_LOGINS.notable, ...DEMO_LOGINS.buildingLeaders, DEMO_LOGINS.owner, DEMO_LOGINS.resident];
    const roles = new Set<string>();
    for (const login of logins) {
      const c = new Client(srv.url);
      await c.login(login, DEMO_DEFAULT_PASSWORD);
      const me = (await c.get('/api/me')).body;
      expect(me.memberships).toHaveLength(1);
      cid = me.memberships[0].communityId;
      for (const r of me.memberships[0].roles) roles.add(r);
    }
    expect([...roles].sort()).toEqual(['building_leader', 'facilitator', 'notable', 'owner', 'owners_committee', 'party_branch', 'property_firm', 'resident']);

    const facilitator = new Client(srv.url);
    await facilitator.login(DEMO_LOGINS.facilitator, DEMO_DEFAULT_PASSWORD);
    const hh = (await facilitator.get(`/api/communities/${cid}/households`)).body.households as any[];
    expect(hh).toHaveLength(120);
    expect(new Set(hh.map((h) => h.building))).toEqual(new Set(['1', '2', '3', '4']));
    const areas = hh.map((h) => h.areaCentiares);
    expect(Math.min(...areas)).toBe(5620);
    expect(Math.max(...areas)).toBe(14380);
    expect(hh.every((h) => Number.isInteger(h.areaCentiares) && h.area === h.areaCentiares / 100)).toBe(true);
    const owners = new Map<string, number>();
    for (const h of hh) owners.set(h.owner, (owners.get(h.owner) ?? 0) + 1);
    expect([...owners.values()].filter((n) => n === 2).length).toBeGreaterThanOrEqual(8);
    expect(owners.get(DEMO_DEVELOPER)).toBe(3);

    const leader = new Client(srv.url);
    await leader.login(DEMO_LOGINS.buildingLeaders[2], DEMO_DEFAULT_PASSWORD);
    const own = (await leader.get(`/api/communities/${cid}/households`)).body.households as any[];
    expect(own).toHaveLength(30);
    expect(own.every((h) => h.building === '3')).toBe(true);
  });

  it('logs the demo logins and the first invitation codes, which sign a phone in', async () => {
    const log = srv.logs.join('\n');
    expect(log).toContain('Demo accounts');
    expect(log).toContain(DEMO_LOGINS.facilitator);
    const code = /\/i\/([2-9A-HJKMNP-Z]{11})/.exec(log)?.[1];
    expect(code).toBeTruthy();
    const phone = new Client(srv.url);
    const r = await phone.post('/api/auth/invitation', { code });
    expect(r.status).toBe(200);
    expect(r.body.household).toMatchObject({ building: '1', unit: '1', room: '101' });
  });
});
