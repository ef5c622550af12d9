/**
 * Written consultations: create (paper serials for the roster), list, read with live progress,
 * the life cycle (open / close by the scheduler exactly once, extend before the deadline, publish),
 * recording a household's answers on any channel (one household, one answer: the first recorded
 * counts), the result per question, and the lookups paper entry, documents and doors build on.
 */
import {
  ConsultationCreate,
  ConsultationPublish,
  DomainError,
  ExtendRequest,
  ResponseRequest,
  answerIssues,
  can,
  computeProgress,
  encodePaperCode,
  householdsVotableIn,
  floorOf,
  parseOrThrow,
  parsePaperCode,
  questionIssues,
  tallyConsultation,
  resultEntryData,
  toShanghaiIso,
  type Action,
  type Actor,
  type ConsultationResult,
  type ConsultationView,
  type ElectorateSnapshot,
  type ConsensusItem,
  type Question,
  type QuestionResult,
  type RecordedResponse,
  type ResponseAck,
  type ResponseChannel,
} from '@linli/shared';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { newId } from '../common/ids.ts';
import type { HouseholdRecord, RosterService } from '../roster/roster.service.ts';
import { approvalsOf, bindQuestions, checkReferences, versionsToAdopt, type ConventionsPort } from './consultations.conventions.ts';
import type { ConsultationsRepository } from './consultations.repository.ts';
import {
  addressOf,
  auditBody,
  byAddress,
  newReceipt,
  randomSymbols,
  sha256hex,
  toView,
  type StoredConsultation,
  type StoredResponse,
} from './consultations.model.ts';

const notFound = () => new DomainError('not_found', 'No such consultation. 征求意见不存在。');

/** One household as documents and doors need it. */
export interface ConsultationHousehold {
  householdId: string;
  building: string;
  unit: string;
  room: string;
  floor: string;
  address: string;
  areaCentiares: number;
  owner: string;
  phone?: string;
  serial: number;
  paperCode: string;
}

export interface Loaded {
  stored: StoredConsultation;
  status: string;
  deadline: number;
}

export type ConsultationEvent = { type: 'changed' | 'answered'; consultationId: string; communityId: string };

export class ConsultationsService {
  #listeners: ((e: ConsultationEvent) => void)[] = [];
  constructor(
    readonly repo: ConsultationsRepository,
    private readonly deps: { auth: AuthService; roster: RosterService },
  ) {}

  #conventions: ConventionsPort | null = null;
  /** Registered by the composition root: convention clauses and adoption. */
  provideConventions(port: ConventionsPort): void {
    this.#conventions = port;
  }

  onEvent(fn: (e: ConsultationEvent) => void): void {
    this.#listeners.push(fn);
  }
  /** Tells the listeners (progress broadcast) that a consultation changed. */
  emit(e: ConsultationEvent): void {
    this.#emit(e);
  }
  #emit(e: ConsultationEvent): void {
    for (const fn of this.#listeners) fn(e);
  }

  async load(id: string): Promise<Loaded> {
    const raw = await this.repo.get(id);
    if (!raw) throw notFound();
    return { stored: JSON.parse(raw.metaJson) as StoredConsultation, status: raw.status, deadline: raw.deadline };
  }

  /** The caller's actor in the consultation's community; outsiders get 404, members without the action 403. */
  async access(user: StoredUser | undefined, id: string, action: Action): Promise<{ c: Loaded; actor: Actor }> {
    if (!user) throw new DomainError('unauthenticated', 'Please sign in first. 请先登录。');
    const c = await this.load(id);
    const actor = await this.deps.auth.actor(user, c.stored.communityId);
    if (!actor.isAdmin && actor.roles.length === 0) throw notFound();
    if (!can(actor, action, { communityId: c.stored.communityId }))
      throw new DomainError('forbidden', `You may not do this (${action}). 您没有此操作的权限。`);
    return { c, actor };
  }

  view(c: Loaded) {
    return toView(c.stored, c.status, c.deadline);
  }

  async create(actor: Actor, cid: string, body: unknown): Promise<Loaded> {
    if (!can(actor, 'consultation.manage', { communityId: cid }))
      throw new DomainError('forbidden', 'You may not organise a consultation here (consultation.manage). 您没有发起征求意见的权限。');
    const input = parseOrThrow(ConsultationCreate, body, 'consultation');
    const issues = input.questions.flatMap((q, i) => questionIssues(q, i));
    if (issues.length)
      throw new DomainError(
        'validation_failed',
        `The questions are not complete: ${issues[0]!.path} ${issues[0]!.message}. 表决事项填写不完整。`,
        { issues },
      );
    const now = Date.now();
    const households = (await this.deps.roster.listHouseholds(cid)).sort(byAddress);
    if (households.length === 0)
      throw new DomainError('conflict', 'The roster is empty: import the households first. 名册中没有住户，请先导入。');
    const questions: Question[] = input.questions.map((q, i) => ({ ...q, id: `q${i + 1}` }));
    await checkReferences(this.#conventions, cid, questions);
    const id = newId();
    for (let attempt = 0; attempt < 20; attempt++) {
      const stored: StoredConsultation = {
        id,
        communityId: cid,
        code: randomSymbols(4),
        title: input.title,
        notice: input.notice,
        organiser: input.organiser,
        secret: input.secret ?? false,
        questions,
        attachments: input.attachments ?? [],
        opensAtMs: input.opensAt,
        closesAtMs: input.closesAt,
        createdAtMs: now,
        createdBy: actor.userId,
        extensions: [],
      };
      const metaJson = JSON.stringify(stored);
      if (
        !(await this.repo.create(
          id,
          cid,
          stored.code,
          metaJson,
          input.closesAt,
          now,
          households.map((h) => h.id),
          { opensAt: input.opensAt },
        ))
      )
        continue;
      await this.repo.transition({
        consultationId: id,
        from: ['scheduled'],
        to: '',
        metaJson,
        clock: '',
        ...auditBody(id, 'created', {
          title: stored.title,
          communityId: cid,
          opensAt: stored.opensAtMs,
          closesAt: stored.closesAtMs,
          secret: stored.secret,
          questions,
          households: households.length,
          by: actor.userId,
        }),
      });
      await this.repo.schedule(`close:${id}`, input.closesAt);
      this.#emit({ type: 'changed', consultationId: id, communityId: cid });
      return this.load(id);
    }
    throw new DomainError('conflict', 'Could not create the consultation; try again. 未能创建，请重试。');
  }

  async list(cid: string): Promise<Loaded[]> {
    const ids = await this.repo.idsOf(cid);
    const out: Loaded[] = [];
    for (const id of ids) out.push(await this.load(id).catch(() => null as never));
    return out.filter(Boolean);
  }

  /** Opens at opensAt (the scheduler calls it; exactly once: the script checks the status). */
  async openIfDue(id: string): Promise<boolean> {
    const c = await this.load(id);
    if (c.status !== 'scheduled') return true;
    if (Date.now() < c.stored.opensAtMs) return false;
    const households = (await this.deps.roster.listHouseholds(c.stored.communityId)).sort(byAddress);
    // Households added since creation get the next serials (a household keeps the one it has).
    const serials = await this.repo.serials(id);
    const fresh = households.filter((h) => !serials[h.id]).map((h) => h.id);
    if (fresh.length) await this.repo.addSerials(id, fresh, Object.keys(serials).length + 1);
    const owners = new Map<string, string>();
    const electorate: ElectorateSnapshot = {
      kind: 'households',
      voters: households.map((h) => {
        if (!owners.has(h.ownerKey)) owners.set(h.ownerKey, `o${owners.size + 1}`);
        return { voterId: h.id, ownerKey: owners.get(h.ownerKey)!, areaCentiares: h.areaCentiares };
      }),
    };
    const bound = await bindQuestions(this.#conventions, c.stored);
    const stored: StoredConsultation = { ...c.stored, ...bound, openedAtMs: Date.now(), eligibleCount: households.length };
    const r = await this.repo.transition({
      consultationId: id,
      from: ['scheduled'],
      to: 'open',
      metaJson: JSON.stringify(stored),
      clock: 'before',
      electorateJson: JSON.stringify(electorate),
      eligible: electorate.voters.map((v) => v.voterId),
      ...auditBody(id, 'opened', { electorate, questions: stored.questions }),
    });
    if (r[0] === 'ok') this.#emit({ type: 'changed', consultationId: id, communityId: c.stored.communityId });
    // deadline_passed: it was never open in time; close() takes it from scheduled to closed.
    if (r[0] === 'deadline_passed') await this.closeIfDue(id);
    return r[0] === 'ok' || r[0] === 'status';
  }

  /** Closes at the deadline (Redis TIME), exactly once across processes; then writes the result once. */
  async closeIfDue(id: string): Promise<boolean> {
    const c = await this.load(id);
    if (c.status === 'open' || c.status === 'scheduled') {
      const stored: StoredConsultation = { ...c.stored, closedAtMs: c.deadline };
      const r = await this.repo.transition({
        consultationId: id,
        from: ['open', 'scheduled'],
        to: 'closed',
        metaJson: JSON.stringify(stored),
        clock: 'after',
        ...auditBody(id, 'closed', { closesAt: c.deadline }),
      });
      if (r[0] === 'not_due') return false;
      if (r[0] === 'ok') this.#emit({ type: 'changed', consultationId: id, communityId: c.stored.communityId });
    }
    await this.finalize(id);
    return true;
  }

  /** Writes the final result if it is not written yet (idempotent, safe from several processes). */
  async finalize(id: string): Promise<void> {
    const c = await this.load(id);
    if (c.status !== 'closed' && c.status !== 'published') return;
    if ((await this.repo.result(id)).json) return;
    const { electorate, responses } = await this.recorded(c);
    const questions = tallyConsultation(c.stored.questions, electorate, responses, { closed: true, secret: c.stored.secret });
    const sealed = c.stored.secret
      ? responses.map((r) => ({ receipt: r.voterId, answers: r.answers, ownerKey: r.ownerKey ?? '', areaCentiares: r.areaCentiares ?? 0 }))
      : undefined;
    const body = auditBody(id, 'result', resultEntryData(questions, sealed));
    const w = await this.repo.writeResult(id, JSON.stringify(questions), body.dataJson, body.bodyHash);
    // Only the process that wrote the result adopts (once); a refusal is logged in the chain.
    if (w[0] === 'ok' && this.#conventions) {
      for (const v of versionsToAdopt(c.stored, questions)) {
        let outcome = 'adopted';
        try {
          await this.#conventions.adopt(v.conventionId, v.versionId, `consultation:${id}`);
        } catch (err) {
          outcome = (err as { code?: string }).code ?? 'failed';
        }
        const note = auditBody(id, 'adopted', { ...v, outcome });
        await this.repo.note(id, note.auditType, note.dataJson, note.bodyHash);
      }
    }
  }

  /** Passed convention questions of the community's closed consultations (for conventions' approvals). */
  async approvals(cid: string): Promise<ConsensusItem[]> {
    const out: ConsensusItem[] = [];
    for (const c of await this.list(cid)) {
      if (c.status !== 'closed' && c.status !== 'published') continue;
      if (!c.stored.bindings || Object.keys(c.stored.bindings).length === 0) continue;
      const r = await this.repo.result(c.stored.id);
      if (r.json) out.push(...approvalsOf(c.stored, JSON.parse(r.json) as QuestionResult[]));
    }
    return out;
  }

  /** The frozen electorate and every recorded response (secret: from the sealed set, by receipt). */
  async recorded(
    c: Loaded,
  ): Promise<{ electorate: ElectorateSnapshot; responses: RecordedResponse[]; stored: Map<string, StoredResponse> }> {
    const id = c.stored.id;
    const [raw, all] = await Promise.all([this.repo.electorate(id), this.repo.responses(id)]);
    const electorate: ElectorateSnapshot = raw ? JSON.parse(raw) : { kind: 'households', voters: [] };
    const stored = new Map(Object.entries(all).map(([hid, j]) => [hid, JSON.parse(j) as StoredResponse]));
    if (c.stored.secret) {
      const sealed = await this.repo.sealed(id);
      const responses = sealed.map((line) => {
        const sp = line.indexOf(' ');
        const s = JSON.parse(line.slice(sp + 1)) as { answers: Record<string, unknown>; ownerKey: string; areaCentiares: number };
        return { voterId: line.slice(0, sp), ownerKey: s.ownerKey, areaCentiares: s.areaCentiares, answers: s.answers };
      });
      return { electorate, responses, stored };
    }
    return { electorate, responses: [...stored].map(([hid, r]) => ({ voterId: hid, answers: r.answers ?? {} })), stored };
  }

  async count(c: Loaded, closed: boolean) {
    const { electorate, responses } = await this.recorded(c);
    return tallyConsultation(c.stored.questions, electorate, responses, {
      closed,
      secret: c.stored.secret,
      hide: c.stored.secret && !closed,
    });
  }

  async result(c: Loaded): Promise<ConsultationResult> {
    const final = c.status === 'closed' || c.status === 'published';
    const stored = final ? await this.repo.result(c.stored.id) : { json: null, head: null };
    const questions = stored.json ? JSON.parse(stored.json) : await this.count(c, false);
    const head = stored.head ? { length: Number(stored.head.split(':')[0]), hash: stored.head.split(':')[1]! } : undefined;
    return {
      consultationId: c.stored.id,
      status: c.status as ConsultationResult['status'],
      questions,
      final: !!stored.json,
      objectionEndsAt: c.stored.objectionEndsAtMs ? toShanghaiIso(c.stored.objectionEndsAtMs) : undefined,
      ...(head ? { head } : {}),
    };
  }

  /** Live progress; once open, over the electorate frozen at opening (households added later do not count). */
  async progress(c: Loaded) {
    const [hh, all, papers, raw] = await Promise.all([
      this.householdsOf(c.stored.id),
      this.repo.responses(c.stored.id),
      this.repo.entryCounts(c.stored.id),
      this.repo.electorate(c.stored.id),
    ]);
    const frozen = raw ? new Set((JSON.parse(raw) as ElectorateSnapshot).voters.map((v) => v.voterId)) : null;
    const eligible = frozen ? hh.filter((h) => frozen.has(h.householdId)) : hh;
    const responses = Object.entries(all).map(([householdId, j]) => {
      const r = JSON.parse(j) as StoredResponse;
      return { householdId, channel: r.channel, at: r.at };
    });
    return computeProgress(eligible, responses, { awaitingSecond: papers.awaiting, mismatches: papers.mismatch });
  }

  /** `GET /api/consultations/:id`: the consultation, its progress and the caller's households. */
  async read(user: StoredUser, c: Loaded): Promise<ConsultationView> {
    const progress = await this.progress(c);
    const m = await this.deps.auth.membership(c.stored.communityId, user.id);
    const mineIds = m?.roles.includes('owner') ? m.householdIds : [];
    const mine = [];
    for (const hid of mineIds) {
      const h = await this.deps.roster.getHousehold(c.stored.communityId, hid);
      const raw = await this.repo.response(c.stored.id, hid);
      const r = raw ? (JSON.parse(raw) as StoredResponse) : null;
      mine.push({
        householdId: hid,
        address: h ? addressOf(h) : hid,
        responded: !!r,
        ...(r ? { channel: r.channel, receipt: r.receipt } : {}),
      });
    }
    return { consultation: this.view(c), progress, mine };
  }

  /**
   * Records one household's answers on any channel: validated here per question, then ONE script
   * checks the status, the deadline against Redis TIME, eligibility and one household one answer
   * (the first recorded counts; a later one → 409 already_answered with {channel, at}).
   */
  async recordAnswers(
    consultationId: string,
    householdId: string,
    answers: Record<string, unknown>,
    opts: { channel: ResponseChannel; by: string; idempotencyKey: string },
  ): Promise<ResponseAck> {
    const c = await this.load(consultationId);
    const issues = answerIssues(c.stored.questions, answers);
    if (issues.length)
      throw new DomainError('validation_failed', `Some answers are not valid: ${issues[0]!.path}: ${issues[0]!.message}. 部分答案无效。`, {
        issues,
      });
    if (Object.keys(answers).length === 0) throw new DomainError('validation_failed', 'Answer at least one question. 请至少回答一项。');
    const receipt = newReceipt();
    const secret = c.stored.secret;
    let sealedJson = '';
    if (secret) {
      const electorate: ElectorateSnapshot = JSON.parse((await this.repo.electorate(consultationId)) ?? '{"voters":[]}');
      const v = electorate.voters.find((x) => x.voterId === householdId);
      sealedJson = JSON.stringify({ answers, ownerKey: v?.ownerKey ?? householdId, areaCentiares: v?.areaCentiares ?? 0 });
    }
    // Secret: the household's response keeps neither receipt nor answers, the log entry only the
    // channel; the answers sit in the sealed set by receipt, with nothing that leads back.
    const record: Omit<StoredResponse, 'at'> = secret
      ? { channel: opts.channel, by: opts.by }
      : { receipt, channel: opts.channel, by: opts.by, answers };
    const data = secret ? { channel: opts.channel } : { householdId, receipt, channel: opts.channel, answers };
    const r = await this.repo.record({
      consultationId,
      householdId,
      receipt,
      idemField: sha256hex(`${consultationId}|${householdId}|${opts.idempotencyKey}`),
      responseJson: JSON.stringify(record),
      sealedJson,
      receiptJson: JSON.stringify({ channel: opts.channel, ...(secret ? {} : { householdId }) }),
      ...auditBody(consultationId, opts.channel === 'paper' ? 'paper_vote' : 'vote', data),
    });
    switch (r[0]) {
      case 'ok':
        this.#emit({ type: 'answered', consultationId, communityId: c.stored.communityId });
        return { receipt, householdId, channel: opts.channel, repeated: false };
      case 'dup':
        return { receipt: r[1]!, householdId, channel: opts.channel, repeated: true };
      case 'closed':
        throw new DomainError(
          'closed',
          `The consultation closed at ${toShanghaiIso(Number(r[1]))}; no answer counts after the deadline. 征求意见已截止，截止后的意见不计入。`,
          { status: 409 },
        );
      case 'not_open':
        if (r[1] === 'scheduled')
          throw new DomainError('not_open', `The consultation opens at ${toShanghaiIso(c.stored.opensAtMs)}. 征求意见尚未开始。`, {
            status: 409,
          });
        throw new DomainError('closed', 'The consultation is closed; no answer counts after the deadline. 征求意见已截止。', {
          status: 409,
        });
      case 'not_eligible':
        throw new DomainError('forbidden', 'This household is not in the electorate frozen at opening. 该户不在开始时确定的表决名册中。');
      case 'already': {
        const prev = JSON.parse(r[1]!) as StoredResponse;
        const how = { phone: '手机', paper: '纸质票', hall: '会场' }[prev.channel];
        throw new DomainError(
          'already_answered',
          `This household already answered (${prev.channel}, ${toShanghaiIso(prev.at)}); the first answer counts, this one is not counted. 该户已于${toShanghaiIso(prev.at)}通过${how}表决，以第一次为准，本次不计入。`,
          {
            status: 409,
            issues: [{ path: 'householdId', message: JSON.stringify({ channel: prev.channel, at: toShanghaiIso(prev.at) }) }],
          },
        );
      }
      default:
        throw new DomainError('conflict', 'Could not record the answers; try again. 未能记录，请重试。');
    }
  }

  /** A member's phone (or a phone in the hall): the household they own (or the one named). */
  async respond(user: StoredUser, c: Loaded, body: unknown, channel: 'phone' | 'hall' = 'phone'): Promise<ResponseAck> {
    const req = parseOrThrow(ResponseRequest, body, 'response');
    const m = await this.deps.auth.membership(c.stored.communityId, user.id);
    // Households given to the owner after opening answer on paper (as for ballots).
    const owned = householdsVotableIn(m, c.stored.openedAtMs);
    if (owned.length === 0) throw new DomainError('forbidden', 'Only owners answer for their households. 只有业主可以为本户表决。');
    const hid = req.householdId ?? (owned.length === 1 ? owned[0] : undefined);
    if (!hid)
      throw new DomainError('validation_failed', 'You hold several households: give householdId. 您有多套房屋，请选择一户。', {
        issues: [{ path: 'householdId', message: 'required' }],
      });
    if (!owned.includes(hid)) throw new DomainError('forbidden', 'That household is not yours. 这不是您的房屋。');
    return this.recordAnswers(c.stored.id, hid, req.answers, { channel, by: user.id, idempotencyKey: req.idempotencyKey });
  }

  /** The paper code of a household's paper (9 symbols, no separators). */
  async paperCodeFor(consultationId: string, householdId: string): Promise<string> {
    const c = await this.load(consultationId);
    const serial = await this.repo.serialOf(consultationId, householdId);
    if (!serial)
      throw new DomainError('unknown_paper', 'This household has no paper in this consultation. 该户没有本次表决票。', { status: 404 });
    return encodePaperCode(c.stored.code, Number(serial));
  }

  /** Which consultation and household a typed or scanned paper code belongs to. */
  async householdForPaperCode(
    code: string,
    consultationId?: string,
  ): Promise<{ consultationId: string; householdId: string; serial: number; code: string }> {
    const p = parsePaperCode(code);
    if (!p) throw new DomainError('unknown_paper', 'Not a paper code (check the typing). 表决票编号有误，请核对。', { status: 404 });
    const id = await this.repo.idOfCode(p.consultationCode);
    if (!id || (consultationId && id !== consultationId))
      throw new DomainError('unknown_paper', 'This paper belongs to another consultation. 该票不属于本次征求意见。', { status: 404 });
    const hid = await this.repo.householdOfSerial(id, p.serial);
    if (!hid) throw new DomainError('unknown_paper', 'No household has this paper number. 没有这个编号的表决票。', { status: 404 });
    return { consultationId: id, householdId: hid, serial: p.serial, code: p.code };
  }

  /** Every household with a paper, in serial order (address order), for documents and doors. */
  async householdsOf(consultationId: string): Promise<ConsultationHousehold[]> {
    const c = await this.load(consultationId);
    const [serials, households] = await Promise.all([
      this.repo.serials(consultationId),
      this.deps.roster.listHouseholds(c.stored.communityId),
    ]);
    return households
      .filter((h) => serials[h.id])
      .map((h) => paperHousehold(h, c.stored.code, Number(serials[h.id])))
      .sort((a, b) => a.serial - b.serial);
  }

  /** The household a paper code names, read alone (a paper entry must not load a roster of 20,000). */
  async paperHousehold(consultationId: string, code: string): Promise<ConsultationHousehold> {
    const { householdId, serial } = await this.householdForPaperCode(code, consultationId);
    const c = await this.load(consultationId);
    const h = await this.deps.roster.getHousehold(c.stored.communityId, householdId);
    if (!h) throw new DomainError('unknown_paper', 'No household has this paper number. 没有这个编号的表决票。', { status: 404 });
    return paperHousehold(h, c.stored.code, serial);
  }

  /** A later deadline, only before the current one passes, with a reason (in the chain and on the notice). */
  async extend(actor: Actor, c: Loaded, body: unknown): Promise<Loaded> {
    const req = parseOrThrow(ExtendRequest, body, 'extension');
    if (req.closesAt <= c.deadline)
      throw new DomainError('validation_failed', 'The new deadline must be later than the current one. 新截止时间须晚于现截止时间。', {
        issues: [{ path: 'closesAt', message: 'not later' }],
      });
    const ext = { fromMs: c.deadline, toMs: req.closesAt, reason: req.reason, atMs: Date.now(), by: actor.userId };
    const stored: StoredConsultation = { ...c.stored, closesAtMs: req.closesAt, extensions: [...c.stored.extensions, ext] };
    const r = await this.repo.transition({
      consultationId: c.stored.id,
      from: ['scheduled', 'open'],
      to: '',
      metaJson: JSON.stringify(stored),
      clock: 'before',
      deadline: req.closesAt,
      ...auditBody(c.stored.id, 'extended', { from: ext.fromMs, to: ext.toMs, reason: ext.reason, by: ext.by }),
    });
    if (r[0] !== 'ok')
      throw new DomainError('deadline_passed', 'The deadline has passed; it can no longer be extended. 已过截止时间，不能延期。', {
        status: 409,
      });
    await this.repo.schedule(`close:${c.stored.id}`, req.closesAt);
    this.#emit({ type: 'changed', consultationId: c.stored.id, communityId: c.stored.communityId });
    return this.load(c.stored.id);
  }

  /** 公示: the result is public, with an objection period. */
  async publish(actor: Actor, c: Loaded, body: unknown): Promise<Loaded> {
    const { objectionDays } = parseOrThrow(ConsultationPublish, body, 'publish');
    if (c.status !== 'closed')
      throw new DomainError('conflict', `This consultation is ${c.status}; only a closed one can be published. 只能公示已截止的征求意见。`);
    await this.finalize(c.stored.id);
    const now = Date.now();
    const stored: StoredConsultation = {
      ...c.stored,
      publishedAtMs: now,
      objectionDays,
      objectionEndsAtMs: now + objectionDays * 86400_000,
    };
    const r = await this.repo.transition({
      consultationId: c.stored.id,
      from: ['closed'],
      to: 'published',
      metaJson: JSON.stringify(stored),
      clock: '',
      ...auditBody(c.stored.id, 'published', { objectionDays, by: actor.userId }),
    });
    if (r[0] !== 'ok') throw new DomainError('conflict', 'This consultation changed; reload. 状态已变化。');
    this.#emit({ type: 'changed', consultationId: c.stored.id, communityId: c.stored.communityId });
    return this.load(c.stored.id);
  }

  /** The audit log (JSON entries, same format as a ballot's). */
  async auditLog(id: string): Promise<unknown[]> {
    return (await this.repo.audit(id)).map((l) => JSON.parse(l));
  }
}

function paperHousehold(h: HouseholdRecord, consultationCode: string, serial: number): ConsultationHousehold {
  return {
    householdId: h.id,
    building: h.building,
    unit: h.unit,
    room: h.room,
    floor: floorOf(h.room),
    address: addressOf(h),
    areaCentiares: h.areaCentiares,
    owner: h.owner,
    ...(h.phone ? { phone: h.phone } : {}),
    serial,
    paperCode: encodePaperCode(consultationCode, serial),
  };
}
