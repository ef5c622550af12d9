/**
 * Paper entry by double entry (双人录入) of a written consultation's returned ballot papers:
 * one person enters a paper (awaiting_second), a different person enters it again; the same
 * answers count through the core's recordAnswers (channel 'paper'), different answers are held
 * for review (mismatch) and count nothing until a third person resolves them from the paper.
 * A household that already answered by phone or in the hall: the paper is 'refused', with the
 * channel and time, shown to the person entering it. API.md "Consultations: paper entry".
 *
 * Redis (all in the consultation's slot): `{consultation:C}:entries` paper code → record JSON,
 * `{consultation:C}:entrycounts` {awaiting, mismatch} (the core reads it for progress). Each
 * change is a compare-and-set on the record's version (entry.lua), so two second entries at
 * once count once. Counting uses a key derived from the paper code: a retry after a crash
 * between "agreed" and "counted" (state `counting`) records the same response, never two.
 */
import {
  DomainError,
  can,
  countDelta,
  entryStep,
  formatPaperCode,
  parsePaperCode,
  resolveRefusal,
  toShanghaiIso,
  type Actor,
  type Answers,
  type Consultation,
  type PaperEntryState,
  type PaperEntryView,
  type ResponseAck,
  type ResponseChannel,
} from '@linli/shared';
import { LuaScript } from '../ballots/ballots.repository.ts';
import type { Redis } from '../redis/connection.ts';
import { auditBody } from './consultations.model.ts';
import { consultationKeys } from './consultations.repository.ts';

/** A household of the consultation as the core lists it (householdsOf / householdForPaperCode). */
export interface EntryHousehold {
  householdId: string;
  building: string;
  unit: string;
  room: string;
  floor?: string;
  address: string;
  areaCentiares: number;
  owner: string;
  phone?: string;
  serial: number;
  paperCode: string;
}

/** What paper entry and doors need from the consultations core. */
export interface EntryCore {
  get(consultationId: string): Promise<Consultation | null>;
  /** Throws DomainError 'unknown_paper' for another consultation's code or an unknown serial. */
  householdForPaperCode(consultationId: string, code: string): Promise<EntryHousehold>;
  householdsOf(consultationId: string): Promise<EntryHousehold[]>;
  /** Throws validation_failed for an answer that does not fit its question. */
  validateAnswers(c: Consultation, answers: Record<string, unknown>): Answers;
  recordAnswers(
    consultationId: string,
    householdId: string,
    answers: Answers,
    opts: { channel: ResponseChannel; by: string; idempotencyKey: string },
  ): Promise<ResponseAck>;
  /** Who has answered, by which channel and when. */
  answered(consultationId: string): Promise<Map<string, { channel: ResponseChannel; at: string }>>;
  displayName(userId: string): Promise<string>;
}

type StoredState = PaperEntryState | 'counting';
interface StoredEntry {
  by: string;
  at: string;
  answers: Answers;
  key: string;
}
interface StoredPaper {
  v: number;
  householdId: string;
  state: StoredState;
  entries: StoredEntry[];
  /** The answers that count (agreed by two, or the reviewer's reading). */
  agreed?: Answers;
  countedBy?: string;
  receipt?: string;
  reason?: string;
  resolvedBy?: string;
  note?: string;
}

const keysOf = (cid: string) => {
  const k = consultationKeys(cid);
  return { entries: `{consultation:${cid}}:entries`, counts: k.entryCounts, audit: k.audit, head: k.head };
};

/** What joins the audit chain with a state change (entries are not votes: held, resolved, refused). */
interface EntryAudit {
  type: 'paper_held' | 'paper_resolved' | 'paper_refused';
  data: Record<string, unknown>;
}

const ENTRY = new LuaScript(new URL('./entry.lua', import.meta.url));

const CHANNEL_ZH: Record<ResponseChannel, string> = { phone: '手机', paper: '纸质票', hall: '会场' };

export class PaperEntryService {
  constructor(
    private readonly redis: Redis,
    private readonly core: EntryCore,
  ) {}

  async #cas(
    cid: string,
    code: string,
    expected: number,
    next: StoredPaper,
    before: StoredState | null,
    audit?: EntryAudit,
  ): Promise<boolean> {
    const k = keysOf(cid);
    const d = countDelta(viewState(before), viewState(next.state)!);
    const a = audit ? auditBody(cid, audit.type, { paperCode: formatPaperCode(code), ...audit.data }) : null;
    const args = [
      code,
      String(expected),
      JSON.stringify({ ...next, v: expected + 1 }),
      String(d.awaiting),
      String(d.mismatch),
      cid,
      a?.auditType ?? '',
      a?.dataJson ?? '',
      a?.bodyHash ?? '',
    ];
    const keys = [k.entries, k.counts, k.audit, k.head];
    const r = await ENTRY.run(this.redis, keys, args);
    return r[0] === 'ok';
  }

  async #read(cid: string, code: string): Promise<StoredPaper | null> {
    const raw = await this.redis.hget(keysOf(cid).entries, code);
    return raw ? (JSON.parse(raw) as StoredPaper) : null;
  }

  /** The consultation and the household a typed or scanned code names; 400 for a typo, 404 for another paper. */
  async lookup(c: Consultation, input: string): Promise<{ code: string; household: EntryHousehold }> {
    const parts = parsePaperCode(input);
    if (!parts) {
      throw new DomainError(
        'bad_paper_code',
        'This paper code does not check out — a typo? Compare it with the paper (9 symbols, e.g. K7QM-0A3F-X). 票号校验不符，是否输错？请对照纸质票核对。',
        { status: 400 },
      );
    }
    if (parts.consultationCode !== c.code) {
      throw new DomainError(
        'unknown_paper',
        `This paper belongs to another consultation (${parts.consultationCode}), not this one (${c.code}). 这张票不属于本次表决。`,
        { status: 404 },
      );
    }
    const household = await this.core.householdForPaperCode(c.id, parts.code);
    return { code: parts.code, household };
  }

  /** One person's entry of a paper. Returns the paper's state after it. */
  async enter(
    c: Consultation,
    actor: Actor,
    paperCode: string,
    rawAnswers: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<PaperEntryView> {
    const { code, household } = await this.lookup(c, paperCode);
    requireEntry(actor, c, household);
    const answers = this.core.validateAnswers(c, rawAnswers);
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await this.#read(c.id, code);
      if (stored?.entries.some((e) => e.by === actor.userId && e.key === idempotencyKey))
        return this.#finishAndView(c, code, household, stored);
      if (stored?.state === 'counting') return this.#finishAndView(c, code, household, stored);
      const step = entryStep(
        stored && { state: stored.state as PaperEntryState, entries: stored.entries },
        actor.userId,
        answers,
        c.questions,
      );
      const entry: StoredEntry = { by: actor.userId, at: toShanghaiIso(Date.now()), answers, key: idempotencyKey };
      switch (step.kind) {
        case 'same_person':
          throw new DomainError(
            'same_person',
            'You made the first entry of this paper: the second entry must be made by someone else. 您已录入过这张票，第二次录入须由另一人完成。',
            { status: 409 },
          );
        case 'already_settled':
          return this.view(c, code, household, stored!);
        case 'first': {
          const next: StoredPaper = { v: 0, householdId: household.householdId, state: 'awaiting_second', entries: [entry] };
          if (await this.#cas(c.id, code, 0, next, null)) return this.view(c, code, household, { ...next, v: 1 });
          continue;
        }
        case 'second_different': {
          const next: StoredPaper = { ...stored!, state: 'mismatch', entries: [...stored!.entries, entry] };
          const held: EntryAudit = {
            type: 'paper_held',
            data: { householdId: household.householdId, questions: step.differing, enteredBy: next.entries.map((e) => e.by) },
          };
          if (await this.#cas(c.id, code, stored!.v, next, stored!.state, held))
            return this.view(c, code, household, { ...next, v: stored!.v + 1 });
          continue;
        }
        case 'second_same': {
          const next: StoredPaper = {
            ...stored!,
            state: 'counting',
            entries: [...stored!.entries, entry],
            agreed: answers,
            countedBy: actor.userId,
          };
          if (await this.#cas(c.id, code, stored!.v, next, stored!.state))
            return this.#finishAndView(c, code, household, { ...next, v: stored!.v + 1 });
          continue;
        }
      }
    }
    throw new DomainError('conflict', 'Several people are entering this paper at once; try again. 多人同时录入这张票，请重试。');
  }

  /** A third person's reading of a held paper: it counts (or is refused) as they read it. */
  async resolve(
    c: Consultation,
    actor: Actor,
    paperCode: string,
    rawAnswers: Record<string, unknown>,
    note?: string,
  ): Promise<PaperEntryView> {
    const { code, household } = await this.lookup(c, paperCode);
    if (!can(actor, 'consultation.review_papers', { communityId: c.communityId, building: household.building })) {
      throw new DomainError('forbidden', 'Reviewing held papers needs the consultation.review_papers permission. 无权复核纸质票。');
    }
    const answers = this.core.validateAnswers(c, rawAnswers);
    const stored = await this.#read(c.id, code);
    const why = resolveRefusal(stored && { state: stored.state as PaperEntryState, entries: stored.entries }, actor.userId);
    if (why === 'not_found') throw new DomainError('not_found', 'Nobody has entered this paper yet. 这张票尚未录入。');
    if (why === 'not_mismatch')
      throw new DomainError('conflict', `This paper is not held for review (it is ${stored!.state}). 这张票不在待复核状态。`);
    if (why === 'entered_it')
      throw new DomainError('forbidden', 'You entered this paper: a third person must review it. 您录入过这张票，须由第三人复核。');
    const next: StoredPaper = {
      ...stored!,
      state: 'counting',
      agreed: answers,
      countedBy: actor.userId,
      resolvedBy: actor.userId,
      ...(note ? { note } : {}),
    };
    const resolved: EntryAudit = {
      type: 'paper_resolved',
      data: {
        householdId: household.householdId,
        by: actor.userId,
        enteredBy: stored!.entries.map((e) => e.by),
        ...(note ? { note } : {}),
      },
    };
    if (!(await this.#cas(c.id, code, stored!.v, next, stored!.state, resolved)))
      throw new DomainError('conflict', 'Someone else resolved this paper just now. 他人刚刚复核了这张票。');
    return this.#finishAndView(c, code, household, { ...next, v: stored!.v + 1 });
  }

  /** Counts an agreed paper (state counting) through the core; records counted or refused. Safe to repeat. */
  async #finishAndView(c: Consultation, code: string, household: EntryHousehold, stored: StoredPaper): Promise<PaperEntryView> {
    if (stored.state !== 'counting') return this.view(c, code, household, stored);
    let next: StoredPaper;
    let audit: EntryAudit | undefined;
    try {
      const ack = await this.core.recordAnswers(c.id, stored.householdId, stored.agreed!, {
        channel: 'paper',
        by: stored.countedBy!,
        idempotencyKey: `paper-entry:${code}`,
      });
      next = { ...stored, state: 'counted', receipt: ack.receipt };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const reason = refusalReason(err);
      if (!reason) throw err;
      next = { ...stored, state: 'refused', reason };
      audit = {
        type: 'paper_refused',
        data: { householdId: stored.householdId, code: err.code, reason, enteredBy: stored.entries.map((e) => e.by) },
      };
    }
    // Secret consultations: once settled, nothing here links the household to its answers.
    if (c.secret) next = { ...next, entries: next.entries.map((e) => ({ ...e, answers: {} })), agreed: {} };
    if (await this.#cas(c.id, code, stored.v, next, 'counting', audit)) return this.view(c, code, household, { ...next, v: stored.v + 1 });
    const now = await this.#read(c.id, code);
    return this.view(c, code, household, now ?? next);
  }

  async view(c: Consultation, code: string, household: EntryHousehold, s: StoredPaper): Promise<PaperEntryView> {
    const entries = await Promise.all(
      s.entries.map(async (e) => ({ by: e.by, byName: await this.core.displayName(e.by), at: e.at, answers: e.answers })),
    );
    return {
      paperCode: formatPaperCode(code),
      householdId: household.householdId,
      address: household.address,
      state: viewState(s.state) ?? 'awaiting_second',
      entries,
      ...(s.receipt ? { receipt: s.receipt } : {}),
      ...(s.reason ? { reason: s.reason } : s.state === 'counting' ? { reason: 'Being counted. 正在计入。' } : {}),
    };
  }

  /** Every entered paper of the consultation (optionally one state), for the review list. */
  async list(c: Consultation, actor: Actor, state?: PaperEntryState): Promise<PaperEntryView[]> {
    const raw = await this.redis.hgetall(keysOf(c.id).entries);
    const households = new Map((await this.core.householdsOf(c.id)).map((h) => [h.householdId, h]));
    const out: PaperEntryView[] = [];
    for (const [code, json] of Object.entries(raw)) {
      const s = JSON.parse(json) as StoredPaper;
      const h = households.get(s.householdId);
      if (!h) continue;
      if (
        !can(actor, 'vote.enter_paper', { communityId: c.communityId, building: h.building }) &&
        !can(actor, 'consultation.review_papers', { communityId: c.communityId })
      )
        continue;
      if (state && (viewState(s.state) ?? 'awaiting_second') !== state) continue;
      out.push(await this.view(c, code, h, s));
    }
    return out.sort((a, b) => a.paperCode.localeCompare(b.paperCode));
  }

  /** Papers waiting for a second entry and held for review (the core reads the same hash). */
  async counts(cid: string): Promise<{ awaiting: number; mismatch: number }> {
    const h = await this.redis.hgetall(keysOf(cid).counts);
    return { awaiting: Number(h.awaiting ?? 0), mismatch: Number(h.mismatch ?? 0) };
  }
}

/** The state a paper shows (and counts under): `counting` is a moment between agreed and counted. */
function viewState(s: StoredState | null): PaperEntryState | null {
  if (s === null) return null;
  return s === 'counting' ? 'awaiting_second' : s;
}

/** A refusal the person entering should read, from the core's error; null for errors to pass on. */
function refusalReason(err: DomainError): string | null {
  const details = refusalDetails(err);
  if (err.code === 'already_answered') {
    const ch = details?.channel;
    const at = details?.at ? ` at ${details.at}` : '';
    return `This household already answered by ${ch ?? 'another channel'}${at}; the paper does not count (one household, one vote: the first counts). 该户已通过${ch ? CHANNEL_ZH[ch] : '其他方式'}${details?.at ? `于 ${details.at} ` : ''}表决，本纸质票不计入。`;
  }
  if (err.code === 'closed' || err.code === 'not_open') {
    return 'The consultation is not open: the paper cannot count. 表决不在进行中，本纸质票不计入。';
  }
  if (err.code === 'not_eligible' || err.code === 'forbidden')
    return 'This household is not in the electorate frozen at opening. 该户不在开始时确定的表决名册内。';
  return null;
}

/** The core's {channel, at} of an already_answered refusal (sent in its first issue's message, or as details). */
function refusalDetails(err: DomainError): { channel?: ResponseChannel; at?: string } | undefined {
  const own = (err as DomainError & { details?: { channel?: ResponseChannel; at?: string } }).details;
  if (own) return own;
  try {
    return err.issues?.[0] ? (JSON.parse(err.issues[0].message) as { channel?: ResponseChannel; at?: string }) : undefined;
  } catch {
    return undefined;
  }
}

/** Entering papers: vote.enter_paper, building leaders only for their buildings. */
export function requireEntry(actor: Actor, c: Consultation, h: EntryHousehold): void {
  if (!can(actor, 'vote.enter_paper', { communityId: c.communityId, building: h.building })) {
    throw new DomainError('forbidden', `You may not enter papers of building ${h.building}. 您无权录入 ${h.building} 栋的纸质票。`);
  }
}
