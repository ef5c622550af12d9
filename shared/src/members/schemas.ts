/** Members (成员) of a community and their roles (API.md "Communities, roster, members"). */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Role } from '../permissions.ts';

/** Roles a member can be given. `guest` is not one: guests join one meeting by its code. */
export const MemberRole = Role.exclude(['guest']);
export type MemberRole = z.infer<typeof MemberRole>;

const roles = z
  .array(MemberRole)
  .max(10)
  .transform((r) => [...new Set(r)]);
const ids = z.array(z.string().min(1).max(64)).max(50);
const buildings = z.array(safeText({ min: 1, max: 40 })).max(50);

/**
 * `POST /api/communities/:cid/members`. With `login` + `password`: a new staff account (argon2id).
 * With `login` alone: an existing account joins this community. Without: a person with no login
 * (e.g. a resident entered by hand for paper votes).
 */
export const MemberCreate = z
  .object({
    displayName: safeText({ min: 1, max: 40 }),
    roles: roles.refine((r) => r.length > 0, 'at least one role'),
    login: z
      .string()
      .trim()
      .min(2)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only')
      .optional(),
    password: z.string().min(8, 'at least 8 characters').max(256).optional(),
    householdIds: ids.optional(),
    buildings: buildings.optional(),
  })
  .refine((m) => !m.password || m.login, { message: 'a password needs a login', path: ['login'] });
export type MemberCreate = z.infer<typeof MemberCreate>;

/** `PATCH /api/communities/:cid/members/:uid`: assign roles (and a building leader's buildings). */
export const MemberUpdate = z
  .object({
    roles: roles,
    buildings: buildings,
    householdIds: ids,
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type MemberUpdate = z.infer<typeof MemberUpdate>;

/** A member as the members page shows it. */
export const Member = z.object({
  userId: z.string(),
  displayName: z.string(),
  login: z.string().nullable(),
  kind: z.enum(['staff', 'member', 'guest']),
  roles: z.array(Role),
  householdIds: z.array(z.string()),
  buildings: z.array(z.string()),
});
export type Member = z.infer<typeof Member>;

export const MemberList = z.object({ members: z.array(Member) });
export type MemberList = z.infer<typeof MemberList>;

/** A person named in the community audit log. */
const AuditPerson = z.object({ userId: z.string(), displayName: z.string() });
/** A member's roles and holdings before or after an administrative change. */
const MemberState = z.object({ roles: z.array(Role), householdIds: z.array(z.string()), buildings: z.array(z.string()) });

/**
 * One entry of the community audit log (`GET /api/communities/:cid/audit`): who changed whom,
 * before and after, when, and the open ballots the change touched (each also got a
 * `holdings_changed` entry in its own chain and a `ballot:notice` on the meeting console).
 */
export const CommunityAuditEntry = z.object({
  id: z.string(),
  at: z.number(),
  type: z.enum(['member_added', 'member_changed']),
  by: AuditPerson,
  member: AuditPerson,
  before: MemberState.nullable(),
  after: MemberState,
  ballots: z.array(z.string()),
});
export type CommunityAuditEntry = z.infer<typeof CommunityAuditEntry>;

export const CommunityAuditList = z.object({ entries: z.array(CommunityAuditEntry) });
export type CommunityAuditList = z.infer<typeof CommunityAuditList>;
