/**
 * Ballots: creating one in a meeting, its life cycle (open with the electorate frozen, close with
 * the final count, publish with an objection period), results, and the hooks the meetings feature
 * calls. Casting lives in ballots.cast.ts, the record and voter lists in ballots.views.ts. Never
 * sees sockets: listeners hear `opened` / `voted` / `closed` / `published` and the transport
 * broadcasts.
 */
import {
  BallotCreate,
  BallotSpec,
  DomainError,
  countBallot,
  parseOrThrow,
  tallyRecorded,
  advisoryTally,
  type Actor,
  type AdvisoryTally,
  type Ballot,
  type BallotResult,
  type BallotNoticeEvent,
  type BallotResultView,
  type ChainHead,
  type Choice,
  type ElectorateSnapshot,
  type ElectorateVoter,
  type RecordedVotes,
  type SealedBallot,
} from '@linli/shared';
import type { Session, StoredUser } from '../auth/auth.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { newId } from '../common/ids.ts';
import type { ConsensusService } from '../consensus/consensus.service.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { MeetingAccess, MeetingsService } from '../meetings/meetings.service.ts';
import type { RosterService } from '../roster/roster.service.ts';
import type { BallotsRepository } from './ballots.repository.ts';
import { auditBody, checkSecrecy, headOf, sealedBallots, sha256hex, specOf } from './ballots.rules.ts';

/** What the transport hears. */
export type BallotEvent =
  | { type: 'opened'; ballot: Ballot }
  | { type: 'voted'; ballot: Ballot }
  | { type: 'closed'; ballot: Ballot; result: BallotResultView }
  | { type: 'published'; ballot: Ballot }
  | { type: 'proxy'; ballot: Ballot }
  | { type: 'notice'; ballot: Ballot; notice: BallotNoticeEvent };

const notFound = () => new DomainError('not_found', 'No such ballot. 表决不存在。');

/** Stored result: the count and, beside it, whether the clause changed while open. */
interface StoredResult {
  result: BallotResult;
  clauseChanged?: boolean;
  advisory?: AdvisoryTally;
}

export class BallotsService {
  readonly #listeners = new Set<(e: BallotEvent) => void>();
  /**
   * Live results per ballot, keyed by the audit chain's head: every accepted vote (in any process)
   * moves the head, so one GET tells whether the cached count is still the count of what Redis holds.
   */
  readonly #live = new Map<string, { head: string | null; view: Promise<BallotResultView> }>();

  constructor(
    readonly repo: BallotsRepository,
    readonly deps: {
      meetings: MeetingsService;
      auth: AuthService;
      roster: RosterService;
      stats: StatsRepository;
      consensus: ConsensusService;
    },
    readonly now: () => number = Date.now,
  ) {}

  onEvent(fn: (e: BallotEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
  emit(e: BallotEvent): void {
    for (const fn of this.#listeners) fn(e);
  }

  // ---- reading

  async get(id: string): Promise<Ballot | null> {
    const row = await this.repo.getMeta(id);
    return row ? { ...(JSON.parse(row.meta) as Ballot), status: row.status as Ballot['status'] } : null;
  }

  async require(id: string): Promise<Ballot> {
    const b = await this.get(id);
    if (!b) throw notFound();
    return b;
  }

  /** The ballot and who the user is in its meeting (outsiders: not_found, as for meetings). */
  async access(
    user: StoredUser | null | undefined,
    session: Pick<Session, 'meetingId'> | null | undefined,
    id: string,
  ): Promise<{ ballot: Ballot; a: MeetingAccess }> {
    const ballot = await this.require(id);
    if (!user) throw new DomainError('unauthenticated', 'Please sign in or join with the meeting code first. 请先登录或输入会议码。');
    const a = await this.deps.meetings.access(user, session, ballot.meetingId);
    return { ballot, a };
  }

  async listOfMeeting(meetingId: string): Promise<Ballot[]> {
    const ids = await this.repo.idsOfMeeting(meetingId);
    const rows = await this.repo.getMetas(ids);
    return rows.flatMap((r) => (r ? [{ ...(JSON.parse(r.meta) as Ballot), status: r.status as Ballot['status'] }] : []));
  }

  // ---- life cycle

  /** Creates a draft ballot in a meeting (ballot.create). */
  async create(a: MeetingAccess, body: unknown, extra: { motionId?: string } = {}): Promise<Ballot> {
    this.deps.meetings.requireCan(a, 'ballot.create');
    if (a.meeting.status === 'closed') throw new DomainError('meeting_closed', 'This meeting is closed. 会议已结束。');
    const head = parseOrThrow(BallotCreate, body, 'ballot');
    const spec = parseOrThrow(BallotSpec, body, 'ballot');
    checkSecrecy(spec, head.advisory === true);
    if (head.clauseRef) {
      const c = await this.deps.consensus.clause(head.clauseRef.conventionId, head.clauseRef.clauseId);
      if (!c || c.communityId !== a.meeting.communityId) {
        throw new DomainError('validation_failed', 'No such clause in this community. 条款不存在。', {
          issues: [{ path: 'clauseRef', message: 'no such clause' }],
        });
      }
    }
    const ballot: Ballot = {
      ...spec,
      id: newId(),
      meetingId: a.meeting.id,
      communityId: a.meeting.communityId,
      title: head.title,
      ...(head.description ? { description: head.description } : {}),
      status: 'draft',
      ...(head.clauseRef ? { clauseRef: head.clauseRef } : {}),
      ...(extra.motionId ? { motionId: extra.motionId } : {}),
      ...(head.advisory ? { advisory: true } : {}),
      createdAt: this.now(),
      createdBy: a.user.id,
    };
    const t = await this.repo.transition({
      ballotId: ballot.id,
      from: ['none'],
      to: 'draft',
      metaJson: JSON.stringify(ballot),
      auditType: 'created',
      ...auditBody(ballot.id, 'created', {
        spec,
        title: ballot.title,
        meetingId: ballot.meetingId,
        communityId: ballot.communityId,
        clauseRef: ballot.clauseRef ?? null,
        by: a.user.id,
      }),
    });
    if (!t.ok) throw new DomainError('conflict', 'Could not create the ballot; try again. 表决未能创建，请重试。');
    await this.repo.addToMeeting(ballot.meetingId, ballot.id, ballot.createdAt);
    return ballot;
  }

  /** Turns a seconded motion into a draft yes/no/abstain ballot of the members (meetings calls this). */
  async fromMotion(meetingId: string, motion: { id: string; text: string }, actor: Actor): Promise<{ ballotId: string }> {
    const user = await this.deps.auth.getUser(actor.userId);
    const a = await this.deps.meetings.access(user, null, meetingId);
    const title = motion.text.length > 300 ? `${motion.text.slice(0, 297)}…` : motion.text;
    const b = await this.create(
      a,
      { title, kind: 'yes_no_abstain', options: [], rule: 'simple_majority', electorate: { kind: 'members' }, secret: false },
      { motionId: motion.id },
    );
    return { ballotId: b.id };
  }

  /** Opens a draft (ballot.open): freezes the electorate and, for a clause, its text hash. */
  async open(a: MeetingAccess, ballot: Ballot): Promise<Ballot> {
    this.deps.meetings.requireCan(a, 'ballot.open');
    if (a.meeting.status === 'closed') throw new DomainError('meeting_closed', 'This meeting is closed. 会议已结束。');
    if (ballot.status !== 'draft')
      throw new DomainError('conflict', `This ballot is ${ballot.status}; only a draft can be opened. 只能开启草稿状态的表决。`);
    const electorate = await this.snapshot(ballot);
    if (electorate.voters.length === 0) {
      const what =
        ballot.electorate.kind === 'households'
          ? 'no households in the roster (import it first) 名册中没有住户'
          : 'no members with these roles 没有符合条件的成员';
      throw new DomainError('conflict', `Nobody can vote: ${what}. 没有可以投票的人。`);
    }
    let clause: { textHash: string; text: string } | null = null;
    if (ballot.clauseRef) clause = await this.deps.consensus.clause(ballot.clauseRef.conventionId, ballot.clauseRef.clauseId);
    const at = this.now();
    const next: Ballot = {
      ...ballot,
      status: 'open',
      openedAt: at,
      eligibleCount: electorate.voters.length,
      ...(clause ? { clauseHash: clause.textHash, clauseText: clause.text } : {}),
    };
    const spec = specOf(next);
    const t = await this.repo.transition({
      ballotId: ballot.id,
      from: ['draft'],
      to: 'open',
      metaJson: JSON.stringify(next),
      auditType: 'opened',
      ...auditBody(ballot.id, 'opened', {
        spec,
        electorate,
        clause: ballot.clauseRef ? { ...ballot.clauseRef, textHash: clause?.textHash ?? null } : null,
        by: a.user.id,
      }),
      electorateJson: JSON.stringify(electorate),
      eligible: electorate.voters.map((v) => v.voterId),
    });
    if (!t.ok) throw new DomainError('conflict', `This ballot is ${t.status} now. 表决状态已变化。`);
    if (ballot.clauseRef) {
      await this.deps.consensus.bindOpened({
        ...ballot.clauseRef,
        communityId: ballot.communityId,
        ballotId: ballot.id,
        title: ballot.title,
        textHash: clause?.textHash ?? null,
        status: 'voting',
        at,
      });
    }
    this.emit({ type: 'opened', ballot: next });
    return next;
  }

  /**
   * The electorate at this moment: every household of the roster with its area and (pseudonymous)
   * owner, or the members holding one of the roles. Owner keys are renumbered per ballot (o1, o2,
   * …): counting needs only which units share an owner, and the published log must not carry a
   * hash of a name that a dictionary could reverse.
   */
  async snapshot(ballot: Ballot): Promise<ElectorateSnapshot> {
    if (ballot.electorate.kind === 'households') {
      const households = await this.deps.roster.listHouseholds(ballot.communityId);
      const owners = new Map<string, string>();
      const voters: ElectorateVoter[] = households.map((h) => {
        if (!owners.has(h.ownerKey)) owners.set(h.ownerKey, `o${owners.size + 1}`);
        return { voterId: h.id, ownerKey: owners.get(h.ownerKey)!, areaCentiares: h.areaCentiares };
      });
      return { kind: 'households', voters };
    }
    const roles = ballot.electorate.roles;
    const members = await this.deps.auth.membersOf(ballot.communityId);
    const voters = members
      .filter(({ membership }) => membership.roles.length > 0 && (!roles?.length || membership.roles.some((r) => roles.includes(r))))
      .map(({ user, membership }) => ({ voterId: user.id, roles: [...membership.roles] }))
      .sort((x, y) => (x.voterId < y.voterId ? -1 : 1));
    return { kind: 'members', voters };
  }

  /** Closes an open ballot (ballot.open): no vote is accepted after this; the final count follows. */
  async close(a: MeetingAccess, ballot: Ballot): Promise<{ ballot: Ballot; result: BallotResultView }> {
    this.deps.meetings.requireCan(a, 'ballot.open');
    if (ballot.status !== 'open')
      throw new DomainError('conflict', `This ballot is ${ballot.status}; only an open ballot can be closed. 只能结束进行中的表决。`);
    const next: Ballot = { ...ballot, status: 'closed', closedAt: this.now() };
    const t = await this.repo.transition({
      ballotId: ballot.id,
      from: ['open'],
      to: 'closed',
      metaJson: JSON.stringify(next),
      auditType: 'closed',
      ...auditBody(ballot.id, 'closed', { by: a.user.id }),
    });
    if (!t.ok) throw new DomainError('conflict', `This ballot is ${t.status} now. 表决状态已变化。`);
    const stored = await this.finalize(next);
    const head = await this.resultHead(next.id);
    const result = this.view(next, stored.result, { clauseChanged: stored.clauseChanged, advisory: stored.advisory, head });
    this.emit({ type: 'closed', ballot: next, result });
    return { ballot: next, result };
  }

  /**
   * The final count of a closed ballot, stored once with its audit entry. Whoever stores it also
   * records the dashboard figures and the consensus item, so a retry or a second process never
   * counts twice. Also called on reading a closed ballot whose count was interrupted by a crash.
   */
  async finalize(ballot: Ballot): Promise<StoredResult> {
    const existing = await this.repo.result(ballot.id);
    if (existing) return JSON.parse(existing) as StoredResult;
    const { electorate, recorded, sealed } = await this.recorded(ballot);
    const result = tallyRecorded(specOf(ballot), electorate, recorded, true);
    const advisory = ballot.advisory ? advisoryTally(specOf(ballot), electorate, recorded) : undefined;
    let clauseChanged: boolean | undefined;
    let clauseText: string | null = null;
    if (ballot.clauseRef && ballot.clauseHash) {
      const now = await this.deps.consensus.clause(ballot.clauseRef.conventionId, ballot.clauseRef.clauseId);
      clauseText = now?.text ?? null;
      if (now && now.textHash !== ballot.clauseHash) clauseChanged = true;
    }
    const stored: StoredResult = { result, ...(clauseChanged ? { clauseChanged } : {}), ...(advisory ? { advisory } : {}) };
    const won = await this.repo.storeResult({
      ballotId: ballot.id,
      resultJson: JSON.stringify(stored),
      ...auditBody(ballot.id, 'result', { result, clauseChanged: clauseChanged ?? false, ...(sealed ? { ballots: sealed } : {}) }),
    });
    if (!won) {
      const again = await this.repo.result(ballot.id);
      if (again) return JSON.parse(again) as StoredResult;
      throw new DomainError('conflict', 'This ballot is not closed. 表决尚未结束。');
    }
    await this.#recordClosed(ballot, result, clauseChanged === true, clauseText);
    return stored;
  }

  async #recordClosed(ballot: Ballot, result: BallotResult, clauseChanged: boolean, clauseText: string | null): Promise<void> {
    const { stats, consensus } = this.deps;
    const at = ballot.closedAt ?? this.now();
    await stats.addAll(
      ballot.communityId,
      { ballots_closed: 1, ballot_votes: result.turnout.voted, ballot_eligible: result.turnout.eligible },
      at,
    );
    const passed = result.outcome.passed === true;
    if (ballot.clauseRef) {
      await consensus.settle({
        ...ballot.clauseRef,
        communityId: ballot.communityId,
        ballotId: ballot.id,
        title: ballot.title,
        textHash: ballot.clauseHash ?? null,
        status: passed ? 'passed' : 'failed',
        at,
        ...(clauseChanged ? { clauseChanged } : {}),
      });
    }
    if (!passed) return;
    const text = ballot.clauseRef
      ? (ballot.clauseText ?? clauseText ?? ballot.title)
      : [ballot.title, ballot.description].filter(Boolean).join('\n\n');
    const meeting = await this.deps.meetings.get(ballot.meetingId);
    await consensus.record({
      id: newId(),
      communityId: ballot.communityId,
      kind: ballot.kind === 'consent' ? 'consent' : 'ballot',
      title: ballot.title,
      text,
      textHash: ballot.clauseHash ?? sha256hex(text.normalize('NFC').replace(/\s+/g, ' ').trim()),
      ballotId: ballot.id,
      meetingId: ballot.meetingId,
      ...(meeting ? { meetingTitle: meeting.title } : {}),
      ...(ballot.clauseRef ? { conventionId: ballot.clauseRef.conventionId, clauseId: ballot.clauseRef.clauseId } : {}),
      electorate: ballot.electorate.kind,
      voted: result.turnout.voted,
      eligible: result.turnout.eligible,
      rule: ballot.rule,
      at,
      ...(clauseChanged ? { clauseChanged } : {}),
    });
  }

  /** Publishes a closed ballot's result and record (ballot.open); final after `objectionDays`. */
  async publish(a: MeetingAccess, ballot: Ballot, objectionDays: number): Promise<Ballot> {
    this.deps.meetings.requireCan(a, 'ballot.open');
    if (ballot.status !== 'closed')
      throw new DomainError('conflict', `This ballot is ${ballot.status}; only a closed ballot can be published. 只能公示已结束的表决。`);
    await this.finalize(ballot);
    const at = this.now();
    const next: Ballot = {
      ...ballot,
      status: 'published',
      publishedAt: at,
      objectionDays,
      objectionEndsAt: at + objectionDays * 86_400_000,
    };
    const t = await this.repo.transition({
      ballotId: ballot.id,
      from: ['closed'],
      to: 'published',
      metaJson: JSON.stringify(next),
      auditType: 'published',
      ...auditBody(ballot.id, 'published', { objectionDays, objectionEndsAt: next.objectionEndsAt, by: a.user.id }),
    });
    if (!t.ok) throw new DomainError('conflict', `This ballot is ${t.status} now. 表决状态已变化。`);
    this.emit({ type: 'published', ballot: next });
    return next;
  }

  // ---- counting

  /** The frozen electorate and the votes recorded now; a secret ballot's choices also with their receipts, by receipt. */
  async recorded(ballot: Ballot): Promise<{ electorate: ElectorateSnapshot; recorded: RecordedVotes; sealed?: SealedBallot[] }> {
    const [raw, state] = await Promise.all([this.repo.electorate(ballot.id), this.repo.countingState(ballot.id)]);
    const electorate: ElectorateSnapshot = raw ? (JSON.parse(raw) as ElectorateSnapshot) : { kind: ballot.electorate.kind, voters: [] };
    const recorded: RecordedVotes = { byVoter: {}, anonymous: [], advisory: {} };
    for (const [memberId, rec] of Object.entries(state.advisory))
      recorded.advisory[memberId] = JSON.parse(rec) as { choice: Choice; roles: string[] };
    if (ballot.secret) {
      const sealed = sealedBallots(state);
      recorded.anonymous = sealed.map((b) => b.choice);
      return { electorate, recorded, sealed };
    }
    for (const [voterId, rec] of Object.entries(state.votes)) recorded.byVoter[voterId] = (JSON.parse(rec) as { choice: Choice }).choice;
    return { electorate, recorded };
  }

  /** The result as a participant sees it now: live while open (counts hidden if the ballot says so), final after. */
  async result(ballot: Ballot, opts: { fresh?: boolean } = {}): Promise<BallotResultView> {
    if (ballot.status === 'closed' || ballot.status === 'published') {
      const stored = await this.finalize(ballot);
      return this.view(ballot, stored.result, {
        clauseChanged: stored.clauseChanged,
        advisory: stored.advisory,
        head: await this.resultHead(ballot.id),
      });
    }
    // The head is read before the votes: a cached view holds at least every vote up to its head.
    const head = await this.repo.head(ballot.id);
    const hit = this.#live.get(ballot.id);
    let view = !opts.fresh && hit && hit.head === head ? hit.view : null;
    if (!view) {
      view = this.#liveResult(ballot);
      if (this.#live.size > 1000) this.#live.clear();
      this.#live.set(ballot.id, { head, view });
      view.catch(() => this.#live.delete(ballot.id));
    }
    // An edit of the clause moves no audit head: its flag is read fresh on every request.
    if (!(ballot.status === 'open' && ballot.clauseRef && ballot.clauseHash)) return view;
    const [v, c] = await Promise.all([view, this.deps.consensus.clause(ballot.clauseRef.conventionId, ballot.clauseRef.clauseId)]);
    const { clauseChanged: _was, ...rest } = v;
    return c && c.textHash !== ballot.clauseHash ? { ...rest, clauseChanged: true } : rest;
  }

  async #liveResult(ballot: Ballot): Promise<BallotResultView> {
    const { electorate, recorded } = await this.recorded(ballot);
    const result =
      ballot.status === 'draft'
        ? countBallot(specOf(ballot), electorate, [], { closed: false })
        : tallyRecorded(specOf(ballot), electorate, recorded, false);
    const advisory = ballot.advisory && ballot.status !== 'draft' ? advisoryTally(specOf(ballot), electorate, recorded) : undefined;
    return this.view(ballot, result, { advisory });
  }

  /** The audit chain's head at the result entry (published with the result), or null before it. */
  async resultHead(ballotId: string): Promise<ChainHead | null> {
    return headOf(await this.repo.resultHead(ballotId));
  }

  /**
   * Wraps a count for sending; hides the counts of an open ballot that keeps them until close, and of
   * any open secret ballot (a live count read beside the live list of who voted tells who chose what).
   */
  view(
    ballot: Ballot,
    result: BallotResult,
    extra: { clauseChanged?: boolean; advisory?: AdvisoryTally; head?: ChainHead | null } = {},
  ): BallotResultView {
    const hidden = ballot.status === 'open' && (ballot.hideTallyUntilClose === true || ballot.secret);
    const shown: BallotResult = hidden
      ? {
          // No rows at all: the pages show "counts hidden until close" for an empty tally.
          tally: { options: [] },
          turnout: result.turnout,
          outcome: { passed: null, reason: 'hidden_until_close', figures: {} },
        }
      : result;
    return {
      ...shown,
      ballotId: ballot.id,
      status: ballot.status,
      ...(hidden ? { hidden: true } : {}),
      ...(extra.advisory && !hidden ? { advisory: extra.advisory } : {}),
      ...(extra.clauseChanged ? { clauseChanged: true } : {}),
      final: ballot.status === 'published' && ballot.objectionEndsAt !== undefined && this.now() >= ballot.objectionEndsAt,
      ...(ballot.objectionEndsAt !== undefined ? { objectionEndsAt: ballot.objectionEndsAt } : {}),
      ...(extra.head ? { head: extra.head } : {}),
    };
  }

  /** Ballots of a meeting for `meeting:join`: each with its result (live or final). */
  async forMeeting(meetingId: string): Promise<(Ballot & { result: BallotResultView })[]> {
    const ballots = await this.listOfMeeting(meetingId);
    return Promise.all(ballots.map(async (b) => ({ ...b, result: await this.result(b) })));
  }

  /** Outcomes for the minutes. */
  async resultsFor(
    meetingId: string,
  ): Promise<{ ballotId: string; title: string; status: string; rule: string; outcome: unknown; head?: ChainHead }[]> {
    const ballots = (await this.listOfMeeting(meetingId)).filter((b) => b.status === 'closed' || b.status === 'published');
    const row = (b: Ballot, r: BallotResultView) => ({
      ballotId: b.id,
      title: b.title,
      status: b.status,
      rule: b.rule,
      outcome: r.outcome,
      ...(r.head ? { head: r.head } : {}),
    });
    return Promise.all(ballots.map(async (b) => row(b, await this.result(b))));
  }
}
