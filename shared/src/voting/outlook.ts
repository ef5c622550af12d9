/**
 * What a screen may say about a ballot right now (the projector, the console, phones): never "lost"
 * before it mathematically is. Pure, from what the server sends: the ballot's status, whether its
 * counts are hidden until close (`hideTallyUntilClose`, or a result marked `hidden`), and its
 * result (`countBallot`'s shape) — which may be missing or stale (a draft counted over an empty
 * electorate) right after a status change.
 *
 * - `draft`: not open yet; nothing to say.
 * - `waiting`: open, but no usable count yet (no result, or an electorate of 0 — a ballot cannot
 *   open with nobody to vote, so 0 means "not counted yet", never "lost").
 * - `hidden`: open, counts withheld until close (turnout may still be shown).
 * - `in_progress`: open and it can still pass (show what is needed).
 * - `cannot_pass`: open, and even if everyone who has not voted voted for it, it would not pass
 *   (the voting core's exact `needed.pass.possible`: canStillPass278, neededBinary, options).
 * - `passed` / `failed`: closed or published, decided.
 * - `unknown`: open, counted, but the rule gives no "needed" (multi, ranked): say nothing either way.
 */
import type { Art278Figures } from './art278.ts';
import { isArt278 } from './art278-rule.ts';
import type { BallotRule } from './schemas.ts';

export type OutlookState = 'draft' | 'waiting' | 'hidden' | 'in_progress' | 'cannot_pass' | 'unknown' | 'passed' | 'failed';

/** The parts of a result the outlook reads (a `BallotResult` or `BallotResultView` fits). */
export interface OutlookResult {
  hidden?: boolean;
  turnout?: { voted: number; eligible: number; owners?: { voted: number; total: number } };
  outcome?: {
    passed: boolean | null;
    reason?: string;
    figures?: Record<string, number | string>;
    needed?: { pass?: { possible?: boolean } };
  };
}

const FIGURE_KEYS = [
  'totalOwners',
  'totalAreaCentiares',
  'participatingOwners',
  'participatingAreaCentiares',
  'approvingOwners',
  'approvingAreaCentiares',
] as const;

/** The Art. 278 figures of a result's outcome, or null when they are not all there. */
export function figures278(figures: Record<string, number | string> | undefined): Art278Figures | null {
  if (!figures) return null;
  const out: Record<string, number> = {};
  for (const k of FIGURE_KEYS) {
    const v = figures[k];
    if (typeof v !== 'number' || !Number.isInteger(v)) return null;
    out[k] = v;
  }
  return { ...(out as unknown as Omit<Art278Figures, 'splitOwners'>), splitOwners: Number(figures.splitOwners ?? 0) };
}

/** See the file comment. `status` is the ballot's own (the freshest); the result may lag behind it. */
export function ballotOutlook(
  ballot: { status: string; rule: BallotRule; hideTallyUntilClose?: boolean },
  result: OutlookResult | null | undefined,
): OutlookState {
  if (ballot.status === 'draft') return 'draft';
  if (ballot.status === 'closed' || ballot.status === 'published') {
    const passed = result?.outcome?.passed;
    return passed === true ? 'passed' : passed === false ? 'failed' : 'waiting';
  }
  if (ballot.status !== 'open') return 'waiting';
  if (ballot.hideTallyUntilClose === true || result?.hidden === true) return 'hidden';
  if (!result?.turnout || !result.outcome || result.turnout.eligible <= 0) return 'waiting';
  if (isArt278(ballot.rule)) {
    // An empty roster cannot open a ballot: 0 owners is a count not made yet, never a lost ballot.
    const f = figures278(result.outcome.figures);
    if (!f || f.totalOwners <= 0) return 'waiting';
  }
  const possible = result.outcome.needed?.pass?.possible;
  if (possible === undefined) return 'unknown';
  return possible ? 'in_progress' : 'cannot_pass';
}
