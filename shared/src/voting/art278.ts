/**
 * Civil Code of the PRC, Art. 278: owners' joint decisions, counted by owners (by number) AND by
 * exclusive-part area, exact integers only (DOMAIN.md "Counting rules"):
 *
 * - participation (quorum): participating owners ≥ 2/3 of all owners by number AND hold ≥ 2/3 of
 *   the total area (`3 * part >= 2 * whole`);
 * - ordinary matters: yes > 1/2 of the participating owners by number AND of their area
 *   (`2 * yes > participating`);
 * - major matters (items 6–8): yes ≥ 3/4 of both (`4 * yes >= 3 * participating`).
 *
 * Counting per the Supreme People's Court interpretation: one owner (ownerKey) counts once by
 * number however many units they hold, and all their units' area goes with their vote (so a
 * developer's unsold units, all under one ownerKey, are one owner with the summed area); an
 * abstention takes part (counts for the quorum and in the denominator of approval) but does not
 * approve.
 */
import type { BallotRule, CastVote, ElectorateSnapshot, TallyOption, BallotResult } from './schemas.ts';

type Answer = 'yes' | 'no' | 'abstain';
const ANSWERS: readonly Answer[] = ['yes', 'no', 'abstain'];
const LABELS: Record<Answer, string> = { yes: 'Yes', no: 'No', abstain: 'Abstain' };

/** Smallest n with 3n ≥ 2·whole (the 2/3 line, exact). */
export function twoThirdsCeil(whole: number): number {
  return Math.floor((2 * whole + 2) / 3);
}

/** Exact Art. 278 figures of one count: all integers, areas in centiares. */
export interface Art278Figures {
  totalOwners: number;
  totalAreaCentiares: number;
  participatingOwners: number;
  participatingAreaCentiares: number;
  approvingOwners: number;
  approvingAreaCentiares: number;
  /** Owners whose units voted differently (counted as taking part, but not as approving by number). */
  splitOwners: number;
}

/** ≥ 2/3 of owners by number AND of the area (an empty roster never reaches a quorum). */
export function quorumMet(f: Art278Figures): boolean {
  return (
    f.totalOwners > 0 && 3 * f.participatingOwners >= 2 * f.totalOwners && 3 * f.participatingAreaCentiares >= 2 * f.totalAreaCentiares
  );
}

/** Approval by number, then by area: ordinary > 1/2, major ≥ 3/4, of the participating owners. */
export function approval(rule: BallotRule, f: Art278Figures): { number: boolean; area: boolean } {
  if (rule === 'civil_code_278_major') {
    return {
      number: f.participatingOwners > 0 && 4 * f.approvingOwners >= 3 * f.participatingOwners,
      area: f.participatingAreaCentiares > 0 && 4 * f.approvingAreaCentiares >= 3 * f.participatingAreaCentiares,
    };
  }
  return {
    number: 2 * f.approvingOwners > f.participatingOwners,
    area: 2 * f.approvingAreaCentiares > f.participatingAreaCentiares,
  };
}

/**
 * The decision and its machine reason: 'no_votes' (nobody took part), 'quorum_not_met',
 * 'approval_number_and_area', 'approval_number', 'approval_area' or 'passed'.
 */
export function decide278(rule: BallotRule, f: Art278Figures): { passed: boolean; reason: string } {
  if (f.participatingOwners === 0) return { passed: false, reason: 'no_votes' };
  if (!quorumMet(f)) return { passed: false, reason: 'quorum_not_met' };
  const a = approval(rule, f);
  if (!a.number && !a.area) return { passed: false, reason: 'approval_number_and_area' };
  if (!a.number) return { passed: false, reason: 'approval_number' };
  if (!a.area) return { passed: false, reason: 'approval_area' };
  return { passed: true, reason: 'passed' };
}

/** Smallest k ≥ 0 with yes+k approving out of part+k (new owners or area voting yes). */
function approvalGap(rule: BallotRule, yes: number, part: number): number {
  // major: 4(y+k) ≥ 3(p+k) ⇔ k ≥ 3p − 4y; ordinary: 2(y+k) > p+k ⇔ k ≥ p − 2y + 1.
  const k = rule === 'civil_code_278_major' ? 3 * part - 4 * yes : part - 2 * yes + 1;
  return Math.max(0, k);
}

/** Smallest k > 0 of new owners (or area) voting no that breaks an approval that holds now. */
function defeatGap(rule: BallotRule, yes: number, part: number): number {
  // major: fails when 4y < 3(p+k) ⇔ 3k > 4y − 3p; ordinary: fails when 2y ≤ p+k ⇔ k ≥ 2y − p.
  if (rule === 'civil_code_278_major') return Math.max(0, Math.floor((4 * yes - 3 * part) / 3) + 1);
  return Math.max(0, 2 * yes - part);
}

/**
 * Whether an open Art. 278 ballot can still pass: every owner who has not taken part votes yes, and
 * so does every unit not yet voted of an owner who has (`openAreaCentiares`: its area then goes
 * with yes, though the owner, split, approves nothing by number). No yes ever lowers participation
 * or an approving share, so this completion is the best one and the answer is exact. An empty
 * roster can never pass.
 */
export function canStillPass278(rule: BallotRule, f: Art278Figures, openAreaCentiares = 0): boolean {
  const absentOwners = Math.max(0, f.totalOwners - f.participatingOwners);
  const absentArea = Math.max(0, f.totalAreaCentiares - f.participatingAreaCentiares);
  return decide278(rule, {
    ...f,
    participatingOwners: f.participatingOwners + absentOwners,
    participatingAreaCentiares: f.participatingAreaCentiares + absentArea,
    approvingOwners: f.approvingOwners + absentOwners,
    approvingAreaCentiares: f.approvingAreaCentiares + absentArea + openAreaCentiares,
  }).passed;
}

/**
 * What is still needed, while open. quorum: owners and area (centiares) that must still take part.
 * pass: owners and area that must still vote, assuming every newcomer votes yes (each figure is a
 * minimum on its own; both must be reached). `possible` is exact (canStillPass278). fail: newcomers voting no that would defeat it (either
 * figure alone is enough; 0 when it would fail if closed now).
 */
export function needed278(rule: BallotRule, f: Art278Figures, openAreaCentiares = 0): NonNullable<BallotResult['outcome']['needed']> {
  const qOwners = Math.max(0, twoThirdsCeil(f.totalOwners) - f.participatingOwners);
  const qArea = Math.max(0, twoThirdsCeil(f.totalAreaCentiares) - f.participatingAreaCentiares);
  const absentOwners = f.totalOwners - f.participatingOwners;
  const absentArea = f.totalAreaCentiares - f.participatingAreaCentiares;
  const now = decide278(rule, f);
  let fail = { owners: 0, areaCentiares: 0, possible: true };
  if (now.passed) {
    const owners = defeatGap(rule, f.approvingOwners, f.participatingOwners);
    const areaCentiares = defeatGap(rule, f.approvingAreaCentiares, f.participatingAreaCentiares);
    fail = { owners, areaCentiares, possible: owners <= absentOwners || areaCentiares <= absentArea };
  }
  return {
    quorum: { owners: qOwners, areaCentiares: qArea, possible: f.totalOwners > 0 },
    pass: {
      owners: Math.max(qOwners, approvalGap(rule, f.approvingOwners, f.participatingOwners)),
      areaCentiares: Math.max(qArea, approvalGap(rule, f.approvingAreaCentiares, f.participatingAreaCentiares)),
      possible: canStillPass278(rule, f, openAreaCentiares),
    },
    fail,
  };
}

interface OwnerAcc {
  area: number;
  answers: Map<string, Answer>;
  /** Area of this owner's units that voted, by answer (used when the owner is split). */
  votedArea: Record<Answer, number>;
}

/** Tally, turnout and figures of an Art. 278 ballot from valid yes/no/abstain votes. */
export function tally278(
  electorate: ElectorateSnapshot,
  votes: readonly CastVote[],
  secret: boolean,
): { options: TallyOption[]; figures: Art278Figures; voted: number; unweighted: number; openAreaCentiares: number } {
  const opts: Record<Answer, TallyOption> = {
    yes: { id: 'yes', label: LABELS.yes, votes: 0, areaCentiares: 0, owners: 0 },
    no: { id: 'no', label: LABELS.no, votes: 0, areaCentiares: 0, owners: 0 },
    abstain: { id: 'abstain', label: LABELS.abstain, votes: 0, areaCentiares: 0, owners: 0 },
  };
  const owners = new Map<string, OwnerAcc>();
  let totalArea = 0;
  for (const v of electorate.voters) {
    const key = v.ownerKey ?? v.voterId;
    const area = v.areaCentiares ?? 0;
    totalArea += area;
    const acc = owners.get(key) ?? { area: 0, answers: new Map(), votedArea: { yes: 0, no: 0, abstain: 0 } };
    acc.area += area;
    owners.set(key, acc);
  }
  const totalOwners = owners.size;

  // Who voted what: open ballots by voter id (area from the snapshot); secret ballots by the weight
  // carried with the choice, grouped under a separate namespace of owner keys.
  const voters = new Map(electorate.voters.map((v) => [v.voterId, v]));
  const voting = secret ? new Map<string, OwnerAcc>() : owners;
  let unweighted = 0;
  let voted = 0;
  for (const vote of votes) {
    const answer = vote.choice as Answer;
    let key: string;
    let unitArea: number;
    let unitId: string;
    if (secret) {
      if (vote.ownerKey === undefined || vote.areaCentiares === undefined) {
        unweighted++;
        continue;
      }
      key = vote.ownerKey;
      unitArea = vote.areaCentiares;
      unitId = `${voted}`;
      const acc = voting.get(key) ?? { area: 0, answers: new Map(), votedArea: { yes: 0, no: 0, abstain: 0 } };
      acc.area += unitArea;
      voting.set(key, acc);
    } else {
      const v = voters.get(vote.voterId);
      if (!v) continue; // filtered before; kept as a guard
      key = v.ownerKey ?? v.voterId;
      unitArea = v.areaCentiares ?? 0;
      unitId = v.voterId;
    }
    const acc = voting.get(key)!;
    acc.answers.set(unitId, answer);
    acc.votedArea[answer] += unitArea;
    opts[answer].votes++;
    voted++;
  }

  let pOwners = 0;
  let pArea = 0;
  let split = 0;
  // Units not yet voted of owners who take part (open ballots: secret ones keep no unit link).
  let openArea = 0;
  for (const acc of voting.values()) {
    if (acc.answers.size === 0) continue;
    pOwners++;
    pArea += acc.area;
    const distinct = new Set(acc.answers.values());
    // An owner approving with all their area gains nothing; any other's open units would move area to yes.
    if (!secret && !(distinct.size === 1 && distinct.has('yes')))
      openArea += acc.area - acc.votedArea.yes - acc.votedArea.no - acc.votedArea.abstain;
    if (distinct.size === 1) {
      const answer = [...distinct][0]!;
      opts[answer].owners!++;
      opts[answer].areaCentiares! += acc.area;
    } else {
      // One owner, units voting differently: each voted unit's area goes with its own answer, the
      // owner's other units take part as abstentions, and by number the owner approves nothing.
      split++;
      for (const a of ANSWERS) opts[a].areaCentiares! += acc.votedArea[a];
      opts.abstain.areaCentiares! += acc.area - acc.votedArea.yes - acc.votedArea.no - acc.votedArea.abstain;
    }
  }

  const figures: Art278Figures = {
    totalOwners: secret ? Math.max(totalOwners, pOwners) : totalOwners,
    totalAreaCentiares: secret ? Math.max(totalArea, pArea) : totalArea,
    participatingOwners: pOwners,
    participatingAreaCentiares: pArea,
    approvingOwners: opts.yes.owners!,
    approvingAreaCentiares: opts.yes.areaCentiares!,
    splitOwners: split,
  };
  return { options: ANSWERS.map((a) => opts[a]), figures, voted, unweighted, openAreaCentiares: openArea };
}
