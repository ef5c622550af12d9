/** Household roster (户): payloads of import, list, edit, and of invitations (API.md "Communities, roster, members"). */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Membership, User } from '../auth/schemas.ts';

/** Most rows one import may hold. */
export const ROSTER_MAX_ROWS = 20_000;
/** Largest roster file (CSV or .xlsx) accepted, in bytes. */
export const ROSTER_MAX_BYTES = 5 * 1024 * 1024;

const text = (max: number) => safeText({ min: 1, max });

/** One row as a client sends it in JSON: `area` in m² as a number or a decimal string. */
export const HouseholdRow = z.object({
  building: z.union([z.string(), z.number()]).transform(String),
  unit: z.union([z.string(), z.number()]).transform(String),
  room: z.union([z.string(), z.number()]).transform(String),
  area: z.union([z.string(), z.number()]),
  owner: z.string(),
  phone: z.union([z.string(), z.number()]).transform(String).nullish(),
});
export type HouseholdRow = z.infer<typeof HouseholdRow>;

/** `POST /api/communities/:cid/households` with JSON. Rows are checked one by one, not by zod. */
export const HouseholdImportJson = z.object({
  households: z.array(z.record(z.string(), z.unknown())).max(ROSTER_MAX_ROWS, `at most ${ROSTER_MAX_ROWS} rows`),
});
export type HouseholdImportJson = z.infer<typeof HouseholdImportJson>;

/** A household as stored: area exact in centiares (hundredths of m²). */
export const Household = z.object({
  id: z.string(),
  building: z.string(),
  unit: z.string(),
  room: z.string(),
  areaCentiares: z.number().int().positive(),
  owner: z.string(),
  phone: z.string().optional(),
  /** The current invitation code (canonical, no dashes); null when revoked. */
  invitationCode: z.string().nullable(),
});
export type Household = z.infer<typeof Household>;

/** A household in `GET …/households`: `area` in m² for display; phone only for roster managers. */
export const HouseholdView = z.object({
  id: z.string(),
  building: z.string(),
  unit: z.string(),
  room: z.string(),
  area: z.number(),
  areaCentiares: z.number().int(),
  owner: z.string(),
  phone: z.string().optional(),
  /** Grouped for reading (ABCD-EFGH-JKL); null when revoked or not shown to this role. */
  invitationCode: z.string().nullable(),
});
export type HouseholdView = z.infer<typeof HouseholdView>;

export const HouseholdList = z.object({ households: z.array(HouseholdView) });
export type HouseholdList = z.infer<typeof HouseholdList>;

/** `PATCH …/households/:hid`: any of the fields; `phone: null` clears it. */
export const HouseholdPatch = z
  .object({
    building: text(40),
    unit: text(40),
    room: text(40),
    area: z.union([z.string(), z.number()]),
    owner: text(80),
    phone: safeText({ max: 40 }).nullable(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type HouseholdPatch = z.infer<typeof HouseholdPatch>;

/** What a rejection or warning message was made from (plausibility.ts explains it in zh or en). */
const IssueParams = {
  fields: z.array(z.enum(['building', 'unit', 'room', 'area', 'owner', 'phone'])).optional(),
  value: z.string().optional(),
  limit: z.string().optional(),
  lines: z.array(z.number().int()).optional(),
};

/**
 * One refused row: `line` is the file line (header = 1) for CSV/xlsx, the 1-based index for JSON.
 * `message` is plain English then plain Chinese; the other fields let a page say it in its language.
 */
export const RosterRejection = z.object({
  line: z.number().int(),
  code: z.enum(['missing_field', 'invalid_area', 'area_out_of_range', 'duplicate_room', 'invalid_phone', 'too_long', 'invalid_text']),
  message: z.string(),
  ...IssueParams,
});
export type RosterRejection = z.infer<typeof RosterRejection>;

/** A row that is imported but deserves a second look (an area far from a usual home's). */
export const RosterWarning = z.object({
  line: z.number().int(),
  code: z.enum(['area_large', 'area_small']),
  message: z.string(),
  ...IssueParams,
});
export type RosterWarning = z.infer<typeof RosterWarning>;

export const ImportResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.array(RosterRejection),
  /** Rows imported (or, in a dry run, to be imported) that deserve a second look. */
  warnings: z.array(RosterWarning),
  dryRun: z.boolean().optional(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const HouseholdsQuery = z.object({
  q: z.string().trim().max(80).optional(),
  building: z.string().trim().max(40).optional(),
});
export type HouseholdsQuery = z.infer<typeof HouseholdsQuery>;

export const ImportQuery = z.object({
  dryRun: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

/** `POST /api/auth/invitation {code}`: dashes, spaces and case do not matter. */
/**
 * `newMember`: this phone is another person of the household (a family member), not the one who
 * scanned the slip before. Without it the same slip signs in the household's earlier member.
 */
export const InvitationClaim = z.object({ code: z.string().trim().min(1, 'required').max(40), newMember: z.boolean().optional() });
export type InvitationClaim = z.infer<typeof InvitationClaim>;

export const InvitationClaimResponse = z.object({
  user: User,
  membership: Membership,
  household: z.object({ id: z.string(), building: z.string(), unit: z.string(), room: z.string() }),
  /** True when this browser already was that household's member (same user, new nothing). */
  resumed: z.boolean(),
});
export type InvitationClaimResponse = z.infer<typeof InvitationClaimResponse>;

/** One printable slip (`GET …/invitations?building=`). */
export const InvitationSlip = z.object({
  householdId: z.string(),
  building: z.string(),
  unit: z.string(),
  room: z.string(),
  /** "3栋2单元1201" */
  address: z.string(),
  /** Grouped for reading: ABCD-EFGH-JKL. */
  code: z.string(),
  /** Absolute link the QR code holds: https://host/i/ABCDEFGHJKL */
  joinUrl: z.string(),
  /** What to type for those who cannot scan: the short address of the code page, e.g. "linli.example/i". */
  typeUrl: z.string(),
  /** The QR code of joinUrl as an inline SVG document. */
  qrSvg: z.string(),
});
export type InvitationSlip = z.infer<typeof InvitationSlip>;

export const InvitationSlipsQuery = z.object({ building: z.string().trim().min(1).max(40).optional() });
export type InvitationSlipsQuery = z.infer<typeof InvitationSlipsQuery>;
