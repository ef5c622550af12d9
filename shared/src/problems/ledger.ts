/**
 * Rules of the problems ledger, pure: the life cycle raised → accepted → in progress → resolved
 * (or rejected), who may move it, the raiser's rating, and when a problem is overdue. The server
 * loads a problem, asks these functions for the next one, and writes it atomically.
 */
import { DomainError } from '../common/errors.ts';
import { can, type Actor } from '../permissions.ts';
import type { Problem, ProblemCreate, ProblemHistoryEntry, ProblemPatch, ProblemRate, ProblemStatus, ProblemView } from './schemas.ts';

/** The next statuses allowed from each status. Resolved and rejected are final. */
export const PROBLEM_TRANSITIONS: Readonly<Record<ProblemStatus, readonly ProblemStatus[]>> = {
  raised: ['accepted', 'rejected'],
  accepted: ['in_progress', 'rejected'],
  in_progress: ['resolved'],
  resolved: [],
  rejected: [],
};

/** True when a problem in `from` may move to `to`. */
export function canTransition(from: ProblemStatus, to: ProblemStatus): boolean {
  return PROBLEM_TRANSITIONS[from].includes(to);
}

/** Resolved or rejected: nothing more to do (never overdue, no reassignment). */
export function isProblemFinal(status: ProblemStatus): boolean {
  return status === 'resolved' || status === 'rejected';
}

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Today's date (YYYY-MM-DD) in China time, whatever the server's zone. */
export function chinaToday(now: number): string {
  return new Date(now + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Past its due date (the whole due day counts, China time) and still open. */
export function isOverdue(p: Pick<Problem, 'status' | 'dueDate'>, now: number): boolean {
  // YYYY-MM-DD strings order like the dates they name.
  return !!p.dueDate && !isProblemFinal(p.status) && p.dueDate < chinaToday(now);
}

/** The problem as the API sends it. */
export function problemView(p: Problem, now: number): ProblemView {
  return { ...p, overdue: isOverdue(p, now) };
}

/** Who did something, as the history records it. */
export interface ProblemBy {
  userId: string;
  name: string;
}

/** A new problem (status `raised`) from a resident's input; `problem.raise` is checked here. */
export function raiseProblem(
  input: ProblemCreate,
  ctx: { id: string; communityId: string; actor: Actor; by: ProblemBy; at: number },
): Problem {
  if (!can(ctx.actor, 'problem.raise', { communityId: ctx.communityId })) {
    throw new DomainError('forbidden', 'You may not raise problems here. 您没有提出问题的权限。');
  }
  return {
    id: ctx.id,
    communityId: ctx.communityId,
    title: input.title,
    description: input.description ?? '',
    ...(input.building ? { building: input.building } : {}),
    ...(input.meetingId ? { meetingId: input.meetingId } : {}),
    raisedBy: ctx.by,
    raisedAt: ctx.at,
    status: 'raised',
    tags: input.tags ?? [],
    history: [{ at: ctx.at, by: ctx.by, from: null, to: 'raised' }],
  };
}

const STATUS_ZH: Record<ProblemStatus, string> = {
  raised: '已提出',
  accepted: '已受理',
  in_progress: '处理中',
  resolved: '已解决',
  rejected: '不予受理',
};

function conflict(message: string): DomainError {
  return new DomainError('conflict', message);
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('validation_failed', `Invalid problem: ${path}: ${message}`, { issues: [{ path, message }] });
}

const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t) => b.includes(t));

/**
 * Applies a manager's change (`problem.manage`): a status step, an assignment, tags, the meeting,
 * a note. Returns the next problem with one history entry appended, or `changed: false` when the
 * patch repeats what is already there (a double click changes nothing).
 * Throws forbidden (no right), conflict (a step the life cycle does not allow, or reassigning a
 * finished problem), validation_failed (accepting without a responsible party).
 */
export function changeProblem(
  p: Problem,
  patch: ProblemPatch,
  ctx: { actor: Actor; by: ProblemBy; at: number },
): { problem: Problem; changed: boolean; resolvedNow: boolean } {
  if (!can(ctx.actor, 'problem.manage', { communityId: p.communityId })) {
    throw new DomainError('forbidden', 'Only those who handle problems may change them. 只有问题处理方可以修改问题。');
  }
  const from = p.status;
  const to = patch.status ?? from;
  if (to !== from && !canTransition(from, to)) {
    throw conflict(`A problem that is ${from} cannot become ${to}. 问题“${STATUS_ZH[from]}”，不能改为“${STATUS_ZH[to]}”。`);
  }

  const next: Problem = { ...p, status: to };
  const changes: Record<string, unknown> = {};
  const set = <K extends 'responsible' | 'responsibleNote' | 'dueDate' | 'meetingId'>(key: K, value: Problem[K] | null | undefined) => {
    if (value === undefined || (value ?? undefined) === p[key]) return;
    if (value === null) delete next[key];
    else next[key] = value as Problem[K];
    changes[key] = value;
  };
  const assigning =
    (patch.responsible !== undefined && (patch.responsible ?? undefined) !== p.responsible) ||
    (patch.responsibleNote !== undefined && (patch.responsibleNote ?? undefined) !== p.responsibleNote) ||
    (patch.dueDate !== undefined && (patch.dueDate ?? undefined) !== p.dueDate);
  if (assigning && isProblemFinal(from)) {
    throw conflict(`This problem is ${from}: its assignment can no longer change. 问题已${STATUS_ZH[from]}，不能再改派。`);
  }
  set('responsible', patch.responsible);
  set('responsibleNote', patch.responsibleNote);
  set('dueDate', patch.dueDate);
  set('meetingId', patch.meetingId);
  if (patch.tags && !sameTags(patch.tags, p.tags)) {
    next.tags = patch.tags;
    changes.tags = patch.tags;
  }
  if ((to === 'accepted' || to === 'in_progress') && !next.responsible) {
    throw invalid('responsible', 'an accepted problem needs a responsible party (物业、业委会、党支部或楼栋长)');
  }

  const changed = to !== from || Object.keys(changes).length > 0 || !!patch.note;
  if (!changed) return { problem: p, changed: false, resolvedNow: false };
  const entry: ProblemHistoryEntry = {
    at: ctx.at,
    by: ctx.by,
    from,
    to,
    ...(patch.note ? { note: patch.note } : {}),
    ...(Object.keys(changes).length ? { changes } : {}),
  };
  next.history = [...p.history, entry];
  return { problem: next, changed: true, resolvedNow: to === 'resolved' && from !== 'resolved' };
}

/**
 * The raiser's rating of a resolved problem, once. Throws forbidden for anyone else (or someone
 * who may no longer take part), conflict when not resolved or already rated.
 */
export function rateProblem(p: Problem, rate: ProblemRate, ctx: { actor: Actor; at: number }): Problem {
  if (ctx.actor.userId !== p.raisedBy.userId || !can(ctx.actor, 'problem.raise', { communityId: p.communityId })) {
    throw new DomainError('forbidden', 'Only the person who raised a problem rates its result. 只有提出人可以评价。');
  }
  if (p.status !== 'resolved') throw conflict(`Only a resolved problem can be rated (this one is ${p.status}). 问题解决后才能评价。`);
  if (p.rating) throw conflict('This problem has already been rated. 已经评价过了。');
  return { ...p, rating: { stars: rate.stars, ...(rate.comment ? { comment: rate.comment } : {}), at: ctx.at } };
}

/** The raiser (while it is open) and those who handle problems may attach a photo. */
export function mayAttachPhoto(p: Problem, actor: Actor): boolean {
  if (can(actor, 'problem.manage', { communityId: p.communityId })) return true;
  return actor.userId === p.raisedBy.userId && !isProblemFinal(p.status) && can(actor, 'problem.raise', { communityId: p.communityId });
}

/** The image type its first bytes show (JPEG, PNG, WebP), or null: the declared type is not trusted. */
export function sniffImageType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | 'image/webp' | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** Filters of the ledger list (all given ones must match). */
export interface ProblemFilter {
  status?: ProblemStatus;
  building?: string;
  tag?: string;
  overdue?: boolean;
}

/** True when `p` passes `f` at time `now`. */
export function matchesProblemFilter(p: Problem, f: ProblemFilter, now: number): boolean {
  if (f.status && p.status !== f.status) return false;
  if (f.building && p.building !== f.building) return false;
  if (f.tag && !p.tags.includes(f.tag as Problem['tags'][number])) return false;
  if (f.overdue !== undefined && isOverdue(p, now) !== f.overdue) return false;
  return true;
}
