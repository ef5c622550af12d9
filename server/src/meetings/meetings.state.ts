/**
 * Who is here and what everyone sees: joining by code, presence of connections and check-ins,
 * attendance figures by role and building, the Art. 278 quorum over the roster, and the state
 * snapshot broadcast as `meeting:state` (cached per version for a burst of joins).
 */
import {
  checkInLimitedToBuildings,
  DomainError,
  formatAddress,
  meetingQuorum,
  queuePosition,
  type Attendance,
  type Attendee,
  type Meeting,
  type MeetingState,
  type MeetingYou,
  type Reaction,
  type ReactionCounts,
  type Role,
} from '@linli/shared';
import type { Session, StoredUser } from '../auth/auth.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { HouseholdRecord, RosterService } from '../roster/roster.service.ts';
import { newId } from '../common/ids.ts';
import { refuseStaffLookalike } from '../members/members.names.ts';
import type { CheckIn } from './meetings.repository.ts';
import type { MeetingAccess, MeetingsService } from './meetings.service.ts';

/** Roster reads are cached this long per community (quorum figures on every broadcast). */
const ROSTER_TTL_MS = 5_000;
/** A snapshot of the same version is reused this long (a burst of joins reads it once). */
const SNAPSHOT_TTL_MS = 200;

/** Heartbeat of this process: connections of a process silent this long stop counting. */
const HEARTBEAT_TTL_S = 30;
const HEARTBEAT_EVERY_MS = 10_000;
/** Attendee records kept in memory (they are written once, first sight): meetings, and people per meeting. */
const ATTENDEE_CACHE_MEETINGS = 50;
const ATTENDEE_CACHE_PEOPLE = 20_000;

interface RosterCache {
  at: number;
  households: HouseholdRecord[];
  byId: Map<string, HouseholdRecord>;
}

export class MeetingsState {
  readonly #roster = new Map<string, Promise<RosterCache>>();
  readonly #snapshots = new Map<string, { version: number; at: number; state: Promise<MeetingState> }>();
  /** Attendee records by meeting and user id: a broadcast reads from Redis only the people it has not seen. */
  readonly #attendees = new Map<string, Map<string, Attendee>>();
  /** This process, in presence keys: if it dies, its connections are dropped when its heartbeat expires. */
  readonly procId = newId();
  #beat: NodeJS.Timeout | null = null;

  constructor(
    private readonly meetings: MeetingsService,
    private readonly auth: AuthService,
    private readonly rosterService: RosterService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts this process's heartbeat (presence of its connections counts while it beats). */
  async start(): Promise<void> {
    const beat = () => this.repo.heartbeat(this.procId, HEARTBEAT_TTL_S).catch(() => {});
    await beat();
    this.#beat = setInterval(beat, HEARTBEAT_EVERY_MS);
    this.#beat.unref();
  }

  async stop(): Promise<void> {
    if (this.#beat) clearInterval(this.#beat);
    this.#beat = null;
    await this.repo.dropHeartbeat(this.procId).catch(() => {});
  }

  /** Presence of live processes only (connections of a crashed process are pruned). */
  async #presentUsers(mid: string): Promise<Set<string>> {
    const presence = await this.repo.presence(mid);
    const keys = Object.keys(presence);
    const procs = [...new Set(keys.map((k) => k.slice(0, k.indexOf(':'))))].filter((p) => p !== this.procId);
    const alive = await this.repo.aliveProcesses(procs);
    alive.add(this.procId);
    const dead = keys.filter((k) => !alive.has(k.slice(0, k.indexOf(':'))));
    if (dead.length) await this.repo.prunePresence(mid, dead);
    return new Set(
      keys
        .filter((k) => !dead.includes(k))
        .map((k) => presence[k]!)
        .filter(Boolean),
    );
  }

  get repo() {
    return this.meetings.repo;
  }

  async #rosterOf(cid: string): Promise<RosterCache> {
    const cached = this.#roster.get(cid);
    if (cached) {
      const c = await cached.catch(() => null);
      if (c && this.now() - c.at < ROSTER_TTL_MS) return c;
    }
    const p = this.rosterService
      .listHouseholds(cid)
      .then((households) => ({ at: this.now(), households, byId: new Map(households.map((h) => [h.id, h])) }));
    this.#roster.set(cid, p);
    p.catch(() => this.#roster.delete(cid));
    return p;
  }

  /**
   * Joins by the code read aloud. A member of the meeting's community (or an admin) keeps their
   * session; a guest of this meeting resumes; anyone else becomes a guest bound to the meeting.
   */
  async joinByCode(
    code: string,
    current: { user: StoredUser; session: Session } | null,
    displayName: string | undefined,
  ): Promise<{ meeting: Meeting; user: StoredUser; session: Session | null; guest: boolean }> {
    const mid = await this.repo.meetingIdByCode(code);
    const meeting = mid ? await this.meetings.get(mid) : null;
    if (!meeting || meeting.status === 'closed')
      throw new DomainError('not_found', 'No meeting has this code: check the digits. 会议码不正确，请核对。');
    if (current) {
      try {
        const a = await this.meetings.accessTo(current.user, current.session, meeting);
        return { meeting, user: current.user, session: null, guest: a.guest };
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'not_found')) throw err;
      }
    }
    // A guest's chosen name must not pass for a staff member's of this community.
    if (displayName) await refuseStaffLookalike(this.auth, [meeting.communityId], displayName);
    const user = await this.auth.createPerson(displayName ?? '访客', 'guest');
    const session = await this.auth.startSession(user.id, { meetingId: meeting.id });
    return { meeting, user, session, guest: true };
  }

  /** Records a connection as present (and the person as an attendee). Closed meetings keep their record. */
  async addPresence(a: MeetingAccess, socketId: string): Promise<void> {
    const connKey = `${this.procId}:${socketId}`;
    if (a.meeting.status === 'closed') return;
    const roster = await this.#rosterOf(a.meeting.communityId);
    const m = a.guest ? null : await this.auth.membership(a.meeting.communityId, a.user.id);
    const householdIds = m?.householdIds ?? [];
    const buildings = [...new Set([...householdIds.map((h) => roster.byId.get(h)?.building).filter((b): b is string => !!b)])];
    const attendee: Attendee = {
      userId: a.user.id,
      name: a.user.displayName,
      kind: a.guest ? 'guest' : a.user.kind,
      roles: [...a.actor.roles] as Role[],
      householdIds,
      buildings,
      firstSeenAt: this.now(),
      present: true,
    };
    await this.repo.addPresence(a.meeting.id, connKey, attendee);
    this.meetings.notify(a.meeting.id, 'presence');
  }

  async removePresence(meetingId: string, socketId: string): Promise<void> {
    if (await this.repo.removePresence(meetingId, `${this.procId}:${socketId}`)) this.meetings.notify(meetingId, 'presence');
  }

  /** Households matching a room search, for check-in (building leaders see their buildings only). */
  async searchHouseholds(a: MeetingAccess, q: string | undefined) {
    this.meetings.requireCan(a, 'meeting.check_in');
    const leaderOnly = checkInLimitedToBuildings(a.actor, a.facilitator);
    const found = await this.rosterService.search(a.meeting.communityId, { q, ...(leaderOnly ? { buildings: a.actor.buildings } : {}) });
    const checked = new Set((await this.repo.checkIns(a.meeting.id)).map((c) => c.householdId));
    return found.slice(0, 50).map((h) => ({
      id: h.id,
      building: h.building,
      unit: h.unit,
      room: h.room,
      address: formatAddress(h),
      owner: h.owner,
      areaCentiares: h.areaCentiares,
      checkedIn: checked.has(h.id),
    }));
  }

  /** Checks in a household whose owner is in the hall without a phone. Idempotent. */
  async checkIn(a: MeetingAccess, householdId: string): Promise<{ checkIn: CheckIn; created: boolean }> {
    const h = await this.rosterService.getHousehold(a.meeting.communityId, householdId);
    if (!h) throw new DomainError('not_found', 'No such household. 该户不存在。');
    this.meetings.requireCan(a, 'meeting.check_in', h.building);
    const current = await this.meetings.require(a.meeting.id);
    if (current.meeting.status === 'closed')
      throw new DomainError('meeting_closed', 'This meeting is closed; nothing can be changed. 会议已结束，不能再修改。');
    const c: CheckIn = { householdId, by: a.user.id, byName: a.user.displayName, at: this.now() };
    const created = await this.repo.addCheckIn(a.meeting.id, c);
    if (created) this.meetings.notify(a.meeting.id, 'presence');
    const stored = created ? c : ((await this.repo.checkIns(a.meeting.id)).find((x) => x.householdId === householdId) ?? c);
    return { checkIn: stored, created };
  }

  async undoCheckIn(a: MeetingAccess, householdId: string): Promise<{ removed: boolean }> {
    const h = await this.rosterService.getHousehold(a.meeting.communityId, householdId);
    if (!h) throw new DomainError('not_found', 'No such household. 该户不存在。');
    this.meetings.requireCan(a, 'meeting.check_in', h.building);
    const current = await this.meetings.require(a.meeting.id);
    if (current.meeting.status === 'closed')
      throw new DomainError('meeting_closed', 'This meeting is closed; nothing can be changed. 会议已结束，不能再修改。');
    const removed = await this.repo.removeCheckIn(a.meeting.id, householdId);
    if (removed) this.meetings.notify(a.meeting.id, 'presence');
    return { removed };
  }

  /** Everyone who attended (present now or earlier), and check-ins; for facilitators and check-in staff. */
  async attendeeList(a: MeetingAccess): Promise<Attendee[]> {
    this.meetings.requireCan(a, 'meeting.check_in');
    const mid = a.meeting.id;
    const [people, here, checkIns, roster] = await Promise.all([
      this.repo.attendees(mid),
      this.#presentUsers(mid),
      this.repo.checkIns(mid),
      this.#rosterOf(a.meeting.communityId),
    ]);
    const list: Attendee[] = people.map((p) => ({ ...p, present: p.userId ? here.has(p.userId) : false }));
    for (const c of checkIns) {
      const h = roster.byId.get(c.householdId);
      list.push({
        userId: null,
        name: h ? `${formatAddress(h)} ${h.owner}` : c.householdId,
        kind: 'checked_in',
        roles: ['owner'],
        householdIds: [c.householdId],
        buildings: h ? [h.building] : [],
        firstSeenAt: c.at,
        present: true,
        checkedInBy: c.byName,
      });
    }
    return list.sort((x, y) => x.firstSeenAt - y.firstSeenAt);
  }

  /** The state every screen renders. Snapshots of one version are shared for a moment. */
  async snapshot(meetingId: string, opts: { fresh?: boolean } = {}): Promise<MeetingState> {
    const version = await this.repo.version(meetingId);
    if (version === null) throw new DomainError('not_found', 'No such meeting. 会议不存在。');
    const hit = this.#snapshots.get(meetingId);
    if (!opts.fresh && hit && hit.version === version && this.now() - hit.at < SNAPSHOT_TTL_MS) return hit.state;
    const state = this.#build(meetingId);
    this.#snapshots.set(meetingId, { version, at: this.now(), state });
    state.catch(() => this.#snapshots.delete(meetingId));
    return state;
  }

  /** Forgets cached snapshots of a meeting (after presence changed, before a broadcast). */
  invalidate(meetingId: string): void {
    this.#snapshots.delete(meetingId);
  }

  async #build(meetingId: string): Promise<MeetingState> {
    const s = await this.meetings.require(meetingId);
    const mid = s.meeting.id;
    const [present, checkIns, reactions, attendedPeople, roster] = await Promise.all([
      this.#presentUsers(mid),
      this.repo.checkIns(mid),
      this.repo.reactions(mid),
      this.repo.attendeeCount(mid),
      this.#rosterOf(s.meeting.communityId),
    ]);
    const people = await this.#attendeesOf(mid, present);
    const { attendance, presentHouseholds } = tallyAttendance(people, checkIns, roster.byId, attendedPeople + checkIns.length);
    return {
      meeting: s.meeting,
      agenda: s.live.agenda,
      currentItemId: s.live.currentItemId,
      speaker: s.live.speaker,
      speakers: s.live.speakers,
      attendance,
      quorum: meetingQuorum(roster.households, presentHouseholds),
      motions: s.live.motions,
      reactions: countReactions(reactions),
      version: s.version,
      serverTime: this.now(),
    };
  }

  /**
   * The attendee records of `userIds`. They never change once written (HSETNX on first sight), so
   * each is read from Redis once per process and kept (bounded).
   */
  async #attendeesOf(mid: string, userIds: ReadonlySet<string>): Promise<Attendee[]> {
    let known = this.#attendees.get(mid);
    if (!known || known.size > ATTENDEE_CACHE_PEOPLE) {
      if (this.#attendees.size >= ATTENDEE_CACHE_MEETINGS) this.#attendees.delete(this.#attendees.keys().next().value!);
      this.#attendees.set(mid, (known = new Map()));
    }
    const missing = [...userIds].filter((id) => !known.has(id));
    if (missing.length) for (const a of await this.repo.attendees(mid, missing)) if (a.userId) known.set(a.userId, a);
    return [...userIds].flatMap((id) => known.get(id) ?? []);
  }

  /** The joining person's own part of the state. */
  async you(a: MeetingAccess, state: MeetingState): Promise<MeetingYou> {
    const reaction = (await this.repo.reactionOf(a.meeting.id, a.user.id)) as Reaction | null;
    const live = {
      agenda: state.agenda,
      currentItemId: state.currentItemId,
      speaker: state.speaker,
      speakers: state.speakers,
      motions: state.motions,
    };
    const pos = queuePosition(live, a.user.id);
    const own = a.guest ? null : await this.auth.membership(a.meeting.communityId, a.user.id);
    const roster = own?.householdIds.length ? await this.#rosterOf(a.meeting.communityId) : null;
    const homeBuildings = [...new Set((own?.householdIds ?? []).map((h) => roster?.byId.get(h)?.building).filter((b): b is string => !!b))];
    return {
      userId: a.user.id,
      name: a.user.displayName,
      kind: a.guest ? 'guest' : a.user.kind,
      roles: [...a.actor.roles] as Role[],
      facilitator: a.facilitator,
      handRaised: pos !== null,
      queuePosition: pos,
      reaction,
      homeBuildings,
    };
  }
}

/** Building names in Chinese order, numbers by value (made once: a collator is costly to build). */
const collator = new Intl.Collator('zh-CN', { numeric: true });

/** Reaction hash values → counts (unknown values ignored). */
export function countReactions(raw: Record<string, string>): ReactionCounts {
  const out: ReactionCounts = { agree: 0, unsure: 0, disagree: 0 };
  for (const v of Object.values(raw)) if (v === 'agree' || v === 'unsure' || v === 'disagree') out[v]++;
  return out;
}

/**
 * Attendance figures from the people connected now and the households checked in. Only owners'
 * households (role `owner`) and check-ins count towards the quorum: tenants take part but are not
 * the Art. 278 electorate.
 */
export function tallyAttendance(
  people: readonly Attendee[],
  checkIns: readonly CheckIn[],
  roster: ReadonlyMap<string, HouseholdRecord>,
  attendedTotal: number,
): { attendance: Attendance; presentHouseholds: string[] } {
  const byRole: Record<string, number> = {};
  const buildings = new Map<string, { people: number; households: Set<string> }>();
  const households = new Set<string>();
  const ownerHouseholds = new Set<string>();
  const at = (b: string) => {
    let e = buildings.get(b);
    if (!e) buildings.set(b, (e = { people: 0, households: new Set() }));
    return e;
  };
  let members = 0;
  let guests = 0;
  for (const p of people) {
    if (p.kind === 'guest') guests++;
    else members++;
    for (const r of p.roles) byRole[r] = (byRole[r] ?? 0) + 1;
    const isOwner = p.roles.includes('owner');
    const seenBuildings = new Set<string>();
    for (const hid of p.householdIds) {
      const h = roster.get(hid);
      if (!h) continue;
      households.add(hid);
      if (isOwner) ownerHouseholds.add(hid);
      at(h.building).households.add(hid);
      seenBuildings.add(h.building);
    }
    for (const b of seenBuildings) at(b).people++;
  }
  let checkedIn = 0;
  for (const c of checkIns) {
    const h = roster.get(c.householdId);
    if (!h) continue;
    checkedIn++;
    households.add(h.id);
    ownerHouseholds.add(h.id);
    const e = at(h.building);
    e.people++;
    e.households.add(h.id);
  }
  return {
    attendance: {
      present: members + guests + checkedIn,
      members,
      guests,
      checkedIn,
      households: households.size,
      byRole,
      byBuilding: [...buildings.entries()]
        .sort(([a], [b]) => collator.compare(a, b))
        .map(([building, e]) => ({ building, people: e.people, households: e.households.size })),
      attendedTotal,
    },
    presentHouseholds: [...ownerHouseholds],
  };
}
