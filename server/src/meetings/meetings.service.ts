/**
 * Meetings: details and life cycle, who may do what in one meeting, joining by code, and every
 * change of the live record (agenda, floor, queue, motions) as a compare-and-set on one Redis
 * record. Never sees sockets: it tells listeners that a meeting changed, and the transport
 * broadcasts. Attendance, quorum and the state snapshot are in meetings.state.ts.
 */
import { randomInt } from 'node:crypto';
import { Port } from '../common/port.ts';
import {
  DomainError,
  JOIN_CODE_LENGTH,
  can,
  checkStatusChange,
  closeLive,
  emptyLive,
  buildAgenda,
  addAgendaItem,
  deleteAgendaItem,
  editAgendaItem,
  lowerHand,
  markBalloted,
  meetingClosed,
  motionReadyForBallot,
  moveAgenda,
  proposeMotion,
  raiseHand,
  reorderAgenda,
  reorderSpeakers,
  replaceAgenda,
  secondMotion,
  speakerNext,
  withdrawMotion,
  type Reaction,
  type Actor,
  type AgendaItemAdd,
  type AgendaItemInput,
  type AgendaItemPatch,
  type LiveRecord,
  type Meeting,
  type MeetingBallot,
  type MeetingCreate,
  type MeetingUpdate,
  type Role,
} from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { Session, StoredUser } from '../auth/auth.repository.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import { newId } from '../common/ids.ts';
import type { MeetingsRepository, StoredMeeting } from './meetings.repository.ts';

/** Open ballots (and recent ones) of a meeting as a participant may see them: the ballots feature registers it. */
export type BallotsProvider = (meetingId: string, userId: string | null) => Promise<MeetingBallot[]>;
/** Ballot outcomes for the minutes. */
export type ResultsProvider = (
  meetingId: string,
) => Promise<
  { ballotId: string; title: string; status: string; rule?: string; outcome: unknown; head?: { hash: string; length: number } }[]
>;
/** Turns a seconded motion into a ballot. */
export type MotionToBallot = (meetingId: string, motion: { id: string; text: string }, actor: Actor) => Promise<{ ballotId: string }>;
/** Problems (问题清单) linked to agenda items (`problemIds`) or taken up by the meeting, for the minutes. */
export type ProblemsProvider = (
  meetingId: string,
  problemIds: string[],
) => Promise<{ id: string; title: string; status: string; assignee?: string; dueDate?: string }[]>;

/** Who is acting in one meeting, and as what. */
export interface MeetingAccess {
  meeting: Meeting;
  user: StoredUser;
  actor: Actor;
  /** Runs this meeting: listed facilitator, the community's facilitator role, or an admin. */
  facilitator: boolean;
  /** A guest session bound to this meeting (listener). */
  guest: boolean;
}

/** What changed: `state` (the live record or details; version bumped) or `presence` (attendance only). */
export interface MeetingChange {
  meetingId: string;
  kind: 'state' | 'presence';
}

/** A change to write: the next record, plus side effects kept in the same atomic step. */
interface Planned {
  meeting?: Meeting;
  live?: LiveRecord;
  clearReactions?: boolean;
  releaseCode?: string;
}

const CAS_RETRIES = 50;
/** How old a meeting record accessById may use (status, facilitators): a moment, for vote storms. */
const MEETING_TTL_MS = 1_000;

/** A join code: digits, no leading zero (read aloud as "3847 2915"). */
export function newJoinCode(): string {
  let s = String(1 + randomInt(9));
  for (let i = 1; i < JOIN_CODE_LENGTH; i++) s += String(randomInt(10));
  return s;
}

const notFound = () => new DomainError('not_found', 'No such meeting. 会议不存在。');

export class MeetingsService {
  /** Registered by the features built after meetings (ballots, problems, consultations); server.ts asserts them. */
  readonly ports = {
    ballots: new Port<BallotsProvider>('meetings.ballots'),
    results: new Port<ResultsProvider>('meetings.results'),
    motionToBallot: new Port<MotionToBallot>('meetings.motionToBallot'),
    problems: new Port<ProblemsProvider>('meetings.problems'),
    consultation: new Port<(meetingId: string) => Promise<string | null>>('meetings.consultation'),
  };
  readonly #listeners = new Set<(c: MeetingChange) => void>();
  readonly #balloting = new Set<string>();
  readonly #recent = new Map<string, { at: number; meeting: Promise<Meeting | null> }>();

  constructor(
    readonly repo: MeetingsRepository,
    private readonly auth: AuthService,
    private readonly stats: StatsRepository,
    private readonly now: () => number = Date.now,
    private readonly newCode: () => string = newJoinCode,
  ) {}

  // ---- hooks registered by later features (ballots, problems) and the transport

  provideBallots(fn: BallotsProvider): void {
    this.ports.ballots.set(fn);
  }
  provideResults(fn: ResultsProvider): void {
    this.ports.results.set(fn);
  }
  provideMotionToBallot(fn: MotionToBallot): void {
    this.ports.motionToBallot.set(fn);
  }
  provideProblems(fn: ProblemsProvider): void {
    this.ports.problems.set(fn);
  }
  /** Written consultations: the one shown in this meeting (named in the join payload). */
  provideConsultation(fn: (meetingId: string) => Promise<string | null>): void {
    this.ports.consultation.set(fn);
  }
  consultationFor(meetingId: string): Promise<string | null> {
    return this.ports.consultation.get()(meetingId);
  }
  ballotsFor(meetingId: string, userId: string | null): Promise<MeetingBallot[]> {
    return this.ports.ballots.get()(meetingId, userId);
  }
  resultsFor(meetingId: string) {
    return this.ports.results.get()(meetingId);
  }
  /** The problems of agenda items `ids` and those the meeting took up (the provider adds them). */
  problemsFor(meetingId: string, ids: string[]) {
    return this.ports.problems.get()(meetingId, ids);
  }
  motionToBallot(meetingId: string, motion: { id: string; text: string }, actor: Actor) {
    return this.ports.motionToBallot.get()(meetingId, motion, actor);
  }

  /** Listens to changes (the socket layer broadcasts on them). Returns an unsubscribe function. */
  onChange(fn: (c: MeetingChange) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
  notify(meetingId: string, kind: MeetingChange['kind']): void {
    for (const fn of this.#listeners) fn({ meetingId, kind });
  }

  // ---- reading

  /** The meeting, or null. */
  get(meetingId: string): Promise<Meeting | null> {
    return this.repo.getMeeting(meetingId);
  }

  async require(meetingId: string): Promise<StoredMeeting> {
    const s = await this.repo.load(meetingId);
    if (!s) throw notFound();
    return s;
  }

  /** Meetings of a community, upcoming first by start time, then the rest newest first. */
  async list(communityId: string): Promise<Meeting[]> {
    return this.repo.getMeetings(await this.repo.idsOf(communityId));
  }

  /**
   * Who `user` is in this meeting: a member of its community (or an admin), or a guest whose
   * session is bound to it. Anyone else gets not_found (no probing of meeting ids).
   */
  async access(
    user: StoredUser | null | undefined,
    session: Pick<Session, 'meetingId'> | null | undefined,
    meetingId: string,
  ): Promise<MeetingAccess> {
    if (!user) throw new DomainError('unauthenticated', 'Please sign in or join with the meeting code first. 请先登录或输入会议码。');
    const meeting = await this.get(meetingId);
    if (!meeting) throw notFound();
    return this.accessTo(user, session, meeting);
  }

  /**
   * access() for a caller known by id whose meeting's community is known beforehand (a ballot's):
   * the person and the membership are read fresh, together (one MGET); the meeting record comes
   * from a copy at most MEETING_TTL_MS old (a storm of votes reads it once, not once per vote).
   */
  async accessById(
    userId: string | null | undefined,
    session: Pick<Session, 'meetingId'> | null | undefined,
    meetingId: string,
    communityId: string,
  ): Promise<MeetingAccess> {
    if (!userId) throw new DomainError('unauthenticated', 'Please sign in or join with the meeting code first. 请先登录或输入会议码。');
    const [{ user, membership }, meeting] = await Promise.all([
      this.auth.userAndMembership(userId, communityId),
      this.#recentMeeting(meetingId),
    ]);
    if (!user) throw new DomainError('unauthenticated', 'Please sign in or join with the meeting code first. 请先登录或输入会议码。');
    if (!meeting) throw notFound();
    const actor = meeting.communityId === communityId ? this.auth.actorFrom(user, communityId, membership) : undefined;
    return this.accessTo(user, session, meeting, actor);
  }

  /**
   * access() for a socket joining a meeting (a burst of a thousand arrives at once): the meeting
   * record from a copy at most MEETING_TTL_MS old (this process's own changes drop it at once), the
   * person and their membership read fresh in one MGET.
   */
  async accessRecent(
    userId: string | null | undefined,
    session: Pick<Session, 'meetingId'> | null | undefined,
    meetingId: string,
  ): Promise<MeetingAccess> {
    if (!userId) throw new DomainError('unauthenticated', 'Please sign in or join with the meeting code first. 请先登录或输入会议码。');
    const meeting = await this.#recentMeeting(meetingId);
    if (!meeting) throw notFound();
    return this.accessById(userId, session, meetingId, meeting.communityId);
  }

  #recentMeeting(meetingId: string): Promise<Meeting | null> {
    const t = performance.now();
    const hit = this.#recent.get(meetingId);
    if (hit && t - hit.at < MEETING_TTL_MS) return hit.meeting;
    const meeting = this.get(meetingId);
    const entry = { at: t, meeting };
    if (this.#recent.size >= 1000) this.#recent.delete(this.#recent.keys().next().value!);
    this.#recent.set(meetingId, entry);
    meeting.catch(() => this.#recent.get(meetingId) === entry && this.#recent.delete(meetingId));
    return meeting;
  }

  async accessTo(
    user: StoredUser,
    session: Pick<Session, 'meetingId'> | null | undefined,
    meeting: Meeting,
    known?: Actor,
  ): Promise<MeetingAccess> {
    const cid = meeting.communityId;
    let actor = known ?? (await this.auth.actor(user, cid));
    let guest = false;
    if (!actor.isAdmin && actor.roles.length === 0) {
      if (session?.meetingId !== meeting.id) throw notFound();
      actor = { userId: user.id, isAdmin: false, communityId: cid, roles: ['guest'], buildings: [] };
      guest = true;
    }
    if (!can(actor, 'meeting.join', { communityId: cid })) throw notFound();
    const facilitator =
      !guest &&
      (actor.isAdmin === true || meeting.facilitatorIds.includes(user.id) || can(actor, 'meeting.facilitate', { communityId: cid }));
    return { meeting, user, actor, facilitator, guest };
  }

  /** Throws forbidden unless the access is a facilitator's. */
  requireFacilitator(a: MeetingAccess): void {
    if (!a.facilitator) throw new DomainError('forbidden', 'Only the facilitator may do this. 只有主持人可以操作。');
  }

  /** Throws forbidden unless `action` is allowed (facilitators may do every meeting action). */
  requireCan(a: MeetingAccess, action: Parameters<typeof can>[1], building?: string): void {
    if (a.facilitator) return;
    if (!can(a.actor, action, { communityId: a.meeting.communityId, ...(building ? { building } : {}) })) {
      throw new DomainError('forbidden', `You may not do this (${action}). 您没有此操作的权限。`);
    }
  }

  // ---- writing

  /** Creates a meeting with a fresh join code; the creator facilitates unless others are named. */
  async create(communityId: string, input: MeetingCreate, actor: Actor): Promise<Meeting> {
    const facilitatorIds = [...new Set(input.facilitatorIds ?? [actor.userId])];
    await this.#checkMembers(communityId, facilitatorIds);
    const agenda = buildAgenda(input.agenda ?? [], [], newId);
    for (let attempt = 0; attempt < 20; attempt++) {
      const meeting: Meeting = {
        id: newId(),
        communityId,
        title: input.title,
        mode: input.mode,
        status: 'scheduled',
        joinCode: this.newCode(),
        facilitatorIds,
        createdAt: this.now(),
        createdBy: actor.userId,
        ...(input.topic ? { topic: input.topic } : {}),
        ...(input.startsAt ? { startsAt: new Date(input.startsAt).toISOString() } : {}),
        ...(input.place ? { place: input.place } : {}),
        ...(input.language ? { language: input.language } : {}),
        ...(input.conveners?.length ? { conveners: [...new Set(input.conveners)] as Role[] } : {}),
      };
      if (await this.repo.create(meeting, emptyLive(agenda))) return meeting;
    }
    throw new DomainError('conflict', 'Could not find a free join code; try again. 暂时无法生成会议码，请重试。');
  }

  /**
   * Applies `plan` to the current record with compare-and-set, retrying on a concurrent change.
   * `plan` sees the record as stored; it throws to refuse. A closed meeting refuses everything.
   */
  async change(
    meetingId: string,
    plan: (s: StoredMeeting) => Planned | null,
    opts: { allowClosed?: boolean } = {},
  ): Promise<StoredMeeting> {
    for (let attempt = 0; attempt < CAS_RETRIES; attempt++) {
      const s = await this.require(meetingId);
      if (s.meeting.status === 'closed' && !opts.allowClosed) throw meetingClosed();
      const next = plan(s);
      if (!next) return s;
      if (await this.repo.compareAndSet(meetingId, s.version, next)) {
        if (next.meeting) this.#recent.delete(meetingId);
        this.notify(meetingId, 'state');
        return { meeting: next.meeting ?? s.meeting, live: next.live ?? s.live, version: s.version + 1 };
      }
      // Someone else wrote first: plan again on their result (jitter spreads a burst of writers).
      await new Promise((r) => setTimeout(r, randomInt(1, 5 + attempt * 2)));
    }
    throw new DomainError('conflict', 'The meeting is changing fast; try again. 操作过于频繁，请重试。');
  }

  /** Applies a transition of the live record (agenda, floor, queue, motions). */
  changeLive(
    meetingId: string,
    fn: (live: LiveRecord, meeting: Meeting, now: number) => LiveRecord,
    opts: { clearReactions?: boolean } = {},
  ): Promise<StoredMeeting> {
    return this.change(meetingId, (s) => {
      const live = fn(s.live, s.meeting, this.now());
      if (live === s.live) return null;
      return { live, ...(opts.clearReactions ? { clearReactions: true } : {}) };
    });
  }

  /** Details and status (facilitator). Closing banks the item time, ends the floor, frees the code and counts the meeting. */
  async update(a: MeetingAccess, patch: MeetingUpdate): Promise<Meeting> {
    this.requireFacilitator(a);
    if (patch.facilitatorIds) await this.#checkMembers(a.meeting.communityId, patch.facilitatorIds);
    let closing = false;
    const done = await this.change(a.meeting.id, (s) => {
      const now = this.now();
      const m: Meeting = { ...s.meeting };
      if (patch.title !== undefined) m.title = patch.title;
      if (patch.mode !== undefined) m.mode = patch.mode;
      if (patch.conveners !== undefined) m.conveners = [...new Set(patch.conveners)] as Role[];
      if (patch.facilitatorIds !== undefined) m.facilitatorIds = [...new Set(patch.facilitatorIds)];
      for (const key of ['topic', 'place', 'startsAt'] as const) {
        const v = patch[key];
        if (v === null) delete m[key];
        else if (v !== undefined) m[key] = key === 'startsAt' ? new Date(v).toISOString() : v;
      }
      let live: LiveRecord | undefined;
      closing = false;
      if (patch.status && patch.status !== s.meeting.status) {
        checkStatusChange(s.meeting.status, patch.status);
        m.status = patch.status;
        if (patch.status === 'open') m.openedAt ??= now;
        if (patch.status === 'in_progress') {
          m.openedAt ??= now;
          m.startedAt ??= now;
        }
        if (patch.status === 'closed') {
          m.closedAt = now;
          live = closeLive(s.live, now);
          closing = true;
        }
      }
      return { meeting: m, ...(live ? { live } : {}), ...(closing ? { releaseCode: s.meeting.joinCode } : {}) };
    });
    if (closing) await this.#countClosed(done.meeting);
    return done.meeting;
  }

  /** Replaces the agenda (facilitator). */
  async setAgenda(a: MeetingAccess, items: readonly AgendaItemInput[]): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.change(a.meeting.id, (s) => ({ live: replaceAgenda(s.live, items, newId) }));
  }

  /** Adds one agenda item (facilitator); returns its id. */
  async addAgendaItem(a: MeetingAccess, input: AgendaItemAdd): Promise<{ stored: StoredMeeting; itemId: string }> {
    this.requireFacilitator(a);
    const itemId = newId();
    const stored = await this.changeLive(a.meeting.id, (live) => addAgendaItem(live, input, itemId));
    return { stored, itemId };
  }

  /** Edits one item's title, description or planned minutes (facilitator). */
  editAgendaItem(a: MeetingAccess, itemId: string, patch: AgendaItemPatch): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.changeLive(a.meeting.id, (live) => editAgendaItem(live, itemId, patch));
  }

  /** Puts the agenda in a new order (facilitator). */
  reorderAgenda(a: MeetingAccess, itemIds: readonly string[]): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.changeLive(a.meeting.id, (live) => reorderAgenda(live, itemIds));
  }

  /** Removes one item (facilitator); the item under discussion is refused (`conflict`). */
  deleteAgendaItem(a: MeetingAccess, itemId: string): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.changeLive(a.meeting.id, (live) => deleteAgendaItem(live, itemId));
  }

  // ---- live actions (each one compare-and-set on the record, then a broadcast)

  /** Moves the agenda (facilitator). An open meeting starts (in progress) with its first move. */
  async moveAgenda(a: MeetingAccess, itemId: string | null): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.change(a.meeting.id, (s) => {
      if (s.meeting.status === 'scheduled')
        throw new DomainError('conflict', 'Open the meeting before moving through the agenda. 请先开放会议。');
      const now = this.now();
      const live = moveAgenda(s.live, itemId, now);
      if (live === s.live) return null;
      const meeting =
        s.meeting.status === 'open' ? { ...s.meeting, status: 'in_progress' as const, startedAt: s.meeting.startedAt ?? now } : undefined;
      return { live, clearReactions: true, ...(meeting ? { meeting } : {}) };
    });
  }

  /** Raises or lowers the caller's own hand. */
  hand(a: MeetingAccess, raised: boolean): Promise<StoredMeeting> {
    this.requireCan(a, 'meeting.speak');
    const who = { userId: a.user.id, name: a.user.displayName };
    return this.changeLive(a.meeting.id, (live, _m, now) => (raised ? raiseHand(live, who, now) : lowerHand(live, who.userId)));
  }

  /** Gives the floor to the next in the queue (facilitator). */
  speakerNext(a: MeetingAccess): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.changeLive(a.meeting.id, (live, _m, now) => speakerNext(live, now));
  }

  speakerReorder(a: MeetingAccess, userIds: readonly string[]): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.changeLive(a.meeting.id, (live) => reorderSpeakers(live, userIds));
  }

  /** Lowers someone's hand or ends their turn (facilitator). */
  speakerLower(a: MeetingAccess, userId: string): Promise<StoredMeeting> {
    this.requireFacilitator(a);
    return this.changeLive(a.meeting.id, (live) => lowerHand(live, userId));
  }

  /** The caller's temperature-check reaction (null clears it). Counted live, never a ballot. */
  async react(a: MeetingAccess, reaction: Reaction | null): Promise<void> {
    this.requireCan(a, 'meeting.speak');
    const s = await this.require(a.meeting.id);
    if (s.meeting.status === 'closed') throw meetingClosed();
    await this.repo.setReaction(a.meeting.id, a.user.id, reaction);
    this.notify(a.meeting.id, 'presence');
  }

  async propose(a: MeetingAccess, text: string): Promise<{ motionId: string }> {
    this.requireCan(a, 'motion.propose');
    const id = newId();
    await this.changeLive(a.meeting.id, (live, _m, now) =>
      proposeMotion(live, { id, text, proposerId: a.user.id, proposerName: a.user.displayName }, now),
    );
    return { motionId: id };
  }

  second(a: MeetingAccess, motionId: string): Promise<StoredMeeting> {
    this.requireCan(a, 'motion.propose');
    return this.changeLive(a.meeting.id, (live, _m, now) =>
      secondMotion(live, motionId, { userId: a.user.id, name: a.user.displayName }, now),
    );
  }

  /** Withdraws a motion: its proposer or the facilitator. */
  withdraw(a: MeetingAccess, motionId: string): Promise<StoredMeeting> {
    return this.changeLive(a.meeting.id, (live) => {
      const m = live.motions.find((x) => x.id === motionId);
      if (m && m.proposerId !== a.user.id) this.requireFacilitator(a);
      return withdrawMotion(live, motionId);
    });
  }

  /**
   * Turns a seconded motion into a ballot through the ballots feature (facilitator). One at a time
   * per motion in this process, so a double click does not make two ballots.
   */
  async toBallot(a: MeetingAccess, motionId: string): Promise<{ ballotId: string }> {
    this.requireFacilitator(a);
    const key = `${a.meeting.id}:${motionId}`;
    if (this.#balloting.has(key)) throw new DomainError('conflict', 'This motion is being turned into a ballot. 正在生成表决。');
    this.#balloting.add(key);
    try {
      const s = await this.require(a.meeting.id);
      if (s.meeting.status === 'closed') throw meetingClosed();
      const motion = motionReadyForBallot(s.live, motionId);
      const { ballotId } = await this.ports.motionToBallot.get()(a.meeting.id, { id: motion.id, text: motion.text }, a.actor);
      await this.change(a.meeting.id, (cur) => ({ live: markBalloted(cur.live, motionId, ballotId) }), { allowClosed: true });
      return { ballotId };
    } finally {
      this.#balloting.delete(key);
    }
  }

  /** Dashboard figures, once per meeting (only the write that closed it gets here). */
  async #countClosed(m: Meeting): Promise<void> {
    const at = m.closedAt ?? this.now();
    const [people, checkIns] = await Promise.all([this.repo.attendeeCount(m.id), this.repo.checkIns(m.id)]);
    await this.stats.addAll(m.communityId, { meetings_held: 1, meeting_participants: people + checkIns.length }, at);
  }

  /** Every facilitator named must be a member of the community. */
  async #checkMembers(cid: string, userIds: readonly string[]): Promise<void> {
    for (const [i, uid] of userIds.entries()) {
      const [user, m] = await Promise.all([this.auth.getUser(uid), this.auth.membership(cid, uid)]);
      if (!user || (!m && !user.isAdmin)) {
        throw new DomainError('validation_failed', `Facilitator ${uid} is not a member of this community. 主持人须为本小区成员。`, {
          issues: [{ path: `facilitatorIds.${i}`, message: 'not a member of this community' }],
        });
      }
    }
  }
}
