/**
 * Small pure helpers of the ballots server: the question of a ballot without its life cycle, the
 * secrecy rules checked at creation, and the body of an audit entry hashed in Node.
 */
import { createHash } from 'node:crypto';
import {
  DomainError,
  bodyText,
  canonicalJson,
  sortSealed,
  type Ballot,
  type BallotSpec,
  type ChainHead,
  type Choice,
  type SealedBallot,
} from '@linli/shared';

export const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** An audit entry body, hashed in Node (see shared/src/ballots/audit.ts). */
export function auditBody(ballotId: string, type: string, data: unknown): { dataJson: string; bodyHash: string } {
  return { dataJson: canonicalJson(data), bodyHash: sha256hex(bodyText({ ballotId, type, data })) };
}

/** The question of a ballot without its life cycle. */
export function specOf(b: Ballot): BallotSpec {
  const {
    id: _i,
    meetingId: _m,
    communityId: _c,
    title: _t,
    description: _d,
    status: _s,
    clauseRef: _r,
    clauseHash: _h,
    clauseText: _x,
    motionId: _mo,
    advisory: _a,
    createdAt: _ca,
    createdBy: _cb,
    openedAt: _o,
    closedAt: _cl,
    publishedAt: _p,
    objectionDays: _od,
    objectionEndsAt: _oe,
    eligibleCount: _e,
    ...spec
  } = b;
  return spec as BallotSpec;
}

/**
 * Secret ballots keep no link from a voter to a choice, so: one person one vote (a households
 * ballot weighs each choice by the household's area and owner, which would put the household
 * back beside its choice), and no changing one's vote (finding the old choice needs the link).
 */
export function checkSecrecy(spec: BallotSpec, advisory: boolean): void {
  if (!spec.secret) return;
  if (advisory) {
    throw new DomainError(
      'validation_failed',
      'A secret ballot has no advisory tally by role: roles beside the choices would point back to the voters. 无记名表决不分角色统计。',
      {
        issues: [{ path: 'advisory', message: 'not with a secret ballot' }],
      },
    );
  }
  if (spec.electorate.kind === 'households') {
    throw new DomainError(
      'validation_failed',
      'A secret ballot counts one person one vote: use the members electorate. Art. 278 counting by household and area is by signed ballot. 无记名表决只能按人计票；按户按面积计票须记名。',
      {
        issues: [{ path: 'secret', message: 'secret ballots need the members electorate' }],
      },
    );
  }
  if (spec.allowChange) {
    throw new DomainError(
      'validation_failed',
      'A secret ballot cannot let voters change their vote: the server keeps no link from a voter to a choice. 无记名表决不能改票。',
      {
        issues: [{ path: 'allowChange', message: 'not with a secret ballot' }],
      },
    );
  }
}

/**
 * A secret ballot's choices with their receipts, sorted by receipt: from the `choices` sorted set
 * ("<receipt> {choice}") and, for ballots cast before it existed, the `receipts` hash.
 */
export function sealedBallots(state: {
  choices: string[];
  receipts: Record<string, string>;
  superseded: Record<string, string>;
}): SealedBallot[] {
  const out: SealedBallot[] = [];
  for (const m of state.choices) {
    const sp = m.indexOf(' ');
    out.push({ receipt: m.slice(0, sp), choice: (JSON.parse(m.slice(sp + 1)) as { choice: Choice }).choice });
  }
  for (const [receipt, rec] of Object.entries(state.receipts))
    if (!state.superseded[receipt]) out.push({ receipt, choice: (JSON.parse(rec) as { choice: Choice }).choice });
  return sortSealed(out);
}

/** "<seq>:<hash>" as Redis keeps a head → the published form. */
export function headOf(stored: string | null): ChainHead | null {
  if (!stored) return null;
  const i = stored.indexOf(':');
  return { hash: stored.slice(i + 1), length: Number(stored.slice(0, i)) };
}
