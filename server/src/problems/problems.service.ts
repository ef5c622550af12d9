/**
 * The problems ledger (问题清单): raise, list, change (status, assignment, tags, meeting), rate,
 * photos. The rules are the pure functions of @linli/shared; this service loads, checks who may
 * see what, writes atomically and tells listeners (the transport broadcasts to the community).
 */
import {
  DomainError,
  PROBLEM_PHOTO_MAX_BYTES,
  can,
  changeProblem,
  isOverdue,
  isProblemFinal,
  matchesProblemFilter,
  mayAttachPhoto,
  raiseProblem,
  rateProblem,
  sniffImageType,
  type Actor,
  type Problem,
  type ProblemCreate,
  type ProblemFilter,
  type ProblemPatch,
  type ProblemRate,
} from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import { newId } from '../common/ids.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { LoadedProblem, ProblemsRepository } from './problems.repository.ts';

/** True when `meetingId` is a meeting of community `cid` (the meetings feature answers). */
export type MeetingCheck = (cid: string, meetingId: string) => Promise<boolean>;

const CAS_RETRIES = 20;
const notFound = () => new DomainError('not_found', 'No such problem. 问题不存在。');

export class ProblemsService {
  readonly #listeners = new Set<(p: Problem) => void>();

  constructor(
    readonly repo: ProblemsRepository,
    private readonly auth: AuthService,
    private readonly stats: StatsRepository,
    private readonly opts: { meetingInCommunity?: MeetingCheck; now?: () => number } = {},
  ) {}

  now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Listens to every raised or changed problem. Returns an unsubscribe function. */
  onChange(fn: (p: Problem) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(p: Problem): Problem {
    for (const fn of this.#listeners) fn(p);
    return p;
  }

  /**
   * Raises a problem in `cid` (problem.raise is checked by the rules), counted as raised this month.
   * Raised from a meeting (`meetingId`, checked to be this community's), it is linked to it at once.
   */
  async raise(user: StoredUser, actor: Actor, cid: string, input: ProblemCreate, at = this.now()): Promise<Problem> {
    if (input.meetingId && !((await this.opts.meetingInCommunity?.(cid, input.meetingId)) ?? false)) {
      throw new DomainError('validation_failed', 'Invalid problem: meetingId: no such meeting in this community. 本小区没有这次会议。', {
        issues: [{ path: 'meetingId', message: 'no such meeting in this community' }],
      });
    }
    const p = raiseProblem(input, { id: newId(), communityId: cid, actor, by: { userId: user.id, name: user.displayName }, at });
    await this.repo.create(p, { ...this.stats.keysFor(cid, at), metric: 'problems_raised' });
    return this.#changed(p);
  }

  /** A problem and the user's actor in its community; 404 for those who may not see it. */
  async #visible(user: StoredUser, pid: string): Promise<{ loaded: LoadedProblem; actor: Actor }> {
    const loaded = await this.repo.get(pid);
    if (!loaded) throw notFound();
    const actor = await this.auth.actor(user, loaded.problem.communityId);
    // Outsiders learn nothing, not even that the problem exists.
    if (!can(actor, 'community.view', { communityId: loaded.problem.communityId })) throw notFound();
    return { loaded, actor };
  }

  async get(user: StoredUser, pid: string): Promise<Problem> {
    return (await this.#visible(user, pid)).loaded.problem;
  }

  /** The ledger of a community (newest first), filtered. The caller has checked the community. */
  async list(cid: string, filter: ProblemFilter = {}): Promise<Problem[]> {
    const now = this.now();
    return (await this.repo.list(cid)).filter((p) => matchesProblemFilter(p, filter, now));
  }

  /** Plans with `plan` on the current record and writes it if nobody changed it meanwhile. */
  async #update(
    user: StoredUser,
    pid: string,
    plan: (p: Problem, actor: Actor) => Promise<{ next: Problem; resolvedNow?: boolean; photo?: Buffer } | null>,
  ): Promise<Problem> {
    for (let i = 0; i < CAS_RETRIES; i++) {
      const { loaded, actor } = await this.#visible(user, pid);
      const planned = await plan(loaded.problem, actor);
      if (!planned) return loaded.problem;
      const stat = planned.resolvedNow
        ? { ...this.stats.keysFor(planned.next.communityId, this.now()), metric: 'problems_resolved' }
        : undefined;
      if (await this.repo.replace(loaded.raw, planned.next, { photo: planned.photo, stat })) return this.#changed(planned.next);
    }
    throw new DomainError('conflict', 'This problem is being changed by someone else; try again. 问题正被他人修改，请重试。');
  }

  /** A manager's change: status step, assignment, tags, meeting, note (one history entry). */
  change(user: StoredUser, pid: string, patch: ProblemPatch): Promise<Problem> {
    return this.#update(user, pid, async (p, actor) => {
      const r = changeProblem(p, patch, { actor, by: { userId: user.id, name: user.displayName }, at: this.now() });
      if (!r.changed) return null;
      if (patch.meetingId && patch.meetingId !== p.meetingId) {
        const ok = (await this.opts.meetingInCommunity?.(p.communityId, patch.meetingId)) ?? false;
        if (!ok)
          throw new DomainError(
            'validation_failed',
            'Invalid problem: meetingId: no such meeting in this community. 本小区没有这次会议。',
            { issues: [{ path: 'meetingId', message: 'no such meeting in this community' }] },
          );
      }
      return { next: r.problem, resolvedNow: r.resolvedNow };
    });
  }

  /** The raiser's rating of the resolved problem. */
  rate(user: StoredUser, pid: string, rating: ProblemRate): Promise<Problem> {
    return this.#update(user, pid, async (p, actor) => ({ next: rateProblem(p, rating, { actor, at: this.now() }) }));
  }

  /** Attaches (or replaces) the photo: JPEG, PNG or WebP by its bytes, at most 2 MB. */
  attachPhoto(user: StoredUser, pid: string, bytes: Buffer): Promise<Problem> {
    if (bytes.length > PROBLEM_PHOTO_MAX_BYTES) throw photoTooLarge();
    const mime = sniffImageType(bytes);
    if (!mime) {
      throw new DomainError('unsupported_media_type', 'The photo must be a JPEG, PNG or WebP image. 照片须为 JPEG、PNG 或 WebP 格式。', {
        status: 415,
      });
    }
    return this.#update(user, pid, async (p, actor) => {
      if (!mayAttachPhoto(p, actor)) {
        throw new DomainError(
          'forbidden',
          'Only the person who raised it (while open) or those who handle problems add photos. 只有提出人或处理方可以上传照片。',
        );
      }
      // A new id per photo: browsers may cache the old one for as long as they like.
      return { next: { ...p, photo: { id: newId(), mime } }, photo: bytes };
    });
  }

  /** The photo and its type, for those who may see the problem. */
  async photo(user: StoredUser, pid: string): Promise<{ mime: string; id: string; bytes: Buffer }> {
    const { loaded } = await this.#visible(user, pid);
    const photo = loaded.problem.photo;
    const bytes = photo ? await this.repo.getPhoto(pid) : null;
    if (!photo || !bytes) throw new DomainError('not_found', 'This problem has no photo. 该问题没有照片。');
    return { mime: photo.mime, id: photo.id, bytes };
  }

  /** Open and overdue counts of a community's ledger now (for the dashboard). */
  async current(cid: string): Promise<{ openProblems: number; overdueProblems: number }> {
    const now = this.now();
    const all = await this.repo.list(cid);
    return {
      openProblems: all.filter((p) => !isProblemFinal(p.status)).length,
      overdueProblems: all.filter((p) => isOverdue(p, now)).length,
    };
  }

  /** Problems of the meeting's community by id, for its minutes. */
  async summaries(
    cid: string,
    ids: readonly string[],
  ): Promise<{ id: string; title: string; status: string; assignee?: string; dueDate?: string }[]> {
    const found = await this.repo.getMany(ids);
    return found
      .filter((p) => p.communityId === cid)
      .map((p) => ({
        id: p.id,
        title: p.title,
        status: p.status,
        ...(p.responsible ? { assignee: p.responsible } : {}),
        ...(p.dueDate ? { dueDate: p.dueDate } : {}),
      }));
  }
}

export function photoTooLarge(): DomainError {
  return new DomainError('too_large', `The photo is larger than ${PROBLEM_PHOTO_MAX_BYTES / 1024 / 1024} MB. 照片超过 2 MB。`);
}
