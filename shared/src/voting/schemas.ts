/**
 * Ballots as the voting core sees them: kind, rule, electorate, the frozen electorate snapshot,
 * the votes and the result. Pure schemas (no I/O); the counting is in count.ts. Names follow the
 * interface shared with the ballots server (brief "voting-interface") and API.md "Meetings and ballots".
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Role } from '../permissions.ts';

export const BALLOT_KINDS = ['yes_no_abstain', 'single', 'multi', 'consent', 'score', 'ranked'] as const;
/** yes/no/abstain; one option; several options (≤ maxPicks); consent; score 0–5 ("fist to five"); ranked (IRV). */
export const BallotKind = z.enum(BALLOT_KINDS);
export type BallotKind = z.infer<typeof BallotKind>;

export const BALLOT_RULES = [
  'simple_majority',
  'two_thirds',
  'three_quarters',
  'unanimous',
  'consensus',
  'civil_code_278_ordinary',
  'civil_code_278_major',
] as const;
/** How a ballot is decided (DOMAIN.md "Counting rules"). */
export const BallotRule = z.enum(BALLOT_RULES);
export type BallotRule = z.infer<typeof BallotRule>;

import { isArt278 } from './art278-rule.ts';
export { isArt278 } from './art278-rule.ts';

/** Who may vote: households (owners, by area) or members (one person one vote, optionally by role). */
export const Electorate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('households') }),
  z.object({ kind: z.literal('members'), roles: z.array(Role).optional() }),
]);
export type Electorate = z.infer<typeof Electorate>;

/** One option of a single / multi / ranked ballot. */
export const BallotOption = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'option id must be 1–64 letters, digits, _ or -'),
  label: safeText({ max: 200 }).min(1, 'option label is empty'),
});
export type BallotOption = z.infer<typeof BallotOption>;

/** Kinds whose options are the ballot's own list (the others have fixed answers). */
export const KINDS_WITH_OPTIONS: readonly BallotKind[] = ['single', 'multi', 'ranked'];
export const YES_NO_ABSTAIN = ['yes', 'no', 'abstain'] as const;
export const CONSENT_CHOICES = ['agree', 'stand_aside', 'block'] as const;
/** Labels of the fixed answers (screens translate by id; these are for logs and exports). */
export const ANSWER_LABELS: Record<string, string> = {
  yes: 'Yes',
  no: 'No',
  abstain: 'Abstain',
  agree: 'Agree',
  stand_aside: 'Stand aside',
  block: 'Block',
};
export const SCORE_MIN = 0;
export const SCORE_MAX = 5;
/** Largest number of options a ballot may list. */
export const OPTIONS_MAX = 100;

const BallotSpecShape = z.object({
  kind: BallotKind,
  /** Empty for yes_no_abstain, consent and score. */
  options: z.array(BallotOption).max(OPTIONS_MAX).default([]),
  rule: BallotRule,
  electorate: Electorate,
  /** multi only: at most this many picks (default: every option). */
  maxPicks: z.number().int().optional(),
  secret: z.boolean(),
  /** Thresholds of valid votes cast (default) or of all eligible voters. Ignored by Art. 278 and consensus. */
  denominator: z.enum(['cast', 'eligible']).optional(),
  /** A voter may change their vote while the ballot is open (default false). */
  allowChange: z.boolean().optional(),
  hideTallyUntilClose: z.boolean().optional(),
});

/**
 * The counting-relevant part of a ballot. Refused: single/multi/ranked with fewer than 2 options or
 * duplicate option ids; options on a kind with fixed answers; maxPicks outside 1..options (or on a
 * kind other than multi); Art. 278 rules other than on a households electorate with yes/no/abstain;
 * the consensus rule on anything but a consent ballot.
 */
export const BallotSpec = BallotSpecShape.superRefine((spec, ctx) => {
  const withOptions = KINDS_WITH_OPTIONS.includes(spec.kind);
  if (withOptions) {
    if (spec.options.length < 2) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${spec.kind} ballot needs at least 2 options` });
    }
    const seen = new Set<string>();
    spec.options.forEach((o, i) => {
      if (seen.has(o.id)) ctx.addIssue({ code: 'custom', path: ['options', i, 'id'], message: `duplicate option id "${o.id}"` });
      seen.add(o.id);
    });
  } else if (spec.options.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${spec.kind} ballot has fixed answers: give no options` });
  }
  if (spec.maxPicks !== undefined) {
    if (spec.kind !== 'multi') {
      ctx.addIssue({ code: 'custom', path: ['maxPicks'], message: 'maxPicks is only for multi ballots' });
    } else if (spec.maxPicks < 1 || spec.maxPicks > spec.options.length) {
      ctx.addIssue({ code: 'custom', path: ['maxPicks'], message: `maxPicks must be between 1 and ${spec.options.length}` });
    }
  }
  if (isArt278(spec.rule)) {
    if (spec.electorate.kind !== 'households') {
      ctx.addIssue({ code: 'custom', path: ['electorate'], message: 'Art. 278 rules count owners: the electorate must be households' });
    }
    if (spec.kind !== 'yes_no_abstain') {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'Art. 278 rules need a yes/no/abstain ballot' });
    }
  }
  if (spec.rule === 'consensus' && spec.kind !== 'consent') {
    ctx.addIssue({ code: 'custom', path: ['rule'], message: 'the consensus rule needs a consent ballot (agree / stand aside / block)' });
  }
});
export type BallotSpec = z.infer<typeof BallotSpec>;

/**
 * A voter's choice: an option id (single), 'yes'|'no'|'abstain', 'agree'|'stand_aside'|'block',
 * a list of option ids (multi, ranked: most preferred first) or an integer 0–5 (score).
 */
export const Choice = z.union([z.string().max(64), z.array(z.string().max(64)).max(OPTIONS_MAX), z.number()]);
export type Choice = z.infer<typeof Choice>;

function optionIdsOf(spec: Pick<BallotSpec, 'options'>): Set<string> {
  return new Set(spec.options.map((o) => o.id));
}

function pickList(ids: Set<string>, max: number, what: string) {
  return z
    .array(z.string(), { error: `${what}: a list of option ids` })
    .min(1, `${what}: pick at least one option`)
    .max(max, `${what}: at most ${max} option${max === 1 ? '' : 's'}`)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((id, i) => {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: `unknown option "${id}"` });
        else if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: `option "${id}" picked twice` });
        seen.add(id);
      });
    });
}

/**
 * The schema of a valid choice on this ballot: unknown options, too many picks, duplicates, an
 * empty list and scores outside 0–5 (or not whole) are refused with a clear message.
 */
export function choiceSchemaFor(spec: Pick<BallotSpec, 'kind' | 'options' | 'maxPicks'>): z.ZodType<Choice> {
  const ids = optionIdsOf(spec);
  switch (spec.kind) {
    case 'yes_no_abstain':
      return z.enum(YES_NO_ABSTAIN, { error: 'choose "yes", "no" or "abstain"' });
    case 'consent':
      return z.enum(CONSENT_CHOICES, { error: 'choose "agree", "stand_aside" or "block"' });
    case 'score':
      return z
        .number({ error: `a score is a whole number from ${SCORE_MIN} to ${SCORE_MAX}` })
        .int(`a score is a whole number from ${SCORE_MIN} to ${SCORE_MAX}`)
        .min(SCORE_MIN, `a score is at least ${SCORE_MIN}`)
        .max(SCORE_MAX, `a score is at most ${SCORE_MAX}`);
    case 'single':
      return z
        .string({ error: 'choose one option id' })
        .refine((id) => ids.has(id), { error: (i) => `unknown option "${String(i.input)}"` });
    case 'multi':
      return pickList(ids, Math.min(spec.maxPicks ?? ids.size, ids.size), 'multi');
    case 'ranked':
      return pickList(ids, ids.size, 'ranking');
  }
}

/** True when the choice is valid on this ballot (see choiceSchemaFor). */
export function isValidChoice(spec: Pick<BallotSpec, 'kind' | 'options' | 'maxPicks'>, choice: unknown): choice is Choice {
  return choiceSchemaFor(spec).safeParse(choice).success;
}

/**
 * One voter of the frozen electorate. Households: voterId = household id, ownerKey groups the units
 * of one owner (counted once by number; defaults to the voterId), areaCentiares = registered area
 * in integer hundredths of a m². Members: voterId = user id, roles for the advisory breakdown.
 */
export const ElectorateVoter = z.object({
  voterId: z.string().min(1),
  ownerKey: z.string().min(1).optional(),
  areaCentiares: z.number().int().nonnegative().optional(),
  roles: z.array(z.string()).optional(),
});
export type ElectorateVoter = z.infer<typeof ElectorateVoter>;

/** The electorate frozen when the ballot opens (roster and areas as they were then). */
export const ElectorateSnapshot = z.object({
  kind: z.enum(['households', 'members']),
  voters: z.array(ElectorateVoter),
});
export type ElectorateSnapshot = z.infer<typeof ElectorateSnapshot>;

/**
 * One stored vote. Open ballots: voterId is a voter of the snapshot. Secret ballots keep no link
 * between voter and choice: voterId is then opaque (e.g. the receipt) and, for Art. 278 rules, the
 * vote must carry the weight the server kept with the choice (ownerKey, areaCentiares) to count.
 * roles feed the advisory breakdown (advisoryByRole).
 */
export const CastVote = z.object({
  voterId: z.string(),
  choice: Choice,
  roles: z.array(z.string()).optional(),
  /** Secret Art. 278 ballots only: the owner key (may be a per-ballot pseudonym) kept with the choice. */
  ownerKey: z.string().min(1).optional(),
  /** Secret Art. 278 ballots only: the area (centiares) the choice carries. */
  areaCentiares: z.number().int().nonnegative().optional(),
});
export type CastVote = z.infer<typeof CastVote>;

/**
 * Every machine reason an outcome can carry (screens translate them by code):
 * passed · no_votes (nobody, or no valid vote) · all_abstained (only abstentions) · tie ·
 * rejected (simple majority: more against than for) · threshold_not_met (2/3, 3/4, or a majority
 * of eligible / of ballots not reached) · not_unanimous · blocked · no_support (consent: nobody
 * agrees) · no_electorate (an "of eligible" rule on an empty electorate) · quorum_not_met,
 * approval_number, approval_area, approval_number_and_area (Art. 278).
 */
export const OUTCOME_REASONS = [
  'passed',
  'no_votes',
  'all_abstained',
  'tie',
  'rejected',
  'threshold_not_met',
  'not_unanimous',
  'blocked',
  'no_support',
  'no_electorate',
  'quorum_not_met',
  'approval_number',
  'approval_area',
  'approval_number_and_area',
] as const;
export const OutcomeReason = z.enum(OUTCOME_REASONS);
export type OutcomeReason = z.infer<typeof OutcomeReason>;

/** One round of instant-runoff counting. */
export const IrvRound = z.object({
  round: z.number().int(),
  /** Votes of each continuing option this round, in option order. */
  counts: z.array(z.object({ id: z.string(), votes: z.number().int() })),
  /** Ballots whose every ranked option has been eliminated. */
  exhausted: z.number().int(),
  /** Ballots still counting for some option (the round's denominator). */
  continuing: z.number().int(),
  /** The option eliminated after this round (null when the round elects or ends in a tie). */
  eliminated: z.string().nullable(),
  /** How the eliminated option was chosen among equals (see irv.ts). */
  tieBreak: z.enum(['none', 'earlier_rounds', 'option_order']),
  /** The option elected in this round, if any. */
  elected: z.string().nullable(),
});
export type IrvRound = z.infer<typeof IrvRound>;

/** One line of a tally: votes (voters), and for Art. 278 the area and owners behind it. */
export const TallyOption = z.object({
  id: z.string(),
  label: z.string(),
  votes: z.number().int(),
  areaCentiares: z.number().int().optional(),
  owners: z.number().int().optional(),
});
export type TallyOption = z.infer<typeof TallyOption>;

const Needed = z.object({
  owners: z.number().int(),
  areaCentiares: z.number().int(),
  votes: z.number().int().optional(),
  /** False when even every remaining voter voting this way would not get there. */
  possible: z.boolean().optional(),
});

/** What countBallot returns: the tally, the turnout and the outcome with the figures that decide it. */
export const BallotResult = z.object({
  tally: z.object({
    options: z.array(TallyOption),
    rounds: z.array(IrvRound).optional(),
    /** score: the exact average sum/count (den 0 when nobody scored). */
    average: z.object({ num: z.number().int(), den: z.number().int() }).optional(),
    blocks: z.number().int().optional(),
    standAsides: z.number().int().optional(),
  }),
  turnout: z.object({
    voted: z.number().int(),
    eligible: z.number().int(),
    owners: z.object({ voted: z.number().int(), total: z.number().int() }).optional(),
    areaCentiares: z.object({ voted: z.number().int(), total: z.number().int() }).optional(),
  }),
  outcome: z.object({
    /** null while the ballot is open. */
    passed: z.boolean().nullable(),
    /** One of OUTCOME_REASONS. While open: the reason it would have if it closed now. */
    reason: z.string(),
    figures: z.record(z.string(), z.union([z.number(), z.string()])),
    /** While open: would the ballot pass if it closed now. */
    wouldPass: z.boolean().optional(),
    /** Winning option(s) of single / multi / ranked ballots (as if closed now while open). */
    winners: z.array(z.string()).optional(),
    needed: z
      .object({
        quorum: Needed.optional(),
        pass: Needed.optional(),
        fail: Needed.optional(),
      })
      .optional(),
  }),
});
export type BallotResult = z.infer<typeof BallotResult>;
