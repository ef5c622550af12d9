/**
 * countBallot: the one place a ballot is counted. Pure (no I/O), exact integers, order of votes
 * irrelevant. The server stores votes and calls this; the verifier recomputes with it.
 *
 * Which votes count (decided here so every caller agrees):
 * - a choice that is not valid on the ballot (choiceSchemaFor) is ignored: figures.invalid;
 * - open ballots: a vote whose voterId is not in the frozen electorate is ignored
 *   (figures.notEligible); one voterId with several votes counts once when they agree, and not at
 *   all when they differ (figures.conflicting) — the server never sends either, this makes a
 *   corrupted store visible instead of silently picking one;
 * - secret ballots keep no link between voter and choice: every valid choice counts once and the
 *   voterId is not looked at (the server checked eligibility and single voting when it accepted
 *   the vote). Art. 278 secret votes count only with the weight kept beside the choice
 *   (CastVote.ownerKey + areaCentiares; figures.unweighted otherwise).
 *
 * Kinds map onto the rules as follows (rules.ts documents each rule and its edge cases):
 * - yes_no_abstain: yes / no / abstain are for / against / neutral;
 * - consent: agree / block / stand_aside are for / against / neutral;
 * - score 0–5 ("fist to five"): 3–5 is for (can live with it), 0–2 against; the exact average is
 *   tally.average = sum / count;
 * - single, multi, ranked: see options.ts.
 *
 * Outcome: closed → passed true/false with a machine reason and the deciding figures. Open →
 * passed null, reason and `wouldPass` as if it closed now, and `needed` (what is still needed to
 * reach quorum, to pass assuming every newcomer votes for, to fail assuming every newcomer votes
 * against).
 */
import { choiceSchemaFor, isArt278, SCORE_MAX, SCORE_MIN } from './schemas.ts';
import type { BallotResult, BallotSpec, CastVote, ElectorateSnapshot, TallyOption } from './schemas.ts';
import { decide278, needed278, tally278 } from './art278.ts';
import { decideBinary, neededBinary, thresholdText, type Binary, type RuleContext } from './rules.ts';
import { countOptions } from './options.ts';

export interface CountOptions {
  /** The ballot is closed: decide (passed true/false). Default: open (passed null). */
  closed?: boolean;
}

/** Votes after the checks in the file comment, and what was set aside. */
export interface PreparedVotes {
  valid: CastVote[];
  invalid: number;
  notEligible: number;
  conflicting: number;
}

/** Applies the "which votes count" rules of this file. */
export function prepareVotes(spec: BallotSpec, electorate: ElectorateSnapshot, votes: readonly CastVote[]): PreparedVotes {
  const schema = choiceSchemaFor(spec);
  let invalid = 0;
  const ok: CastVote[] = [];
  for (const v of votes) {
    if (schema.safeParse(v.choice).success) ok.push(v);
    else invalid++;
  }
  if (spec.secret) return { valid: ok, invalid, notEligible: 0, conflicting: 0 };
  const eligible = new Set(electorate.voters.map((v) => v.voterId));
  let notEligible = 0;
  const byVoter = new Map<string, CastVote[]>();
  for (const v of ok) {
    if (!eligible.has(v.voterId)) {
      notEligible++;
      continue;
    }
    const list = byVoter.get(v.voterId);
    if (list) list.push(v);
    else byVoter.set(v.voterId, [v]);
  }
  let conflicting = 0;
  const valid: CastVote[] = [];
  for (const list of byVoter.values()) {
    const first = JSON.stringify(list[0]!.choice);
    if (list.every((v) => JSON.stringify(v.choice) === first)) valid.push(list[0]!);
    else conflicting += list.length;
  }
  return { valid, invalid, notEligible, conflicting };
}

const FIXED: Record<'yes_no_abstain' | 'consent', { ids: [string, string, string]; labels: [string, string, string] }> = {
  // for, against, neutral
  yes_no_abstain: { ids: ['yes', 'no', 'abstain'], labels: ['Yes', 'No', 'Abstain'] },
  consent: { ids: ['agree', 'block', 'stand_aside'], labels: ['Agree', 'Block', 'Stand aside'] },
};

/** A score's side: 3–5 for, 0–2 against (fist to five: 3 = "I can live with it"). */
export function scoreIsFor(score: number): boolean {
  return score >= 3;
}

function binaryOf(
  spec: BallotSpec,
  valid: readonly CastVote[],
): { b: Binary; options: TallyOption[]; extra: Partial<BallotResult['tally']> } {
  if (spec.kind === 'score') {
    const counts = new Array<number>(SCORE_MAX - SCORE_MIN + 1).fill(0);
    let sum = 0;
    let forCount = 0;
    for (const v of valid) {
      const s = v.choice as number;
      counts[s - SCORE_MIN]!++;
      sum += s;
      if (scoreIsFor(s)) forCount++;
    }
    const options = counts.map((votes, i) => ({ id: String(i + SCORE_MIN), label: String(i + SCORE_MIN), votes }));
    return {
      b: { for: forCount, against: valid.length - forCount, neutral: 0 },
      options,
      extra: { average: { num: sum, den: valid.length } },
    };
  }
  const fixed = FIXED[spec.kind as 'yes_no_abstain' | 'consent'];
  const n = [0, 0, 0];
  for (const v of valid) n[fixed.ids.indexOf(v.choice as string)]!++;
  const b = { for: n[0]!, against: n[1]!, neutral: n[2]! };
  // Shown in the familiar order: yes, no, abstain / agree, stand aside, block.
  const order = spec.kind === 'consent' ? [0, 2, 1] : [0, 1, 2];
  const options = order.map((i) => ({ id: fixed.ids[i]!, label: fixed.labels[i]!, votes: n[i]! }));
  const extra = spec.kind === 'consent' ? { blocks: b.against, standAsides: b.neutral } : {};
  return { b, options, extra };
}

function setAside(p: PreparedVotes): Record<string, number> {
  const f: Record<string, number> = {};
  if (p.invalid) f.invalid = p.invalid;
  if (p.notEligible) f.notEligible = p.notEligible;
  if (p.conflicting) f.conflicting = p.conflicting;
  return f;
}

/**
 * Counts a ballot: tally, turnout and outcome (see the file comment for which votes count, how
 * each kind maps onto the rules, and what open/closed change).
 */
export function countBallot(
  spec: BallotSpec,
  electorate: ElectorateSnapshot,
  votes: readonly CastVote[],
  opts: CountOptions = {},
): BallotResult {
  const closed = opts.closed === true;
  const prepared = prepareVotes(spec, electorate, votes);
  const { valid } = prepared;
  const eligible = electorate.voters.length;

  if (isArt278(spec.rule)) {
    const t = tally278(electorate, valid, spec.secret);
    const d = decide278(spec.rule, t.figures);
    const figures: Record<string, number | string> = {
      ...t.figures,
      threshold: thresholdText({ rule: spec.rule, denominator: 'cast', eligible }),
      ...setAside(prepared),
    };
    if (t.unweighted) figures.unweighted = t.unweighted;
    return {
      tally: { options: t.options },
      turnout: {
        voted: t.voted,
        eligible,
        owners: { voted: t.figures.participatingOwners, total: t.figures.totalOwners },
        areaCentiares: { voted: t.figures.participatingAreaCentiares, total: t.figures.totalAreaCentiares },
      },
      outcome: closed
        ? { passed: d.passed, reason: d.reason, figures }
        : { passed: null, reason: d.reason, figures, wouldPass: d.passed, needed: needed278(spec.rule, t.figures, t.openAreaCentiares) },
    };
  }

  const ctx: RuleContext = { rule: spec.rule, denominator: spec.denominator ?? 'cast', eligible };
  const remaining = Math.max(0, eligible - valid.length);
  const turnout = { voted: valid.length, eligible };

  if (spec.kind === 'single' || spec.kind === 'multi' || spec.kind === 'ranked') {
    const r = countOptions(spec, ctx, valid, remaining);
    const figures = { ...r.figures, threshold: thresholdText(ctx), ...setAside(prepared) };
    return {
      tally: r.tally,
      turnout,
      outcome: closed
        ? { passed: r.passed, reason: r.reason, figures, winners: r.winners }
        : { passed: null, reason: r.reason, figures, wouldPass: r.passed, winners: r.winners, ...(r.needed ? { needed: r.needed } : {}) },
    };
  }

  const { b, options, extra } = binaryOf(spec, valid);
  const d = decideBinary(ctx, b);
  const figures: Record<string, number | string> = {
    for: b.for,
    against: b.against,
    neutral: b.neutral,
    valid: b.for + b.against,
    eligible,
    threshold: thresholdText(ctx),
    ...setAside(prepared),
  };
  return {
    tally: { options, ...extra },
    turnout,
    outcome: closed
      ? { passed: d.passed, reason: d.reason, figures }
      : { passed: null, reason: d.reason, figures, wouldPass: d.passed, needed: neededBinary(ctx, b, remaining) },
  };
}
