import { describe, expect, it } from 'vitest';
import { MemberCreate, MemberUpdate } from './schemas.ts';
import { can, PERMISSIONS } from '../permissions.ts';

describe('member payloads', () => {
  it('accepts staff with login and password, and persons without', () => {
    expect(
      MemberCreate.parse({ displayName: ' 周老师 ', roles: ['facilitator', 'facilitator'], login: 'zhou', password: 'long-enough' }),
    ).toEqual({
      displayName: '周老师',
      roles: ['facilitator'],
      login: 'zhou',
      password: 'long-enough',
    });
    expect(MemberCreate.safeParse({ displayName: '王阿姨', roles: ['resident'] }).success).toBe(true);
  });
  it('refuses guests as a role, no roles, a password without login, short passwords', () => {
    expect(MemberCreate.safeParse({ displayName: 'x', roles: ['guest'] }).success).toBe(false);
    expect(MemberCreate.safeParse({ displayName: 'x', roles: [] }).success).toBe(false);
    const r = MemberCreate.safeParse({ displayName: 'x', roles: ['resident'], password: 'long-enough' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['login']);
    expect(MemberCreate.safeParse({ displayName: 'x', roles: ['resident'], login: 'abc', password: 'short' }).success).toBe(false);
    expect(MemberCreate.safeParse({ displayName: 'x', roles: ['resident'], login: '张三' }).success).toBe(false);
    expect(MemberUpdate.safeParse({}).success).toBe(false);
  });
});

describe('role grants in the permission table', () => {
  it('lets the owners’ committee manage members but only admins grant admin', () => {
    const committee = { userId: 'u', communityId: 'c', roles: ['owners_committee'] as const };
    expect(can(committee, 'members.manage', { communityId: 'c' })).toBe(true);
    expect(can(committee, 'members.grant_admin', { communityId: 'c' })).toBe(false);
    expect(can({ userId: 'a', communityId: 'c', roles: ['admin'] }, 'members.grant_admin', { communityId: 'c' })).toBe(true);
    const holders = Object.entries(PERMISSIONS)
      .filter(([, actions]) => actions.includes('members.manage'))
      .map(([r]) => r);
    expect(holders.sort()).toEqual(['admin', 'owners_committee']);
  });
  it('limits a building leader’s slips to their buildings', () => {
    const leader = { userId: 'u', communityId: 'c', roles: ['building_leader'] as const, buildings: ['3'] };
    expect(can(leader, 'invitation.print', { communityId: 'c', building: '3' })).toBe(true);
    expect(can(leader, 'invitation.print', { communityId: 'c', building: '4' })).toBe(false);
  });
});
