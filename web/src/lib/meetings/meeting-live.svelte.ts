/**
 * A meeting as every screen sees it: the state the server broadcasts (`meeting:state`), the
 * ballots with their live results, and casting with an idempotency key that survives a reload or
 * a dropped connection (a retried vote is counted once and returns the same receipt).
 */
import type {
  Ballot,
  BallotResultView,
  Choice,
  EventPayload,
  MeetingBallot,
  MeetingState,
  MeetingYou,
  MyBallotStanding,
} from '@linli/shared';
import { emitWithAck, LiveConnection, type LiveAck, type LiveEvent } from '$lib/realtime/connection.svelte';
import { api, localized } from '$lib/api';

export type { LiveAck, LiveEvent };
/** What a client event sends (shared map); a meeting's or motion's `meetingId` may be left out (emit fills it in). */
export type LivePayload<E extends LiveEvent> = EventPayload<E>;
/**
 * A meeting's ballot on a screen: the join ack's MeetingBallot, except that a ballot just opened
 * (`ballot:opened` carries the Ballot alone) has no result until its first tally.
 */
export type LiveBallot = Ballot & { result?: MeetingBallot['result'] | null };
/** What a tally shows of a result (a consultation's question has no ballot of its own; an election's shows no bars). */
export type TallyResult = Pick<BallotResultView, 'turnout' | 'outcome' | 'hidden'> & { tally?: BallotResultView['tally'] };
/** What TallyBars reads of a ballot: the question, and its result once counted (a consultation's question fits too). */
export type TallyBallot = Pick<Ballot, 'id' | 'status' | 'rule' | 'kind' | 'options' | 'electorate' | 'hideTallyUntilClose'> & {
  result?: TallyResult | null;
};

// A proxy holder votes household by household: each household's key and receipt are kept apart.
const keyStore = (ballotId: string, householdId?: string) =>
  householdId ? `linli:vote:${ballotId}:${householdId}` : `linli:vote:${ballotId}`;

/** What the server rendered the page from (the `meeting:join` ack's shape): seeds the state so hydration shows the same. */
export interface MeetingSeed {
  state: MeetingState;
  ballots: MeetingBallot[];
  you: MeetingYou | null;
  /** The person's own standing on the open ballots (GET /ballots/:id/mine), so the first paint offers no vote they cannot cast. */
  standing?: Record<string, MyBallotStanding>;
}

export class MeetingLive {
  readonly conn = new LiveConnection();
  state = $state<MeetingState | null>(null);
  ballots = $state<LiveBallot[]>([]);
  error = $state('');
  /** The code of the last failed join (`unauthenticated`: this browser is not signed in). */
  errorCode = $state('');
  /** The joining person's own view (from the join ack; broadcasts carry no personal part). */
  you = $state<MeetingYou | null>(null);
  /** Bumped on each tally so live regions can announce at a calm rate. */
  tallyAt = $state(0);
  /** Bumped when a proxy is named on a ballot: a phone asks again whom it votes for. */
  proxyAt = $state(0);
  /**
   * This person's standing per ballot as the server last said it (may vote? voted? receipt and
   * choice), asked after every (re)connect: the one truth a card trusts over what it last saw.
   */
  standing = $state<Record<string, MyBallotStanding>>({});
  /** `ballot:notice` per ballot since this page loaded (an administrator changed a member's households while it is open). */
  notices = $state<Record<string, { kind: string; seq: number; at: number }[]>>({});

  constructor(
    readonly meetingId: string,
    seed?: MeetingSeed | null,
  ) {
    if (seed) {
      this.state = seed.state;
      this.you = seed.you;
      this.ballots = seed.ballots;
      this.standing = seed.standing ?? {};
    }
    const s = this.conn.socket;
    s.on('meeting:state', (p) => (this.state = p.state));
    s.on('ballot:opened', (p) => this.upsert(p.ballot));
    s.on('ballot:tally', (p) => this.setResult(p.ballotId, p.result));
    s.on('ballot:proxy', () => (this.proxyAt = Date.now()));
    s.on('ballot:published', (p) => this.upsert(p.ballot));
    s.on(
      'ballot:notice',
      (p) =>
        (this.notices = { ...this.notices, [p.ballotId]: [...(this.notices[p.ballotId] ?? []), { kind: p.kind, seq: p.seq, at: p.at }] }),
    );
    s.on('ballot:closed', (p) => {
      const b = this.ballots.find((x) => x.id === p.ballotId);
      if (b) b.status = p.ballot?.status ?? 'closed';
      if (p.ballot) this.upsert(p.ballot);
      this.setResult(p.ballotId, p.result);
    });
    this.conn.onEveryConnect(() => void this.join());
  }

  /** (Re)joins the room; the ack carries the whole state, so a reconnect is always exact. */
  async join(): Promise<void> {
    const res = await this.emit('meeting:join', { meetingId: this.meetingId });
    if (!res.ok) {
      this.error = res.error.message;
      this.errorCode = res.error.code;
      return;
    }
    this.error = '';
    this.errorCode = '';
    this.state = res.state;
    this.you = res.you ?? null;
    for (const b of res.ballots ?? []) this.upsert(b);
    await this.settle();
  }

  /**
   * After a (re)connect: asks the server where this person stands on each ballot they may have
   * voted in (the open ones, and one with a vote of this phone whose answer never came), so a
   * vote counted while the phone heard nothing shows its receipt; only a vote the server does
   * not have is sent again (same key: counted once).
   */
  private async settle(): Promise<void> {
    if (this.you?.kind === 'guest') return;
    const ask = this.ballots.filter(
      (b) => b.status === 'open' || (b.status !== 'draft' && this.record(b.id) && !this.record(b.id)?.receipt),
    );
    await Promise.all(ask.map((b) => this.refreshStanding(b.id)));
    await this.retryPending();
  }

  /** GET /ballots/:id/mine (with this phone's key, which opens a secret ballot's receipt). */
  async refreshStanding(ballotId: string): Promise<MyBallotStanding | null> {
    const rec = this.record(ballotId);
    const q = rec?.key ? `?key=${encodeURIComponent(rec.key)}` : '';
    const res = await api<{ you?: MyBallotStanding }>('GET', `/ballots/${encodeURIComponent(ballotId)}/mine${q}`).catch(() => null);
    if (!res?.you) return null;
    this.standing[ballotId] = res.you;
    if (res.you.receipt && rec && !rec.receipt)
      localStorage.setItem(keyStore(ballotId), JSON.stringify({ ...rec, receipt: res.you.receipt }));
    return res.you;
  }

  /** Sends a client event and resolves with its ack (never rejects: a timeout is an error ack, messages in the reader's language). */
  async emit<E extends LiveEvent>(event: E, payload: LivePayload<E>, timeoutMs = 10_000): Promise<LiveAck<E>> {
    // Meeting and motion events name their meeting (one socket may be in several rooms).
    const named = /^(meeting|motion):/.test(event) && event !== 'meeting:join';
    const res = await emitWithAck(this.conn.socket, event, named ? { meetingId: this.meetingId, ...payload } : payload, timeoutMs);
    return res.ok ? res : { ok: false, error: { ...res.error, message: localized(res.error.message) } };
  }

  /** The ballots open now, newest first. */
  get open(): LiveBallot[] {
    return this.ballots.filter((b) => b.status === 'open');
  }

  /** What this phone has done on a ballot: the stored receipt, or a pending cast. */
  record(ballotId: string, householdId?: string): { key: string; choice: Choice | null; receipt?: string } | null {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(keyStore(ballotId, householdId));
    return raw ? JSON.parse(raw) : null;
  }

  /** Keeps a receipt given without the socket (a vote sent by the server-rendered form). */
  remember(ballotId: string, rec: { key: string; choice: Choice | null; receipt: string }): void {
    if (typeof localStorage !== 'undefined' && !this.record(ballotId)?.receipt)
      localStorage.setItem(keyStore(ballotId), JSON.stringify(rec));
  }

  /**
   * Casts a vote; the key is stored first so a retry after any failure reuses it. `formKey` is the
   * key the server-rendered confirmation carried (a vote begun before the scripts arrived).
   * `householdId`: the one household this vote is for (an owner's own, or one held as proxy).
   */
  async cast(
    ballotId: string,
    choice: Choice | null,
    formKey?: string,
    householdId?: string,
    reason?: string,
  ): Promise<{ receipt: string } | { error: { code: string; message: string } }> {
    const prev = this.record(ballotId, householdId);
    const key =
      prev && !prev.receipt && JSON.stringify(prev.choice) === JSON.stringify(choice) ? prev.key : (formKey ?? crypto.randomUUID());
    localStorage.setItem(keyStore(ballotId, householdId), JSON.stringify({ key, choice }));
    const res = await this.emit('ballot:cast', {
      ballotId,
      choice,
      idempotencyKey: key,
      ...(householdId ? { householdId } : {}),
      ...(reason ? { reason } : {}),
    });
    if (!res.ok) return { error: res.error };
    const { receipt } = res;
    localStorage.setItem(keyStore(ballotId, householdId), JSON.stringify({ key, choice, receipt }));
    if (!householdId)
      this.standing[ballotId] = { ...this.standing[ballotId], eligible: true, voted: true, receipt, choice: choice ?? undefined };
    return { receipt };
  }

  /** After a reconnect, sends again any vote whose ack never came and the server does not have (same key: counted once). */
  private async retryPending(): Promise<void> {
    for (const b of this.open) {
      const rec = this.record(b.id);
      if (rec && !rec.receipt && !this.standing[b.id]?.voted) await this.cast(b.id, rec.choice);
    }
  }

  /**
   * Takes the ballot's own fields (status, settings such as `hideTallyUntilClose`) as sent. A draft's
   * count was made over no electorate: once it opens, that count is dropped until the live one arrives.
   */
  private upsert(b: LiveBallot): void {
    const i = this.ballots.findIndex((x) => x.id === b.id);
    if (i < 0) {
      this.ballots.unshift(b);
      return;
    }
    const prev = this.ballots[i]!;
    const next = { ...prev, ...b };
    if (prev.status === 'draft' && b.status !== 'draft' && !('result' in b)) next.result = null;
    this.ballots[i] = next;
  }

  private setResult(ballotId: string, result: BallotResultView | undefined): void {
    const b = this.ballots.find((x) => x.id === ballotId);
    if (b && result) {
      b.result = result;
      this.tallyAt = Date.now();
    }
  }

  destroy(): void {
    this.conn.close();
  }
}
