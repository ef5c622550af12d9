/**
 * The rules of opinion rounds: who creates, writes, moderates and answers; which statement a member
 * sees next; the map as each member may see it (others anonymous); and promoting a consensus
 * statement to a ballot or a convention clause suggestion, keeping the link back. Never sees req/io.
 */
import {
  DomainError,
  can,
  type Actor,
  type Opinion,
  type OpinionCreate,
  type OpinionMapView,
  type OpinionSource,
  type OpinionVoteValue,
  type Statement,
  type StatementPromote,
  type StatementPromotion,
} from '@linli/shared';
import { roleGroupOf } from '@linli/shared/opinions/clustering';
import type { StoredUser } from '../auth/auth.repository.ts';
import { newId } from '../common/ids.ts';
import type { OpinionMaps } from './opinions.compute.ts';
import type { OpinionsRepository } from './opinions.repository.ts';

/** Statements one member may have in a round (pending or accepted), as other features limit per person. */
export const STATEMENTS_PER_MEMBER = 10;

/** What the feature plugs in from the ballots, conventions and meetings services. */
export interface OpinionsDeps {
  meetingInCommunity(cid: string, meetingId: string): Promise<boolean>;
  toBallot(user: StoredUser, meetingId: string, draft: { title: string; description: string }): Promise<{ ballotId: string }>;
  /** Must refuse (not_found) a convention outside `communityId` before writing anything. */
  toSuggestion(
    user: StoredUser,
    communityId: string,
    conventionId: string,
    clauseId: string,
    text: string,
    reason: string,
  ): Promise<{ suggestionId: string }>;
}

/** Statements are anonymous: the author's id only to moderators and to the author. */
function shown(s: Statement, viewerId: string, moderator: boolean): Statement {
  if (moderator || s.authorId === viewerId) return s;
  const { authorId: _hidden, ...rest } = s;
  return rest as Statement;
}

const notFound = () => new DomainError('not_found', 'No such opinion round. 意见征集不存在。');
const noStatement = () => new DomainError('not_found', 'No such statement. 观点不存在。');

export type MapView = OpinionMapView;

export class OpinionsService {
  readonly #statementListeners = new Set<(s: Statement, communityId: string) => void>();
  /** Called after a statement is written or moderated (the feature tells the community room). */
  onStatement(fn: (s: Statement, communityId: string) => void): void {
    this.#statementListeners.add(fn);
  }
  #statementChanged(s: Statement, o: Opinion): void {
    for (const fn of this.#statementListeners) fn(s, o.communityId);
  }

  constructor(
    readonly repo: OpinionsRepository,
    readonly maps: OpinionMaps,
    private readonly deps: OpinionsDeps,
    readonly now: () => number = Date.now,
  ) {}

  async create(actor: Actor, cid: string, input: OpinionCreate): Promise<Opinion> {
    if (input.meetingId && !(await this.deps.meetingInCommunity(cid, input.meetingId))) {
      throw new DomainError('validation_failed', 'No such meeting in this community. 本小区没有这个会议。', {
        issues: [{ path: 'meetingId', message: 'no such meeting' }],
      });
    }
    const o: Opinion = {
      id: newId(),
      communityId: cid,
      title: input.title,
      ...(input.meetingId ? { meetingId: input.meetingId } : {}),
      moderated: input.moderated ?? true,
      status: 'open',
      createdAt: this.now(),
      createdBy: actor.userId,
    };
    await this.repo.create(o);
    return o;
  }

  async list(cid: string): Promise<Opinion[]> {
    const ids = await this.repo.listIds(cid);
    return (await Promise.all(ids.map((id) => this.repo.get(id)))).filter((o): o is Opinion => o !== null);
  }

  async require(id: string): Promise<Opinion> {
    const o = await this.repo.get(id);
    if (!o) throw notFound();
    return o;
  }

  mayModerate(actor: Actor, o: Opinion): boolean {
    return actor.userId === o.createdBy || can(actor, 'deliberation.moderate', { communityId: o.communityId });
  }

  async setStatus(o: Opinion, status: Opinion['status']): Promise<Opinion> {
    const next = { ...o, status };
    await this.repo.save(next);
    return next;
  }

  /** Statements the actor may see: accepted ones; pending and rejected ones to moderators; one's own always. */
  async statements(actor: Actor, o: Opinion): Promise<Statement[]> {
    const mod = this.mayModerate(actor, o);
    const all = (await this.repo.statements(o.id)).map((x) => x.statement);
    return all
      .filter((s) => s.status === 'accepted' || mod || s.authorId === actor.userId)
      .sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || a.createdAt - b.createdAt)
      .map((s) => shown(s, actor.userId, mod));
  }

  async addStatement(actor: Actor, o: Opinion, text: string): Promise<Statement> {
    if (o.status !== 'open') throw new DomainError('conflict', 'This opinion round is closed. 本轮意见征集已结束。');
    const all = (await this.repo.statements(o.id)).map((x) => x.statement);
    const same = (t: string) => t.replace(/\s+/g, '').toLowerCase();
    if (all.some((s) => s.status !== 'rejected' && same(s.text) === same(text))) {
      throw new DomainError('conflict', 'This statement is already there. 已有相同的观点。');
    }
    const mine = all.filter((s) => s.authorId === actor.userId && s.status !== 'rejected').length;
    if (mine >= STATEMENTS_PER_MEMBER && !this.mayModerate(actor, o)) {
      throw new DomainError(
        'rate_limited',
        `At most ${STATEMENTS_PER_MEMBER} statements per person in one round. 每人每轮最多提交 ${STATEMENTS_PER_MEMBER} 条观点。`,
        { status: 429 },
      );
    }
    const accepted = !o.moderated || this.mayModerate(actor, o);
    const s: Statement = {
      id: newId(),
      opinionId: o.id,
      text,
      status: accepted ? 'accepted' : 'pending',
      authorId: actor.userId,
      createdAt: this.now(),
    };
    if (!(await this.repo.putStatement(s, null))) throw new DomainError('conflict', 'Try again. 请重试。');
    if (accepted) this.maps.changed(o.id);
    this.#statementChanged(s, o);
    return (await this.repo.statement(o.id, s.id))?.statement ?? s;
  }

  async moderate(actor: Actor, o: Opinion, sid: string, status: 'accepted' | 'rejected'): Promise<Statement> {
    if (!this.mayModerate(actor, o))
      throw new DomainError('forbidden', 'Only moderators accept or reject statements. 只有主持人可以审核观点。');
    const cur = await this.repo.statement(o.id, sid);
    if (!cur) throw noStatement();
    if (cur.statement.status !== 'pending')
      throw new DomainError('conflict', `This statement was already ${cur.statement.status}. 该观点已审核。`);
    const next: Statement = { ...cur.statement, status };
    if (!(await this.repo.putStatement(next, cur.raw)))
      throw new DomainError('conflict', 'Someone else moderated it meanwhile. 其他人已审核。');
    if (status === 'accepted') this.maps.changed(o.id);
    this.#statementChanged(next, o);
    return (await this.repo.statement(o.id, sid))!.statement;
  }

  /** Records the member's answer (the last one counts) and schedules the map's recompute. */
  async vote(actor: Actor, roles: readonly string[], o: Opinion, statementId: string, vote: OpinionVoteValue): Promise<{ rev: number }> {
    if (o.status !== 'open') throw new DomainError('conflict', 'This opinion round is closed. 本轮意见征集已结束。');
    const rev = await this.repo.vote(o.id, actor.userId, roleGroupOf(roles), statementId, vote);
    if (rev === null) {
      const s = await this.repo.statement(o.id, statementId);
      if (!s) throw noStatement();
      throw new DomainError('conflict', 'This statement is not open for answers. 该观点尚未通过审核。');
    }
    this.maps.changed(o.id);
    return { rev };
  }

  /** The next accepted statement the member has not answered, with progress. */
  async next(userId: string, o: Opinion): Promise<{ statement: Statement | null; answered: number; total: number }> {
    const order = await this.repo.acceptedOrder(o.id);
    const votes = await this.repo.votesOf(o.id, userId, order);
    const answered = votes.filter((v) => v !== null).length;
    // Others' statements first (one's own one has an opinion on), in the order accepted.
    const open = order.filter((_, i) => votes[i] === null);
    for (const sid of open) {
      const s = (await this.repo.statement(o.id, sid))?.statement;
      if (s && s.authorId !== userId) return { statement: shown(s, userId, false), answered, total: order.length };
    }
    const own = open[0] ? ((await this.repo.statement(o.id, open[0]))?.statement ?? null) : null;
    return { statement: own, answered, total: order.length };
  }

  /** The map as `actor` may see it: points anonymous but for "you"; group members to moderators only. */
  async map(actor: Actor, o: Opinion): Promise<MapView> {
    const { rev, analysis: a } = await this.maps.fresh(o.id);
    const mod = this.mayModerate(actor, o);
    const texts = new Map((await this.repo.statements(o.id)).map((x) => [x.statement.id, x.statement.text]));
    const mine = a.points.find((p) => p.id === actor.userId);
    const answered = (
      await this.repo.votesOf(
        o.id,
        actor.userId,
        a.statements.map((s) => s.id),
      )
    ).filter((v) => v !== null).length;
    const points = a.points
      .map((p) => ({ x: p.x, y: p.y, group: p.group, ...(p.id === actor.userId ? { you: true as const } : {}) }))
      .sort((p, q) => p.group - q.group || p.x - q.x || p.y - q.y);
    return {
      opinionId: o.id,
      rev,
      participants: a.participants,
      clustered: a.clustered,
      minVotes: a.minVotes,
      you: { votes: answered, placed: !!mine, group: mine ? mine.group : null },
      groups: a.groups.map((g) => ({
        id: g.id,
        size: g.members.length,
        members: mod ? g.members : g.members.filter((m) => m === actor.userId),
        representative: g.representative,
      })),
      consensus: a.consensus,
      divisive: a.divisive,
      points,
      statements: a.statements.map((s) => ({ ...s, text: texts.get(s.id) ?? '' })),
      byRole: Object.fromEntries(a.statements.map((s) => [s.id, s.byRole])),
    };
  }

  /** A consensus statement becomes a draft ballot or a clause suggestion; the statement keeps the link. */
  async promote(
    actor: Actor,
    user: StoredUser,
    o: Opinion,
    sid: string,
    body: StatementPromote,
  ): Promise<{ promotion: StatementPromotion; source: OpinionSource }> {
    if (!this.mayModerate(actor, o))
      throw new DomainError('forbidden', 'Only moderators turn statements into ballots or suggestions. 只有主持人可以转为表决或修改建议。');
    const cur = await this.repo.statement(o.id, sid);
    if (!cur || cur.statement.status !== 'accepted') throw noStatement();
    const { analysis } = await this.maps.fresh(o.id);
    if (!analysis.consensus.includes(sid)) {
      throw new DomainError(
        'conflict',
        'Only a consensus statement (every group agrees) can be promoted. 只有各方共识的观点可以转为表决或条款建议。',
      );
    }
    const source: OpinionSource = { opinionId: o.id, statementId: sid };
    const from = `来自意见地图《${o.title}》的共识 · From the opinion map "${o.title}" (opinion ${o.id}, statement ${sid})`;
    let promotion: StatementPromotion;
    if (body.to === 'ballot') {
      if (!(await this.deps.meetingInCommunity(o.communityId, body.meetingId)))
        throw new DomainError('not_found', 'No such meeting. 会议不存在。');
      const { ballotId } = await this.deps.toBallot(user, body.meetingId, { title: cur.statement.text, description: from });
      promotion = { to: 'ballot', ballotId, meetingId: body.meetingId, at: this.now(), by: actor.userId };
    } else {
      const r = await this.deps.toSuggestion(user, o.communityId, body.conventionId, body.clauseId, body.text ?? cur.statement.text, from);
      promotion = {
        to: 'suggestion',
        suggestionId: r.suggestionId,
        conventionId: body.conventionId,
        clauseId: body.clauseId,
        at: this.now(),
        by: actor.userId,
      };
    }
    // Keep the link on the statement (retry the compare-and-set if a moderator wrote meanwhile).
    for (let i = 0; i < 3; i++) {
      const latest = (await this.repo.statement(o.id, sid))!;
      const next = { ...latest.statement, promoted: [...(latest.statement.promoted ?? []), promotion] };
      if (await this.repo.putStatement(next, latest.raw)) break;
    }
    return { promotion, source };
  }
}
