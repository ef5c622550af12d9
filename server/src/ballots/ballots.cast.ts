/**
 * Casting votes: online (the voter's phone, or a proxy holder's), on paper (entered by a facilitator
 * or building leader), and registering proxies. Every vote goes through the one cast script; this
 * file decides who the vote is for, what the audit entry says, and what to tell the voter when the
 * script refuses. The ack goes back only after Redis has answered.
 */
import { createHash, randomInt } from 'node:crypto';
import {
  DomainError,
  RECEIPT_ALPHABET,
  RECEIPT_LENGTH,
  canonicalJson,
  groupReasons,
  type ReasonGroup,
  choiceSchemaFor,
  formatAddress,
  householdsGivenAfter,
  householdsVotableIn,
  parseOrThrow,
  type Ballot,
  type Choice,
  type PaperVoteRequest,
  type ProxyRequest,
  type VoteChannel,
  type VoteRequest,
} from '@linli/shared';
import type { Session } from '../auth/auth.repository.ts';
import type { MeetingAccess } from '../meetings/meetings.service.ts';
import type { CastVoter } from './ballots.repository.ts';
import type { BallotsService } from './ballots.service.ts';
import { auditBody, specOf } from './ballots.rules.ts';

/** Most households one person may hold as proxy in one ballot (a config constant, not a law). */
export const PROXY_CAP = 3;
const ATTEMPTS = 8;

export function newReceipt(): string {
  let s = '';
  for (let i = 0; i < RECEIPT_LENGTH; i++) s += RECEIPT_ALPHABET[randomInt(RECEIPT_ALPHABET.length)];
  return s;
}

/**
 * The idempotency record keeps no readable link from a person to a receipt (a secret ballot's
 * receipt leads to its choice): the field is a hash of ballot, person and key, the value the
 * receipt XOR a hash of the key. Only someone presenting the key (the voter's phone) opens it.
 */
export function sealReceipt(ballotId: string, userId: string, key: string, receipt: string): { field: string; value: string } {
  const field = createHash('sha256').update(`${ballotId}\n${userId}\n${key}`).digest('hex');
  return { field, value: xor(Buffer.from(receipt, 'utf8'), pad(ballotId, key)).toString('hex') };
}
export function openReceipt(ballotId: string, key: string, value: string): string {
  return xor(Buffer.from(value, 'hex'), pad(ballotId, key)).toString('utf8');
}
const pad = (ballotId: string, key: string) => createHash('sha256').update(`seal\n${ballotId}\n${key}`).digest();
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]!));

const choiceSchemas = new WeakMap<Ballot, ReturnType<typeof choiceSchemaFor>>();

const VIA_WORDS: Record<VoteChannel, string> = { online: 'online 网上投票', proxy: 'by proxy 委托投票', paper: 'on paper 纸质票/现场举手' };
const VIA_BY_SCORE: Record<string, VoteChannel> = { '0': 'online', '1': 'proxy', '2': 'paper' };

interface VoterRecord {
  receipt: string;
  choice: Choice;
  ck: string;
  via: VoteChannel;
  by: string;
}

export interface CastOutcome {
  receipt: string;
  /** The voters this vote counts for (households of an owner or proxy holder; the member). */
  voters: string[];
  /** A retry with the same key: nothing changed. */
  repeated: boolean;
  changed?: boolean;
}

/** How long a process reuses an open ballot's settings for casting (see castAccess). */
const OPEN_BALLOT_TTL_MS = 2_000;

export class BallotsCasting {
  /** Ballots read for casting, a moment each (a storm reads its ballot once, not once per vote). */
  readonly #recent = new Map<string, { at: number; ballot: Promise<Ballot> }>();

  constructor(private readonly ballots: BallotsService) {
    ballots.onEvent((e) => {
      if (e.type === 'opened' || e.type === 'closed' || e.type === 'published') this.#recent.delete(e.ballot.id);
    });
  }

  /**
   * The ballot and the caller's access for a vote over the socket. The ballot's settings come from
   * a copy at most OPEN_BALLOT_TTL_MS old: nothing of an open ballot but its status changes, and
   * the cast script checks the status itself (a refusal drops the copy). Who the caller is in the
   * meeting is read fresh (MeetingsService.accessById).
   */
  async castAccess(
    userId: string | null | undefined,
    session: Pick<Session, 'meetingId'>,
    id: string,
  ): Promise<{ ballot: Ballot; a: MeetingAccess }> {
    const ballot = await this.#recentBallot(id);
    const a = await this.ballots.deps.meetings.accessById(userId, session, ballot.meetingId, ballot.communityId);
    return { ballot, a };
  }

  #recentBallot(id: string): Promise<Ballot> {
    const t = performance.now();
    const hit = this.#recent.get(id);
    if (hit && t - hit.at < OPEN_BALLOT_TTL_MS) return hit.ballot;
    const ballot = this.ballots.require(id);
    const entry = { at: t, ballot };
    if (this.#recent.size >= 1000) this.#recent.delete(this.#recent.keys().next().value!);
    this.#recent.set(id, entry);
    // Only an open ballot is kept beyond the callers already waiting for this read.
    const drop = () => this.#recent.get(id) === entry && this.#recent.delete(id);
    ballot.then((b) => b.status !== 'open' && drop(), drop);
    return ballot;
  }

  /** The caller's own vote (ballot.vote): for a members ballot themself, for a households ballot every household they own or hold as proxy (or the one named). */
  async castOnline(a: MeetingAccess, ballot: Ballot, req: VoteRequest): Promise<CastOutcome> {
    this.ballots.deps.meetings.requireCan(a, 'ballot.vote');
    if (req.reason && ballot.secret) {
      throw new DomainError(
        'bad_request',
        'This ballot is secret: a reason would tell how you voted, so none can be given. 本表决为无记名投票，不能附理由。',
      );
    }
    const choice = this.#choice(ballot, req.choice);
    let voters: { id: string; via: VoteChannel }[];
    let advisory: { id: string; roles: string[] } | null = null;
    if (ballot.electorate.kind === 'members') {
      voters = [{ id: a.user.id, via: 'online' }];
    } else {
      const [membership, proxies] = await Promise.all([
        this.ballots.deps.auth.membership(ballot.communityId, a.user.id),
        this.ballots.repo.proxies(ballot.id),
      ]);
      // Households an administrator gave this member after opening vote by slip, on paper or by proxy.
      const owned = householdsVotableIn(membership, ballot.openedAt);
      const byId = new Map<string, VoteChannel>();
      for (const [hid, holder] of Object.entries(proxies)) if (holder === a.user.id) byId.set(hid, 'proxy');
      for (const hid of owned) byId.set(hid, 'online');
      voters = [...byId].map(([id, via]) => ({ id, via })).filter((v) => !req.householdId || v.id === req.householdId);
      // On an owners' ballot with an advisory tally every member also gives an advisory vote.
      if (ballot.advisory && membership && membership.roles.length > 0) advisory = { id: a.user.id, roles: [...membership.roles].sort() };
      if (voters.length === 0 && !advisory) {
        if (householdsGivenAfter(membership, ballot.openedAt).some((h) => !req.householdId || h === req.householdId)) {
          throw new DomainError(
            'forbidden',
            'These households were given to you after this ballot opened: in this ballot they vote with their own invitation slip, on paper or by proxy. 这些房屋是表决开始后才分配给您的，本次表决请凭该户邀请单、纸质票或委托投票。',
          );
        }
        throw new DomainError(
          'forbidden',
          req.householdId
            ? 'You are neither an owner of this household nor its proxy. 您不是该户业主或受托人。'
            : 'Only owners (or their proxies) vote in this ballot, and no household is registered to you. 本表决按户投票，您名下没有登记的房屋。',
        );
      }
    }
    // The reason follows the vote it came with: a new or changed vote without one clears the old
    // one (written by the cast script with the vote); a retry with the same key may add one.
    const reason = req.reason
      ? JSON.stringify({ choice, ck: canonicalJson(choice), text: req.reason, by: a.user.displayName, at: Date.now() })
      : null;
    const out = await this.#cast(ballot, { choice, key: req.idempotencyKey, by: a.user.id, voters, paper: false, advisory, reason });
    if (out.repeated && reason) await this.ballots.repo.setReason(ballot.id, a.user.id, reason);
    return out;
  }

  /** Reasons given with votes, grouped by choice (open ballots; a secret ballot has none). */
  async reasons(ballot: Ballot): Promise<ReasonGroup[]> {
    if (ballot.secret) return [];
    const rows = (await this.ballots.repo.reasons(ballot.id)).map(
      (j) => JSON.parse(j) as { choice: Choice; ck: string; text: string; by: string; at: number },
    );
    rows.sort((x, y) => x.at - y.at);
    return groupReasons(rows.map((r) => ({ ...r, choiceKey: r.ck }))).map((g) => ({
      choice: g.choice,
      reasons: g.rows.map((r) => ({ text: r.text, by: r.by, at: r.at })),
    }));
  }

  /** A vote cast on paper or by show of hands (vote.enter_paper; building leaders in their buildings). */
  async castPaper(a: MeetingAccess, ballot: Ballot, req: PaperVoteRequest): Promise<CastOutcome> {
    const choice = this.#choice(ballot, req.choice);
    let voterId: string;
    if (ballot.electorate.kind === 'households') {
      if (!req.householdId)
        throw new DomainError('validation_failed', 'This ballot counts households: give householdId. 本表决按户计票。', {
          issues: [{ path: 'householdId', message: 'required' }],
        });
      const h = await this.ballots.deps.roster.getHousehold(ballot.communityId, req.householdId);
      if (!h) throw new DomainError('not_found', 'No such household. 该户不存在。');
      this.ballots.deps.meetings.requireCan(a, 'vote.enter_paper', h.building);
      voterId = h.id;
    } else {
      if (!req.memberId)
        throw new DomainError('validation_failed', 'This ballot counts members: give memberId. 本表决按人计票。', {
          issues: [{ path: 'memberId', message: 'required' }],
        });
      this.ballots.deps.meetings.requireCan(a, 'vote.enter_paper');
      voterId = req.memberId;
    }
    return this.#cast(ballot, { choice, key: req.idempotencyKey, by: a.user.id, voters: [{ id: voterId, via: 'paper' }], paper: true });
  }

  /**
   * Takes back a paper vote entered by mistake (the wrong household, the wrong key): only the
   * person who entered it, only while the ballot is open, only while it still stands. An audited
   * `paper_vote_undone` entry joins the chain and the vote leaves the tally; the voter may vote again.
   */
  async undoPaper(a: MeetingAccess, ballot: Ballot, receipt: string): Promise<{ receipt: string; voters: string[] }> {
    this.ballots.deps.meetings.requireCan(a, 'vote.enter_paper');
    if (ballot.secret)
      throw new DomainError(
        'conflict',
        'A paper vote in a secret ballot cannot be undone: nothing links it to who entered it. 无记名表决的纸质票不能撤销。',
      );
    const raw = await this.ballots.repo.receipt(ballot.id, receipt);
    if (!raw)
      throw new DomainError(
        'not_found',
        'No vote has this receipt (it may have been undone already). 没有这张回执对应的投票（可能已撤销）。',
      );
    const rec = JSON.parse(raw) as { choice: Choice; voters?: string[]; via?: VoteChannel; by?: string };
    const voters = rec.voters ?? [];
    const data = { receipt, voters: voters.map((id) => ({ id })), choice: rec.choice, by: a.user.id };
    const r = await this.ballots.repo.undoPaper({
      ballotId: ballot.id,
      receipt,
      by: a.user.id,
      voters,
      ...auditBody(ballot.id, 'paper_vote_undone', data),
    });
    switch (r[0]) {
      case 'ok':
        this.ballots.emit({ type: 'voted', ballot });
        return { receipt, voters };
      case 'not_open':
        throw new DomainError('ballot_not_open', 'The ballot is closed: its votes can no longer be undone. 表决已结束，不能再撤销。');
      case 'no_receipt':
        throw new DomainError(
          'not_found',
          'No vote has this receipt (it may have been undone already). 没有这张回执对应的投票（可能已撤销）。',
        );
      case 'not_yours':
        throw new DomainError('forbidden', 'Only the person who entered this paper vote may undo it. 只有录入这张纸质票的人可以撤销。');
      case 'stale':
        throw new DomainError(
          'conflict',
          'This vote has been replaced by a later one; it can no longer be undone. 该票已被后来的投票替代，不能撤销。',
        );
      default:
        throw new DomainError('conflict', 'Only a paper vote can be undone here; a vote from a phone stays. 这里只能撤销纸质票。');
    }
  }

  /** Names a proxy for one household (proxy.register): its owner, or a facilitator on written authorisation. */
  async registerProxy(a: MeetingAccess, ballot: Ballot, req: ProxyRequest): Promise<{ householdId: string; proxyUserId: string }> {
    const { auth, roster, meetings } = this.ballots.deps;
    if (ballot.electorate.kind !== 'households')
      throw new DomainError('validation_failed', 'Proxies are for ballots of households. 委托投票仅适用于按户表决。');
    const h = await roster.getHousehold(ballot.communityId, req.householdId);
    if (!h) throw new DomainError('not_found', 'No such household. 该户不存在。');
    const mine = await auth.membership(ballot.communityId, a.user.id);
    // Not a household given after opening: its new holder cannot hand its vote on either.
    const ownsIt = householdsVotableIn(mine, ballot.openedAt).includes(h.id);
    if (!ownsIt) meetings.requireCan(a, 'proxy.register');
    if (!a.facilitator && !ownsIt && !a.actor.isAdmin && !a.actor.roles.some((r) => r === 'owners_committee' || r === 'facilitator')) {
      throw new DomainError(
        'forbidden',
        'Only the owner of this household (or the facilitator) may name its proxy. 只有该户业主或主持人可以登记委托。',
      );
    }
    const [holder, holderMembership] = await Promise.all([
      auth.getUser(req.proxyUserId),
      auth.membership(ballot.communityId, req.proxyUserId),
    ]);
    if (!holder || !holderMembership || holderMembership.roles.length === 0) {
      throw new DomainError('validation_failed', 'The proxy must be a member of this community. 受托人须为本小区成员。', {
        issues: [{ path: 'proxyUserId', message: 'not a member' }],
      });
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const expected = (await this.ballots.repo.proxies(ballot.id))[h.id] ?? '';
      const data = { householdId: h.id, proxyUserId: holder.id, by: a.user.id, replaces: expected || null };
      const r = await this.ballots.repo.registerProxy({
        ballotId: ballot.id,
        householdId: h.id,
        proxyUserId: holder.id,
        cap: PROXY_CAP,
        expected,
        ...auditBody(ballot.id, 'proxy_registered', data),
      });
      switch (r[0]) {
        case 'ok':
          // The holder's phone learns it votes for one more household.
          this.ballots.emit({ type: 'proxy', ballot });
          return { householdId: h.id, proxyUserId: holder.id };
        case 'same':
          return { householdId: h.id, proxyUserId: holder.id };
        case 'stale':
          continue;
        case 'cap':
          throw new DomainError(
            'conflict',
            `${holder.displayName} already holds ${PROXY_CAP} households' proxies, the most one person may hold. 每人最多受托${PROXY_CAP}户。`,
          );
        case 'already_voted':
          throw new DomainError(
            'already_voted',
            `${formatAddress(h)} has already voted ${VIA_WORDS[(JSON.parse(r[1]!) as VoterRecord).via]}; a proxy can no longer vote for it. 该户已投票。`,
          );
        case 'not_eligible':
          throw new DomainError(
            'forbidden',
            `${formatAddress(h)} is not in this ballot's electorate (it joined the roster after opening). 该户不在本次表决名单中。`,
          );
        default:
          throw new DomainError('ballot_not_open', 'Proxies can be named only before the ballot closes. 表决已结束，不能再委托。');
      }
    }
    throw new DomainError('conflict', 'The proxy list is changing fast; try again. 请重试。');
  }

  #choice(ballot: Ballot, raw: unknown): Choice {
    // One schema per ballot object: a storm's votes share the ballot read for casting.
    let schema = choiceSchemas.get(ballot);
    if (!schema) choiceSchemas.set(ballot, (schema = choiceSchemaFor(specOf(ballot))));
    return parseOrThrow(schema, raw, 'choice');
  }

  /**
   * Runs the cast script until it answers for good: a new vote, the same receipt again (same
   * key), a change (allowChange), or a refusal with a message that says how the earlier vote was
   * cast. Voters the script finds already counted are dropped when others remain (an owner of two
   * units whose other unit voted on paper still votes for the rest).
   */
  async #cast(
    ballot: Ballot,
    c: {
      choice: Choice;
      key: string;
      by: string;
      voters: { id: string; via: VoteChannel }[];
      paper: boolean;
      advisory?: { id: string; roles: string[] } | null;
      reason?: string | null;
    },
  ): Promise<CastOutcome> {
    const repo = this.ballots.repo;
    const ck = canonicalJson(c.choice);
    const sealedFor = (receipt: string) => sealReceipt(ballot.id, c.by, c.key, receipt);
    let voters = c.voters;
    let change: Map<string, string> | null = null;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const receipt = newReceipt();
      const seal = sealedFor(receipt);
      const auditType = change ? 'vote_changed' : c.paper && !ballot.secret ? 'paper_vote' : 'vote';
      // A secret ballot's entry says only that one vote was accepted: the log is in arrival order,
      // as is any live list of who voted, so a choice here would link the two. The choices are
      // listed, sorted by receipt, in the result entry after close.
      const data = ballot.secret
        ? {}
        : {
            receipt,
            choice: c.choice,
            voters: voters.map((v) => ({ id: v.id, via: v.via })),
            by: c.by,
            ...(change ? { replaces: [...new Set(change.values())].sort() } : {}),
            ...(c.advisory ? { advisory: c.advisory } : {}),
          };
      const recordFor = (via: VoteChannel) => JSON.stringify({ receipt, choice: c.choice, ck, via, by: c.by } satisfies VoterRecord);
      const castVoters: CastVoter[] = voters.map((v) => ({
        id: v.id,
        via: v.via,
        record: ballot.secret ? '' : recordFor(v.via),
        ...(change ? { expected: change.get(v.id)! } : {}),
      }));
      const receiptRecord = ballot.secret
        ? canonicalJson({ choice: c.choice })
        : canonicalJson({
            choice: c.choice,
            voters: voters.map((v) => v.id),
            via: voters[0]?.via ?? 'online',
            by: c.by,
            ...(c.advisory ? { advisory: true } : {}),
          });
      const r = await repo.cast({
        ballotId: ballot.id,
        secret: ballot.secret,
        idemField: seal.field,
        idemValue: seal.value,
        receipt,
        choiceKey: ck,
        auditType,
        ...auditBody(ballot.id, auditType, data),
        receiptRecord,
        by: c.by,
        mode: change ? 'change' : 'new',
        voters: castVoters,
        ...(c.advisory
          ? {
              advisory: {
                id: c.advisory.id,
                record: JSON.stringify({ choice: c.choice, roles: c.advisory.roles }),
                replace: ballot.allowChange === true,
              },
            }
          : {}),
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
      });
      switch (r.kind) {
        case 'ok':
          this.ballots.emit({ type: 'voted', ballot });
          return { receipt, voters: voters.map((v) => v.id), repeated: false, ...(change ? { changed: true } : {}) };
        case 'dup':
          return { receipt: openReceipt(ballot.id, c.key, r.sealed), voters: voters.map((v) => v.id), repeated: true };
        case 'receipt_taken':
        case 'stale':
          change = null;
          continue;
        case 'advisory_exists':
          throw new DomainError(
            'already_voted',
            'You have already given your advisory vote: it is counted once. 您已投过参考票，每人只计一次。',
          );
        case 'not_open':
          this.#recent.delete(ballot.id);
          throw new DomainError(
            'ballot_not_open',
            r.status === 'draft'
              ? 'This ballot has not been opened yet. 表决尚未开始。'
              : 'This ballot is closed; no more votes are accepted. 表决已结束，不再接受投票。',
          );
        case 'not_eligible':
        case 'not_proxy': {
          if (voters.length > 1) {
            voters = voters.filter((v) => v.id !== r.voterId);
            continue;
          }
          throw new DomainError(
            'forbidden',
            r.kind === 'not_proxy'
              ? 'Your proxy for this household has been withdrawn. 您对该户的委托已撤销。'
              : "You are not in this ballot's electorate (frozen when it opened). 您不在本次表决的投票名单中。",
          );
        }
        case 'exists': {
          const existing = new Map(r.existing.map((x) => [x.voterId, x.current]));
          const fresh = voters.filter((v) => !existing.has(v.id));
          if (fresh.length > 0 && !ballot.allowChange) {
            voters = fresh;
            continue;
          }
          if (ballot.allowChange && !ballot.secret) {
            const records = voters.map((v) => [v, existing.has(v.id) ? (JSON.parse(existing.get(v.id)!) as VoterRecord) : null] as const);
            const changeable = records.every(([v, rec]) => !rec || (rec.via === v.via && (v.via === 'paper' || rec.by === c.by)));
            if (changeable && fresh.length === 0) {
              change = new Map(records.map(([v, rec]) => [v.id, rec!.receipt]));
              continue;
            }
            if (changeable) {
              voters = fresh;
              continue;
            }
          }
          throw await this.#alreadyVoted(ballot, r.existing);
        }
      }
    }
    throw new DomainError('conflict', 'Your vote could not be recorded; try again with the same key. 投票未能记录，请重试。');
  }

  async #alreadyVoted(ballot: Ballot, existing: { voterId: string; current: string }[]): Promise<DomainError> {
    const via = (cur: string): VoteChannel => (ballot.secret ? (VIA_BY_SCORE[cur] ?? 'online') : (JSON.parse(cur) as VoterRecord).via);
    if (ballot.electorate.kind === 'members') {
      const v = via(existing[0]!.current);
      return new DomainError(
        'already_voted',
        `Already voted ${VIA_WORDS[v]}: a vote is counted once and cannot be cast again. 已投票（${VIA_WORDS[v].split(' ').pop()}），每人只计一票。`,
      );
    }
    const parts = await Promise.all(
      existing.map(async (x) => {
        const h = await this.ballots.deps.roster.getHousehold(ballot.communityId, x.voterId);
        return `${h ? formatAddress(h) : x.voterId} ${VIA_WORDS[via(x.current)]}`;
      }),
    );
    return new DomainError(
      'already_voted',
      `Already voted: ${parts.join('; ')}. A household is counted once and cannot vote again. 该户已投票，每户只计一票。`,
    );
  }
}
