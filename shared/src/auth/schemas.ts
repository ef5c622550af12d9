/** Payloads of sign-in and the signed-in user (API.md "Sessions"). */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Role } from '../permissions.ts';

export const LoginRequest = z.object({
  login: z.string().trim().min(1, 'required').max(64),
  password: z.string().min(1, 'required').max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const User = z.object({
  id: z.string(),
  login: z.string().nullable(),
  displayName: z.string(),
  isAdmin: z.boolean(),
  kind: z.enum(['staff', 'member', 'guest']),
});
export type User = z.infer<typeof User>;

export const Membership = z.object({
  communityId: z.string(),
  roles: z.array(Role),
  householdIds: z.array(z.string()),
  buildings: z.array(z.string()).default([]),
  /**
   * When an administrator gave this member each household (epoch ms). Absent for households the
   * member got by claiming the household's own slip. A household given after a ballot opened is
   * not voted online by its new holder in that ballot (members/holdings.ts).
   */
  householdsSince: z.record(z.string(), z.number()).optional(),
});
export type Membership = z.infer<typeof Membership>;

export const MeResponse = z.object({
  user: User,
  memberships: z.array(Membership),
  /** Guest sessions are bound to one meeting. */
  meetingId: z.string().optional(),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const DisplayNameUpdate = z.object({ displayName: safeText({ min: 1, max: 40 }) });
export type DisplayNameUpdate = z.infer<typeof DisplayNameUpdate>;
