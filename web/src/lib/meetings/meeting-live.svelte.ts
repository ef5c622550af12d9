/**
 * A meeting as every screen sees it: the state the server broadcasts (`meeting:state`), the
 * ballots with their live results, and casting with an idempotency key that survives a reload or
 * a dropped connection (a retried vote is counted once and returns the same receipt).
 */
import { LiveConnection } from '$lib/realtime/connection.svelte';

/* Loose views of the server's payloads: the page only reads what it shows. */
export interface LiveBallot {
  id: string;
  title: string;
  status: string;
  kind: string;
  rule: string;
  secret?: boolean;
  options?: { id: string; label: string }[];
  maxPicks?: number;
  clauseText?: string;
  clauseRef?: { conventionId: string; clauseId: string } | null;
  result?: LiveResult | null;
  [k: string]: unknown;
}
export interface LiveResult {
  tally?: { options?: { id: string; label: string; votes: number; areaCentiares?: number; owners?: number }[]; [k: string]: unknown };
  turnout?: { voted: number; eligible: number; owners?: { voted: number; total: number }; areaCentiares?: { voted: number; total: number } };
  outcome?: {
    passed: boolean | null;
    reason?: string;
    needed?: { quorum?: { owners: number; areaCentiares: number }; pass?: { owners: number; areaCentiares: number; votes?: number } };
  };
  [k: string]: unknown;
}
export type MeetingStateView = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

type AckBody = { ok: true; [k: string]: unknown } | { ok: false; error: { code: string; message: string } };

const keyStore = (ballotId: string) => `linli:vote:${ballotId}`;

export class MeetingLive {
  readonly conn = new LiveConnection();
  state = $state<MeetingStateView | null>(null);
  ballots = $state<LiveBallot[]>([]);
  error = $state('');
  /** The joining person's own view (from the join ack; broadcasts carry no personal part). */
  you = $state<{ userId: string; name: string; facilitator?: boolean } | null>(null);
  /** Bumped on each tally so live regions can announce at a calm rate. */
  tallyAt = $state(0);

  constructor(readonly meetingId: string) {
    const s = this.conn.socket as unknown as {
      on(ev: string, fn: (p: any) => void): void; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    s.on('meeting:state', (p) => (this.state = p.state ?? p));
    s.on('ballot:opened', (p) => this.upsert(p.ballot ?? p));
    s.on('ballot:tally', (p) => this.setResult(p.ballotId, p.result));
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
      return;
    }
    this.error = '';
    this.state = res.state as MeetingStateView;
    this.you = (res.you as MeetingLive['you']) ?? null;
    for (const b of (res.ballots as LiveBallot[] | undefined) ?? []) this.upsert(b);
    void this.retryPending();
  }

  emit(event: string, payload: unknown = {}, timeoutMs = 10_000): Promise<AckBody> {
    // Meeting and motion events name their meeting (one socket may be in several rooms).
    if (/^(meeting|motion):/.test(event) && event !== 'meeting:join' && payload && typeof payload === 'object') payload = { meetingId: this.meetingId, ...payload };
    return new Promise((resolve) => {
      (this.conn.socket as unknown as { timeout(ms: number): { emit(e: string, p: unknown, cb: (err: unknown, r: AckBody) => void): void } })
        .timeout(timeoutMs)
        .emit(event, payload, (err, r) => resolve(err ? { ok: false, error: { code: 'timeout', message: '' } } : r));
    });
  }

  /** The ballots open now, newest first. */
  get open(): LiveBallot[] {
    return this.ballots.filter((b) => b.status === 'open');
  }

  /** What this phone has done on a ballot: the stored receipt, or a pending cast. */
  record(ballotId: string): { key: string; choice: unknown; receipt?: string } | null {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(keyStore(ballotId));
    return raw ? JSON.parse(raw) : null;
  }

  /** Casts a vote; the key is stored first so a retry after any failure reuses it. */
  async cast(ballotId: string, choice: unknown): Promise<{ receipt: string } | { error: { code: string; message: string } }> {
    const prev = this.record(ballotId);
    const key = prev && !prev.receipt && JSON.stringify(prev.choice) === JSON.stringify(choice) ? prev.key : crypto.randomUUID();
    localStorage.setItem(keyStore(ballotId), JSON.stringify({ key, choice }));
    const res = await this.emit('ballot:cast', { ballotId, choice, idempotencyKey: key });
    if (!res.ok) return { error: res.error };
    const receipt = String((res.receipt as { code?: string } | string | undefined) && typeof res.receipt === 'object' ? (res.receipt as { code: string }).code : res.receipt);
    localStorage.setItem(keyStore(ballotId), JSON.stringify({ key, choice, receipt }));
    return { receipt };
  }

  /** After a reconnect, sends again any vote whose ack never came (same key: counted once). */
  private async retryPending(): Promise<void> {
    for (const b of this.open) {
      const rec = this.record(b.id);
      if (rec && !rec.receipt) await this.cast(b.id, rec.choice);
    }
  }

  private upsert(b: LiveBallot): void {
    const i = this.ballots.findIndex((x) => x.id === b.id);
    if (i >= 0) this.ballots[i] = { ...this.ballots[i], ...b };
    else this.ballots.unshift(b);
  }

  private setResult(ballotId: string, result: LiveResult | undefined): void {
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
