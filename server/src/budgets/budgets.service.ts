/**
 * Micro-project budgets (民生微实事): create / open / close, proposals (a manager's are accepted at
 * once, others wait for a manager), one choice per household or per member with receipts and the
 * audit chain, paper choices, the result by the funding rule (shared/src/budgets/funding.ts), the
 * funded projects' progress to done, residents' ratings, and the three lists (三项清单).
 */
import {
  BudgetCreate,
  BudgetPaperChoice,
  BudgetVote,
  DomainError,
  FUNDING_RULE,
  ProjectCreate,
  ProjectRate,
  ProjectReject,
  ProjectUpdateCreate,
  budgetResultData,
  buildThreeLists,
  parseChainHead,
  can,
  choiceProblem,
  countSupport,
  fundProjects,
  parseOrThrow,
  type Action,
  type Actor,
  type Budget,
  type BudgetResult,
  type Problem,
  type Project,
  type ThreeLists,
} from '@linli/shared';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { newId } from '../common/ids.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { BudgetsRepository } from './budgets.repository.ts';
import {
  auditBody,
  choiceError,
  meanOf,
  newReceipt,
  notFound,
  sha256hex,
  toBudget,
  type ProjectView,
  type StoredBudget,
  type StoredChoice,
} from './budgets.model.ts';

export interface Loaded {
  stored: StoredBudget;
  status: string;
}

/** The problems ledger of a community (needs and resources come from it). */
export type LedgerPort = (cid: string) => Promise<Problem[]>;

const forbidden = (action: Action) => new DomainError('forbidden', `You may not do this (${action}). 您没有此操作的权限。`);

export class BudgetsService {
  constructor(
    readonly repo: BudgetsRepository,
    private readonly deps: { auth: AuthService; stats: StatsRepository; ledger: LedgerPort; now?: () => number },
  ) {}

  now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  async load(id: string): Promise<Loaded> {
    const raw = await this.repo.get(id);
    if (!raw) throw notFound();
    const b: Loaded = { stored: JSON.parse(raw.metaJson) as StoredBudget, status: raw.status };
    return (await this.openIfDue(b)) || (await this.closeIfDue(b)) ? this.load(id) : b;
  }

  view(b: Loaded): Budget {
    return toBudget(b.stored, b.status);
  }

  /** The caller's actor in the budget's community; outsiders get 404, members without the action 403. */
  async access(user: StoredUser | undefined, id: string, action: Action): Promise<{ b: Loaded; actor: Actor }> {
    if (!user) throw new DomainError('unauthenticated', 'Please sign in first. 请先登录。');
    const b = await this.load(id);
    const actor = await this.deps.auth.actor(user, b.stored.communityId);
    if (!actor.isAdmin && actor.roles.length === 0) throw notFound();
    if (!can(actor, action, { communityId: b.stored.communityId })) throw forbidden(action);
    return { b, actor };
  }

  /** The budget a project belongs to, checked as `access` does. */
  async accessProject(
    user: StoredUser | undefined,
    pid: string,
    action: Action,
  ): Promise<{ b: Loaded; actor: Actor; project: Project; raw: string }> {
    const bid = await this.repo.budgetOfProject(pid);
    if (!bid) throw notFound();
    const { b, actor } = await this.access(user, bid, action);
    const raw = await this.repo.project(bid, pid);
    if (!raw) throw notFound();
    return { b, actor, project: JSON.parse(raw) as Project, raw };
  }

  async create(actor: Actor, cid: string, body: unknown): Promise<Loaded> {
    if (!can(actor, 'budget.manage', { communityId: cid })) throw forbidden('budget.manage');
    const input = parseOrThrow(BudgetCreate, body, 'budget');
    const id = newId();
    const now = this.now();
    const stored: StoredBudget = {
      id,
      communityId: cid,
      title: input.title,
      amountFen: input.amountFen,
      electorate: input.electorate,
      ...(input.opensAt ? { opensAt: input.opensAt } : {}),
      ...(input.closesAt ? { closesAt: input.closesAt } : {}),
      createdAt: now,
      createdBy: actor.userId,
    };
    const metaJson = JSON.stringify(stored);
    await this.repo.create(id, cid, metaJson, now, input.closesAt);
    await this.repo.transition(
      id,
      ['draft'],
      'draft',
      metaJson,
      auditBody(id, 'created', {
        title: stored.title,
        communityId: cid,
        amountFen: stored.amountFen,
        electorate: stored.electorate,
        opensAt: stored.opensAt ?? null,
        closesAt: stored.closesAt ?? null,
        by: actor.userId,
      }),
    );
    return this.load(id);
  }

  async list(cid: string): Promise<Loaded[]> {
    const out: Loaded[] = [];
    for (const id of await this.repo.idsOf(cid)) {
      const b = await this.load(id).catch(() => null);
      if (b) out.push(b);
    }
    return out;
  }

  async open(actor: Actor, b: Loaded): Promise<Loaded> {
    if (b.stored.closesAt && b.stored.closesAt <= this.now())
      throw new DomainError('conflict', 'The closing time has passed. 截止时间已过。');
    const stored = { ...b.stored, openedAt: this.now() };
    const accepted = (await this.projects(b.stored.id)).filter((p) => p.status === 'accepted');
    const r = await this.repo.transition(
      b.stored.id,
      ['draft'],
      'open',
      JSON.stringify(stored),
      auditBody(b.stored.id, 'opened', { by: actor.userId, projects: accepted.map((p) => ({ id: p.id, costFen: p.costFen, seq: p.seq })) }),
    );
    if (r[0] !== 'ok') throw new DomainError('conflict', `The budget is ${r[1]}; only a draft opens. 只有草稿状态可以开始。`);
    return this.load(b.stored.id);
  }

  async close(by: string, b: Loaded): Promise<Loaded> {
    const stored = { ...b.stored, closedAt: this.now() };
    const r = await this.repo.transition(b.stored.id, ['open'], 'closed', JSON.stringify(stored), auditBody(b.stored.id, 'closed', { by }));
    if (r[0] !== 'ok' && r[1] !== 'closed')
      throw new DomainError('conflict', `The budget is ${r[1]}; only an open budget closes. 只有进行中的预算可以结束。`);
    await this.finalize(b.stored.id);
    return this.load(b.stored.id);
  }

  /** Opens a draft whose opening time has come (any reader may trigger it; exactly once). */
  async openIfDue(b: Loaded): Promise<boolean> {
    if (b.status !== 'draft' || !b.stored.opensAt || b.stored.opensAt > this.now()) return false;
    if (b.stored.closesAt && b.stored.closesAt <= this.now()) return false;
    const accepted = (await this.projects(b.stored.id)).filter((p) => p.status === 'accepted');
    const stored = { ...b.stored, openedAt: b.stored.opensAt };
    await this.repo.transition(
      b.stored.id,
      ['draft'],
      'open',
      JSON.stringify(stored),
      auditBody(b.stored.id, 'opened', { by: 'schedule', projects: accepted.map((p) => ({ id: p.id, costFen: p.costFen, seq: p.seq })) }),
    );
    return true;
  }

  /** Closes a budget whose closing time has passed (any reader may trigger it; exactly once). */
  async closeIfDue(b: Loaded): Promise<boolean> {
    if (b.status !== 'open' || !b.stored.closesAt || b.stored.closesAt > this.now()) return false;
    const r = await this.repo.transition(
      b.stored.id,
      ['open'],
      'closed',
      JSON.stringify({ ...b.stored, closedAt: b.stored.closesAt }),
      auditBody(b.stored.id, 'closed', { by: 'deadline' }),
    );
    if (r[0] === 'ok') await this.finalize(b.stored.id);
    return true;
  }

  async projects(bid: string): Promise<Project[]> {
    return (await this.repo.projects(bid)).map((j) => JSON.parse(j) as Project).sort((a, b) => a.seq - b.seq);
  }

  async projectView(b: Loaded, p: Project, userId?: string): Promise<ProjectView> {
    if (p.status !== 'done') return p;
    const all = await this.repo.ratings(b.stored.id, p.id);
    const distribution = [0, 0, 0, 0, 0];
    for (const s of Object.values(all)) distribution[Number(s) - 1]! += 1;
    const count = Object.keys(all).length;
    return { ...p, rating: { count, mean: meanOf(distribution), distribution }, ...(userId ? { ratedByMe: userId in all } : {}) };
  }

  async #checkLinks(cid: string, needIds: readonly string[], resourceIds: readonly string[]): Promise<void> {
    if (needIds.length + resourceIds.length === 0) return;
    const ledger = new Map((await this.deps.ledger(cid)).map((p) => [p.id, p]));
    for (const [ids, tag] of [
      [needIds, 'need'],
      [resourceIds, 'resource'],
    ] as const) {
      const bad = ids.find((id) => !ledger.get(id)?.tags.includes(tag));
      if (bad)
        throw new DomainError(
          'validation_failed',
          `${bad} is not a ${tag} in this community's problems ledger. 关联的条目不在本小区的${tag === 'need' ? '需求' : '资源'}清单中。`,
          { issues: [{ path: tag === 'need' ? 'needIds' : 'resourceIds', message: bad }] },
        );
    }
  }

  async propose(user: StoredUser, actor: Actor, b: Loaded, body: unknown): Promise<Project> {
    const input = parseOrThrow(ProjectCreate, body, 'project');
    if (b.status === 'closed') throw new DomainError('conflict', 'The budget is closed. 预算已结束。');
    await this.#checkLinks(b.stored.communityId, input.needIds, input.resourceIds);
    const manager = can(actor, 'budget.manage', { communityId: b.stored.communityId });
    const project: Project = {
      id: newId(),
      budgetId: b.stored.id,
      communityId: b.stored.communityId,
      seq: await this.repo.nextSeq(b.stored.id),
      title: input.title,
      description: input.description,
      costFen: input.costFen,
      needIds: input.needIds,
      resourceIds: input.resourceIds,
      status: manager ? 'accepted' : 'proposed',
      proposedBy: { userId: user.id, name: user.displayName },
      proposedAt: this.now(),
      updates: [],
    };
    // Proposals stay possible while the budget is open; choices made before still count as they were.
    const r = await this.repo.writeProject(
      b.stored.id,
      project.id,
      '',
      JSON.stringify(project),
      auditBody(b.stored.id, 'project_proposed', {
        projectId: project.id,
        seq: project.seq,
        title: project.title,
        costFen: project.costFen,
        status: project.status,
        by: user.id,
      }),
      ['draft', 'open'],
    );
    if (r !== 'ok') throw new DomainError('conflict', 'The budget is closed. 预算已结束。');
    return project;
  }

  async #changeProject(
    user: StoredUser,
    pid: string,
    action: Action,
    plan: (p: Project, b: Loaded) => { next: Project; type: string; data: Record<string, unknown>; statuses?: string[] },
  ): Promise<{ b: Loaded; project: Project }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const { b, project, raw } = await this.accessProject(user, pid, action);
      const { next, type, data, statuses } = plan(project, b);
      const r = await this.repo.writeProject(
        b.stored.id,
        pid,
        raw,
        JSON.stringify(next),
        auditBody(b.stored.id, type, { projectId: pid, ...data, by: user.id }),
        statuses ?? [],
      );
      if (r === 'ok') return { b, project: next };
      if (r === 'status') throw new DomainError('conflict', 'The budget is closed. 预算已结束。');
    }
    throw new DomainError('conflict', 'The project changed meanwhile; reload. 项目已变化，请刷新。');
  }

  accept(user: StoredUser, pid: string): Promise<{ b: Loaded; project: Project }> {
    return this.#changeProject(user, pid, 'budget.manage', (p) => {
      if (p.status !== 'proposed')
        throw new DomainError('conflict', `The project is ${p.status}; only a proposal is accepted. 只有待受理的项目可以受理。`);
      return { next: { ...p, status: 'accepted' }, type: 'project_accepted', data: { costFen: p.costFen }, statuses: ['draft', 'open'] };
    });
  }

  reject(user: StoredUser, pid: string, body: unknown): Promise<{ b: Loaded; project: Project }> {
    const { reason } = parseOrThrow(ProjectReject, body, 'rejection');
    return this.#changeProject(user, pid, 'budget.manage', (p) => {
      if (p.status !== 'proposed')
        throw new DomainError('conflict', `The project is ${p.status}; only a proposal is rejected. 只有待受理的项目可以不予受理。`);
      return {
        next: { ...p, status: 'rejected', ...(reason ? { rejectReason: reason } : {}) },
        type: 'project_rejected',
        data: { reason: reason ?? null },
        statuses: ['draft', 'open'],
      };
    });
  }

  /** A dated note on a funded project; `status` moves it selected → in_progress → done. */
  async update(user: StoredUser, pid: string, body: unknown): Promise<{ b: Loaded; project: Project }> {
    const input = parseOrThrow(ProjectUpdateCreate, body, 'update');
    const at = this.now();
    const out = await this.#changeProject(user, pid, 'budget.manage', (p) => {
      if (!['selected', 'in_progress', 'done'].includes(p.status))
        throw new DomainError('conflict', 'Only a funded project gets progress updates. 只有立项的项目可以更新进度。');
      const to = input.status ?? p.status;
      const okStep =
        to === p.status
          ? p.status !== 'done' || !input.status
          : (p.status === 'selected' && to === 'in_progress') || (p.status === 'in_progress' && to === 'done');
      if (!okStep)
        throw new DomainError(
          'conflict',
          `A project moves selected → in progress → done; it is ${p.status}. 项目按 已立项 → 实施中 → 已完成 推进。`,
        );
      return {
        next: {
          ...p,
          status: to,
          updates: [...p.updates, { at, text: input.text, status: to, by: { userId: user.id, name: user.displayName } }],
        },
        type: 'project_update',
        data: { from: p.status, to, text: input.text },
      };
    });
    if (input.status === 'done') await this.deps.stats.add(out.b.stored.communityId, 'projects_done', 1, at);
    return out;
  }

  /** A member's 1–5 stars for a done project, once. */
  async rate(user: StoredUser, pid: string, body: unknown): Promise<ProjectView> {
    const { stars } = parseOrThrow(ProjectRate, body, 'rating');
    const { b, project } = await this.accessProject(user, pid, 'evaluation.answer');
    if (project.status !== 'done') throw new DomainError('conflict', 'A project is rated once it is done. 项目完成后才能评价。');
    if (!(await this.repo.rate(b.stored.id, pid, user.id, stars)))
      throw new DomainError('already_rated', 'You have rated this project already. 您已评价过该项目。', { status: 409 });
    return this.projectView(b, project, user.id);
  }

  /** The accepted projects a choice is made from (id → cost). */
  async #accepted(bid: string): Promise<Map<string, Project>> {
    return new Map((await this.projects(bid)).filter((p) => p.status === 'accepted').map((p) => [p.id, p]));
  }

  async #record(
    b: Loaded,
    voterKey: string,
    projectIds: string[],
    opts: { channel: 'phone' | 'paper'; by: string; idempotencyKey: string; householdId?: string },
  ): Promise<{ receipt: string; repeated: boolean }> {
    if (b.status !== 'open')
      throw new DomainError(
        b.status === 'closed' ? 'closed' : 'not_open',
        b.status === 'closed' ? 'The budget is closed. 预算已结束。' : 'Choosing has not started yet. 尚未开始选择。',
        { status: 409 },
      );
    const problem = choiceProblem(projectIds, await this.#accepted(b.stored.id), b.stored.amountFen);
    if (problem) throw choiceError(problem);
    const receipt = newReceipt();
    const choice: Omit<StoredChoice, 'at'> = { receipt, projectIds, channel: opts.channel, by: opts.by };
    const voter = voterKey.startsWith('m:')
      ? { memberId: voterKey.slice(2) }
      : voterKey.startsWith('h:')
        ? { householdId: voterKey.slice(2) }
        : { paperRef: voterKey.slice(2) };
    const r = await this.repo.choose({
      budgetId: b.stored.id,
      voterKey,
      receipt,
      choiceJson: JSON.stringify(choice),
      idemField: sha256hex(`${b.stored.id}|${voterKey}|${opts.idempotencyKey}`),
      ...auditBody(b.stored.id, opts.channel === 'paper' ? 'paper_vote' : 'vote', { ...voter, receipt, channel: opts.channel, projectIds }),
    });
    switch (r[0]) {
      case 'ok':
        return { receipt, repeated: false };
      case 'dup':
        return { receipt: r[1]!, repeated: true };
      case 'not_open':
        throw new DomainError(
          r[1] === 'closed' ? 'closed' : 'not_open',
          r[1] === 'closed' ? 'The budget is closed. 预算已结束。' : 'Choosing has not started yet. 尚未开始选择。',
          { status: 409 },
        );
      case 'closed':
        throw new DomainError('closed', 'The closing time has passed; no choice counts after it. 已截止，截止后的选择不计入。', {
          status: 409,
        });
      case 'already': {
        const prev = JSON.parse(r[1]!) as StoredChoice;
        const households = voterKey.startsWith('h:');
        throw new DomainError(
          households ? 'household_answered' : 'already_answered',
          households
            ? 'Your household has already chosen; the first choice counts. 本户已作出选择，以第一次为准。'
            : 'You have already chosen; the first choice counts. 您已作出选择，以第一次为准。',
          {
            status: 409,
            issues: [{ path: households ? 'householdId' : 'memberId', message: JSON.stringify({ channel: prev.channel, at: prev.at }) }],
          },
        );
      }
      default:
        throw new DomainError('conflict', 'Could not record the choice; try again. 未能记录，请重试。');
    }
  }

  /** The voter key of a member: their household (households budget) or themself (members budget). */
  async #voterOf(user: StoredUser, b: Loaded, householdId?: string): Promise<string> {
    if (b.stored.electorate.kind === 'members') return `m:${user.id}`;
    const held = (await this.deps.auth.membership(b.stored.communityId, user.id))?.householdIds ?? [];
    if (held.length === 0)
      throw new DomainError(
        'forbidden',
        'This budget is chosen per household, and no household is registered for you; ask for a paper choice. 本预算按户选择，您名下没有登记房屋，请用纸质选票。',
      );
    const hid = householdId ?? (held.length === 1 ? held[0] : undefined);
    if (!hid)
      throw new DomainError('validation_failed', 'You hold several households: give householdId. 您有多套房屋，请选择一户。', {
        issues: [{ path: 'householdId', message: 'required' }],
      });
    if (!held.includes(hid)) throw new DomainError('forbidden', 'That household is not yours. 这不是您的房屋。');
    return `h:${hid}`;
  }

  async vote(user: StoredUser, b: Loaded, body: unknown): Promise<{ receipt: string; repeated: boolean }> {
    const input = parseOrThrow(BudgetVote, body, 'choice');
    const voterKey = await this.#voterOf(user, b, input.householdId);
    return this.#record(b, voterKey, input.projectIds, { channel: 'phone', by: user.id, idempotencyKey: input.idempotencyKey });
  }

  async paper(user: StoredUser, b: Loaded, body: unknown): Promise<{ receipt: string; repeated: boolean }> {
    const input = parseOrThrow(BudgetPaperChoice, body, 'paper choice');
    const households = b.stored.electorate.kind === 'households';
    if (households !== (input.householdId !== undefined))
      throw new DomainError(
        'validation_failed',
        households
          ? 'This budget is chosen per household: give householdId. 本预算按户选择，请填写户号。'
          : 'This budget is chosen per member: give the paper number (paperRef). 本预算按人选择，请填写选票编号。',
      );
    return this.#record(b, households ? `h:${input.householdId}` : `p:${input.paperRef}`, input.projectIds, {
      channel: 'paper',
      by: user.id,
      idempotencyKey: input.idempotencyKey,
    });
  }

  /** Has this member (or their household) chosen? The receipt when so. */
  async mine(user: StoredUser, b: Loaded): Promise<{ receipt: string; projectIds: string[]; channel: string } | null> {
    const key = await this.#voterOf(user, b).catch(() => null);
    const raw = key ? await this.repo.choice(b.stored.id, key) : null;
    if (!raw) return null;
    const c = JSON.parse(raw) as StoredChoice;
    return { receipt: c.receipt, projectIds: c.projectIds, channel: c.channel };
  }

  /** The result by the funding rule: final (stored once, with its audit entry) after closing, live before. */
  async result(b: Loaded): Promise<BudgetResult> {
    if (b.status === 'closed') {
      let stored = await this.repo.result(b.stored.id);
      // Closed but not written (a process stopped in between): write it now, once.
      if (!stored.json) {
        await this.finalize(b.stored.id);
        stored = await this.repo.result(b.stored.id);
      }
      const head = stored.head ? parseChainHead(stored.head) : null;
      if (stored.json)
        return { ...(JSON.parse(stored.json) as BudgetResult), ...(stored.head && head ? { chainHead: stored.head, head } : {}) };
    }
    return this.#count(b, b.status === 'closed');
  }

  async #count(b: Loaded, final: boolean): Promise<BudgetResult> {
    const projects = [
      ...(await this.projects(b.stored.id)).filter((p) => ['accepted', 'selected', 'in_progress', 'done'].includes(p.status)),
    ];
    const choices = Object.values(await this.repo.choices(b.stored.id)).map((j) => (JSON.parse(j) as StoredChoice).projectIds);
    const { lines, spentFen } = fundProjects(b.stored.amountFen, projects, countSupport(projects, choices));
    return {
      budgetId: b.stored.id,
      amountFen: b.stored.amountFen,
      spentFen,
      remainingFen: b.stored.amountFen - spentFen,
      choices: choices.length,
      final,
      rule: FUNDING_RULE,
      projects: lines,
    };
  }

  /** Writes the final result once (after closing) and moves the funded projects to `selected`. */
  async finalize(bid: string): Promise<void> {
    const raw = await this.repo.get(bid);
    if (!raw || raw.status !== 'closed') return;
    const b: Loaded = { stored: JSON.parse(raw.metaJson) as StoredBudget, status: raw.status };
    const result = await this.#count(b, true);
    const data = budgetResultData(result);
    const r = await this.repo.writeResult(bid, JSON.stringify(result), auditBody(bid, 'result', data));
    if (r[0] !== 'ok') return;
    const funded = result.projects.filter((l) => l.funded).map((l) => l.id);
    for (const pid of funded) {
      const cur = await this.repo.project(bid, pid);
      if (!cur) continue;
      const p = JSON.parse(cur) as Project;
      if (p.status === 'accepted')
        await this.repo.writeProject(
          bid,
          pid,
          cur,
          JSON.stringify({ ...p, status: 'selected' }),
          auditBody(bid, 'project_selected', { projectId: pid }),
        );
    }
    if (funded.length) await this.deps.stats.add(b.stored.communityId, 'projects_funded', funded.length, this.now());
  }

  /** The three lists of a community: ledger needs / resources and every budget's projects, linked. */
  async lists(cid: string): Promise<ThreeLists> {
    const budgets = await this.list(cid);
    const projects = (await Promise.all(budgets.map((b) => this.projects(b.stored.id)))).flat();
    return buildThreeLists(await this.deps.ledger(cid), projects, new Map(budgets.map((b) => [b.stored.id, b.stored.title])));
  }

  async auditLog(id: string): Promise<unknown[]> {
    return (await this.repo.audit(id)).map((l) => JSON.parse(l) as unknown);
  }
}
