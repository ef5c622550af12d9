/**
 * Evaluation rounds (评议): create, list, open and close (by hand, or at opensAt / closesAt: checked
 * at every read and answer, and by a timer), one answer per household or per member (the first
 * recorded counts; the same idempotency key returns the same receipt), printed questionnaires typed
 * in by staff, the result (turnout live; per-criterion figures only after close, to avoid
 * bandwagoning), the trend against the previous round on the same subject, and the subject's reply.
 */
import {
  DomainError,
  EvaluationCreate,
  EvaluationPaper,
  EvaluationReply,
  EvaluationResponse,
  can,
  compareRounds,
  parseOrThrow,
  roleGroupsOf,
  subjectKey,
  tallyEvaluation,
  toShanghaiIso,
  type Action,
  type Actor,
  type EvaluationChannel,
  type EvaluationReceipt,
  type EvaluationResult,
  type Role,
} from '@linli/shared';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { newId } from '../common/ids.ts';
import { auditBody, newReceipt, sha256hex } from '../consultations/consultations.model.ts';
import type { RosterService } from '../roster/roster.service.ts';
import type { EvaluationsRepository } from './evaluations.repository.ts';
import { toView, type StoredAnswer, type StoredEvaluation, type StoredResponse } from './evaluations.model.ts';

const notFound = () => new DomainError('not_found', 'No such evaluation. 评议不存在。');

export interface LoadedEvaluation {
  stored: StoredEvaluation;
  status: string;
}

/** The role that is the subject (its members neither answer nor see themselves answering). */
const SUBJECT_ROLE: Record<string, Role | undefined> = { property_firm: 'property_firm', owners_committee: 'owners_committee' };

export class EvaluationsService {
  constructor(
    readonly repo: EvaluationsRepository,
    private readonly deps: { auth: AuthService; roster: RosterService },
  ) {}

  async load(id: string): Promise<LoadedEvaluation> {
    const raw = await this.repo.get(id);
    if (!raw) throw notFound();
    return { stored: JSON.parse(raw.metaJson) as StoredEvaluation, status: raw.status };
  }

  /** The round, with opensAt / closesAt applied first (a timer does the same; the scripts make it once). */
  async current(id: string): Promise<LoadedEvaluation> {
    let e = await this.load(id);
    const now = Date.now();
    if (e.status === 'draft' && e.stored.opensAtMs !== undefined && now >= e.stored.opensAtMs) e = await this.#open(e, 'schedule');
    if (e.status === 'open' && e.stored.closesAtMs !== undefined && now >= e.stored.closesAtMs) e = await this.#close(e, 'schedule');
    return e;
  }

  /** The caller's actor in the round's community: outsiders 404, members without the action 403. */
  async access(user: StoredUser | undefined, id: string, action: Action): Promise<{ e: LoadedEvaluation; actor: Actor }> {
    if (!user) throw new DomainError('unauthenticated', 'Please sign in first. 请先登录。');
    const e = await this.current(id);
    const actor = await this.deps.auth.actor(user, e.stored.communityId);
    if (!actor.isAdmin && actor.roles.length === 0) throw notFound();
    if (!can(actor, action, { communityId: e.stored.communityId }))
      throw new DomainError('forbidden', `You may not do this (${action}). 您没有此操作的权限。`);
    return { e, actor };
  }

  view(e: LoadedEvaluation) {
    return toView(e.stored, e.status);
  }

  async create(actor: Actor, cid: string, body: unknown): Promise<LoadedEvaluation> {
    const input = parseOrThrow(EvaluationCreate, body, 'evaluation');
    const now = Date.now();
    if (input.closesAt !== undefined && input.closesAt <= now)
      throw new DomainError('validation_failed', 'closesAt is in the past. 截止时间已过。', {
        issues: [{ path: 'closesAt', message: 'in the past' }],
      });
    const id = newId();
    const stored: StoredEvaluation = {
      id,
      communityId: cid,
      title: input.title,
      subject: input.subject,
      criteria: input.criteria.map((c, i) => ({ id: `c${i + 1}`, title: c.title })),
      electorate: input.electorate,
      opensAtMs: input.opensAt,
      closesAtMs: input.closesAt,
      createdAtMs: now,
      createdBy: actor.userId,
    };
    const metaJson = JSON.stringify(stored);
    await this.repo.create(id, cid, metaJson, input.closesAt ?? 0, now);
    const { title, subject, criteria, electorate } = stored;
    await this.repo.transition(
      id,
      ['draft'],
      '',
      metaJson,
      auditBody(id, 'created', {
        title,
        communityId: cid,
        subject,
        criteria,
        electorate,
        opensAt: stored.opensAtMs ?? null,
        closesAt: stored.closesAtMs ?? null,
        by: actor.userId,
      }),
    );
    if (input.opensAt !== undefined) await this.repo.schedule(`open:${id}`, input.opensAt);
    if (input.closesAt !== undefined) await this.repo.schedule(`close:${id}`, input.closesAt);
    return this.current(id);
  }

  async list(cid: string): Promise<LoadedEvaluation[]> {
    const out: LoadedEvaluation[] = [];
    for (const id of await this.repo.idsOf(cid)) {
      const e = await this.current(id).catch(() => null);
      if (e) out.push(e);
    }
    return out;
  }

  async open(actor: Actor, e: LoadedEvaluation): Promise<LoadedEvaluation> {
    if (e.status !== 'draft')
      throw new DomainError('conflict', `This round is ${e.status}; only a draft opens. 只有未开始的评议可以开始。`);
    if (e.stored.closesAtMs !== undefined && Date.now() >= e.stored.closesAtMs)
      throw new DomainError('deadline_passed', 'Its closing time has passed. 截止时间已过。', { status: 409 });
    return this.#open(e, actor.userId);
  }

  async close(actor: Actor, e: LoadedEvaluation): Promise<LoadedEvaluation> {
    if (e.status !== 'open')
      throw new DomainError('conflict', `This round is ${e.status}; only an open round closes. 只有进行中的评议可以结束。`);
    return this.#close(e, actor.userId);
  }

  async #open(e: LoadedEvaluation, by: string): Promise<LoadedEvaluation> {
    const stored: StoredEvaluation = { ...e.stored, openedAtMs: Date.now() };
    await this.repo.transition(stored.id, ['draft'], 'open', JSON.stringify(stored), auditBody(stored.id, 'opened', { by }));
    return this.load(stored.id);
  }

  /** Closes once (the script checks the status), then writes the result entry once. */
  async #close(e: LoadedEvaluation, by: string): Promise<LoadedEvaluation> {
    const at = by === 'schedule' && e.stored.closesAtMs !== undefined ? e.stored.closesAtMs : Date.now();
    const stored: StoredEvaluation = { ...e.stored, closedAtMs: at };
    await this.repo.transition(stored.id, ['open'], 'closed', JSON.stringify(stored), auditBody(stored.id, 'closed', { by }));
    const closed = await this.load(stored.id);
    if (closed.status === 'closed') {
      const t = tallyEvaluation(closed.stored.criteria, await this.#answers(stored.id));
      const data = { responses: t.responses, criteria: t.criteria.map((c) => ({ id: c.id, mean: c.mean, distribution: c.distribution })) };
      await this.repo.writeResult(stored.id, JSON.stringify(data), auditBody(stored.id, 'result', data));
    }
    return closed;
  }

  /** For the timer: applies whatever is due; true once nothing is left to do for `what`. */
  async due(id: string, what: 'open' | 'close'): Promise<boolean> {
    const e = await this.current(id);
    return what === 'open' ? e.status !== 'draft' : e.status === 'closed';
  }

  async #answers(id: string): Promise<StoredAnswer[]> {
    return Object.values(await this.repo.answers(id)).map((j) => JSON.parse(j) as StoredAnswer);
  }

  #checkScores(e: LoadedEvaluation, scores: Record<string, number>): void {
    const ids = e.stored.criteria.map((c) => c.id);
    const missing = ids.filter((id) => scores[id] === undefined);
    const unknown = Object.keys(scores).filter((k) => !ids.includes(k));
    if (missing.length || unknown.length) {
      const path = `scores.${(missing[0] ?? unknown[0])!}`;
      throw new DomainError(
        'validation_failed',
        `Score every criterion 1–5 (${missing.length ? `missing ${missing.join(', ')}` : `unknown ${unknown.join(', ')}`}). 请为每一项打分（1–5）。`,
        { issues: [{ path, message: missing.length ? 'required' : 'unknown criterion' }] },
      );
    }
  }

  async #record(
    e: LoadedEvaluation,
    w: {
      voterKey: string;
      idemField: string;
      by: string;
      channel: EvaluationChannel;
      scores: Record<string, number>;
      groups: string[];
      comment?: string;
      household: boolean;
    },
  ): Promise<EvaluationReceipt> {
    const id = e.stored.id;
    const receipt = newReceipt();
    const answer: StoredAnswer = { scores: w.scores, groups: w.groups, channel: w.channel, ...(w.comment ? { comment: w.comment } : {}) };
    // The log and the answers carry the receipt, never the person or the household.
    const r = await this.repo.record(id, {
      voterKey: w.voterKey,
      idemField: w.idemField,
      receipt,
      responseJson: JSON.stringify({ receipt, channel: w.channel, by: w.by }),
      answerJson: JSON.stringify(answer),
      ...auditBody(id, w.channel === 'paper' ? 'paper_response' : 'response', { receipt, ...answer }),
    });
    switch (r[0]) {
      case 'ok':
        return { receipt, channel: w.channel, repeated: false };
      case 'dup':
        return { receipt: r[1]!, channel: w.channel, repeated: true };
      case 'closed':
        throw new DomainError('closed', 'This evaluation has closed; no answer counts after it. 评议已结束，之后的回答不计入。', {
          status: 409,
        });
      case 'not_open':
        if (r[1] === 'draft') throw new DomainError('not_open', 'This evaluation has not opened yet. 评议尚未开始。', { status: 409 });
        throw new DomainError('closed', 'This evaluation has closed. 评议已结束。', { status: 409 });
      case 'already': {
        const prev = JSON.parse(r[1]!) as { channel: EvaluationChannel; at: number };
        const when = toShanghaiIso(prev.at);
        const issues = [{ path: 'household', message: JSON.stringify({ channel: prev.channel, at: when }) }];
        if (w.household)
          throw new DomainError(
            'household_answered',
            `Your household already answered (${prev.channel}, ${when}); the first answer counts. 本户已于${when}作答，以第一次为准。`,
            { status: 409, issues },
          );
        throw new DomainError(
          'already_answered',
          `You already answered (${when}); the first answer counts. 您已于${when}作答，以第一次为准。`,
          { status: 409, issues },
        );
      }
      default:
        throw new DomainError('conflict', 'Could not record the answer; try again. 未能记录，请重试。');
    }
  }

  /** A member's answer from a phone: for their household (households rounds) or for themselves. */
  async respond(user: StoredUser, actor: Actor, e: LoadedEvaluation, body: unknown): Promise<EvaluationReceipt> {
    const req = parseOrThrow(EvaluationResponse, body, 'response');
    this.#checkScores(e, req.scores);
    const subjectRole = SUBJECT_ROLE[e.stored.subject.kind];
    if (subjectRole && actor.roles.includes(subjectRole))
      throw new DomainError('subject_cannot_answer', 'The evaluated organisation does not evaluate itself. 被评议方不参与本次评议。', {
        status: 403,
      });
    const base = {
      by: user.id,
      channel: 'phone' as const,
      scores: req.scores,
      groups: roleGroupsOf(actor.roles),
      comment: req.comment || undefined,
      idemField: sha256hex(`${e.stored.id}|${user.id}|${req.idempotencyKey}`),
    };
    if (e.stored.electorate.kind === 'members') return this.#record(e, { ...base, voterKey: `m:${user.id}`, household: false });
    const m = await this.deps.auth.membership(e.stored.communityId, user.id);
    const held = m?.householdIds ?? [];
    if (held.length === 0)
      throw new DomainError(
        'no_household',
        'This round is answered per household, and you hold none here; ask staff for a printed questionnaire. 本次评议按户作答，您名下没有房屋，请领取纸质问卷。',
        { status: 403 },
      );
    const hid = req.householdId ?? (held.length === 1 ? held[0] : undefined);
    if (!hid)
      throw new DomainError('validation_failed', 'You hold several households: give householdId. 您有多套房屋，请选择一户。', {
        issues: [{ path: 'householdId', message: 'required' }],
      });
    if (!held.includes(hid)) throw new DomainError('forbidden', 'That household is not yours. 这不是您的房屋。');
    return this.#record(e, { ...base, voterKey: `h:${hid}`, household: true });
  }

  /** A printed questionnaire typed in by staff: by household id or address; counted once per household. */
  async paper(actor: Actor, e: LoadedEvaluation, body: unknown): Promise<EvaluationReceipt & { householdId: string }> {
    const req = parseOrThrow(EvaluationPaper, body, 'paper questionnaire');
    this.#checkScores(e, req.scores);
    const cid = e.stored.communityId;
    let hid = req.householdId;
    if (req.address) {
      const a = req.address;
      hid = (await this.deps.roster.listHouseholds(cid)).find(
        (h) => h.building === a.building && h.unit === a.unit && h.room === a.room,
      )?.id;
    } else if (hid && !(await this.deps.roster.getHousehold(cid, hid))) hid = undefined;
    if (!hid)
      throw new DomainError('unknown_household', 'No household at this address in the roster. 名册中没有这个地址的住户。', {
        status: 404,
        issues: [{ path: req.address ? 'address' : 'householdId', message: 'not in the roster' }],
      });
    // Households rounds: the same key as a phone answer, so a household counts once whatever the channel.
    const households = e.stored.electorate.kind === 'households';
    const ack = await this.#record(e, {
      voterKey: households ? `h:${hid}` : `paper:${hid}`,
      idemField: sha256hex(`${e.stored.id}|paper|${hid}|${req.idempotencyKey}`),
      by: actor.userId,
      channel: 'paper',
      scores: req.scores,
      groups: ['paper'],
      comment: req.comment || undefined,
      household: true,
    });
    return { ...ack, householdId: hid };
  }

  /** Whether the caller (or, in a households round, their household) has answered; the receipt only to whoever sent it. */
  async mine(
    user: StoredUser,
    e: LoadedEvaluation,
  ): Promise<{ answered: boolean; household: boolean; channel?: EvaluationChannel; receipt?: string }> {
    const household = e.stored.electorate.kind === 'households';
    const keys = household
      ? ((await this.deps.auth.membership(e.stored.communityId, user.id))?.householdIds ?? []).map((h) => `h:${h}`)
      : [`m:${user.id}`];
    for (const k of keys) {
      const raw = await this.repo.response(e.stored.id, k);
      if (!raw) continue;
      const r = JSON.parse(raw) as StoredResponse;
      return { answered: true, household, channel: r.channel, ...(r.by === user.id ? { receipt: r.receipt } : {}) };
    }
    return { answered: false, household };
  }

  async #eligible(e: LoadedEvaluation): Promise<number> {
    const cid = e.stored.communityId;
    if (e.stored.electorate.kind === 'households') return (await this.deps.roster.listHouseholds(cid)).length;
    const subjectRole = SUBJECT_ROLE[e.stored.subject.kind];
    const members = await this.deps.auth.membersOf(cid);
    return members.filter(
      ({ membership: m }) =>
        can({ userId: '', communityId: cid, roles: m.roles }, 'evaluation.answer', { communityId: cid }) &&
        !(subjectRole && m.roles.includes(subjectRole)),
    ).length;
  }

  /** Turnout always; per criterion, by role, the trend, comments and the reply once closed. */
  async result(e: LoadedEvaluation): Promise<EvaluationResult> {
    const id = e.stored.id;
    const closed = e.status === 'closed';
    const [answers, eligible] = await Promise.all([this.#answers(id), this.#eligible(e)]);
    const base = { evaluationId: id, status: e.status as EvaluationResult['status'], responses: answers.length, eligible, hidden: !closed };
    if (!closed) return { ...base, criteria: e.stored.criteria.map((c) => ({ id: c.id, title: c.title, mean: null, distribution: null })) };
    const t = tallyEvaluation(e.stored.criteria, answers);
    const out: EvaluationResult = {
      ...base,
      criteria: t.criteria,
      byRole: t.byRole,
      comments: answers.flatMap((a) => (a.comment ? [a.comment] : [])),
    };
    const prev = await this.#previous(e);
    if (prev) {
      const pt = tallyEvaluation(prev.stored.criteria, await this.#answers(prev.stored.id));
      out.previous = {
        evaluationId: prev.stored.id,
        title: prev.stored.title,
        closedAt: prev.stored.closedAtMs ? toShanghaiIso(prev.stored.closedAtMs) : undefined,
        criteria: compareRounds(t.criteria, pt.criteria),
      };
    }
    const r = e.stored.reply;
    if (r) out.reply = { text: r.text, at: toShanghaiIso(r.atMs), by: r.byName };
    return out;
  }

  /** The latest closed round on the same subject created before this one. */
  async #previous(e: LoadedEvaluation): Promise<LoadedEvaluation | null> {
    const key = subjectKey(e.stored.subject);
    const before = (await this.list(e.stored.communityId)).filter(
      (x) =>
        x.status === 'closed' &&
        x.stored.id !== e.stored.id &&
        subjectKey(x.stored.subject) === key &&
        x.stored.createdAtMs < e.stored.createdAtMs,
    );
    return before.sort((a, b) => b.stored.createdAtMs - a.stored.createdAtMs)[0] ?? null;
  }

  /**
   * The subject's written reply, after close, shown with the result (a later reply replaces it; each
   * one is in the log). Only a member holding the subject's role: the property firm for firm rounds,
   * the owners' committee for committee rounds; a named service has no role, so an admin enters it.
   */
  async reply(user: StoredUser, actor: Actor, e: LoadedEvaluation, body: unknown): Promise<LoadedEvaluation> {
    const { text } = parseOrThrow(EvaluationReply, body, 'reply');
    const role = SUBJECT_ROLE[e.stored.subject.kind];
    const allowed = role ? actor.roles.includes(role) : actor.isAdmin || actor.roles.includes('admin');
    if (!allowed)
      throw new DomainError(
        'not_the_subject',
        `Only the evaluated organisation replies (${role ?? 'admin for a named service'}). 只有被评议方可以回复。`,
        { status: 403 },
      );
    if (e.status !== 'closed')
      throw new DomainError('not_closed', 'The reply comes after the round closes. 评议结束后方可回复。', { status: 409 });
    const stored: StoredEvaluation = { ...e.stored, reply: { text, atMs: Date.now(), by: user.id, byName: user.displayName } };
    const r = await this.repo.transition(
      stored.id,
      ['closed'],
      '',
      JSON.stringify(stored),
      auditBody(stored.id, 'reply', { text, by: user.id }),
    );
    if (r[0] !== 'ok') throw new DomainError('conflict', 'This round changed; reload. 状态已变化。');
    return this.load(stored.id);
  }
}
