/**
 * Minutes (会议纪要): generated from the meeting (attendance, quorum, agenda with time used,
 * motions, ballot results, consensus items, problems linked), editable by those who may edit
 * minutes until published, readable by every participant once published, exported as Markdown
 * or .docx.
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { DomainError, formatAddress, formatArea, meetingQuorum, type Minutes, type Meeting } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { RosterService } from '../roster/roster.service.ts';
import type { MeetingAccess, MeetingsService } from './meetings.service.ts';
import { tallyAttendance } from './meetings.state.ts';

const MODE: Record<Meeting['mode'], string> = { online: '线上 online', hall: '现场 in the hall', hybrid: '线上 + 现场 hybrid' };
const ROLE: Record<string, string> = {
  admin: '管理员',
  owner: '业主',
  resident: '住户',
  property_firm: '物业',
  owners_committee: '业委会',
  party_branch: '党支部',
  building_leader: '楼栋长',
  notable: '贤达能人',
  facilitator: '主持人',
  guest: '列席',
};
const PROBLEM: Record<string, string> = { raised: '已提出 raised', accepted: '已受理 accepted', in_progress: '处理中 in progress', resolved: '已解决 resolved', rejected: '不予受理 rejected' };
const MOTION: Record<string, string> = { proposed: '已提出 proposed', seconded: '已附议 seconded', balloted: '已付表决 balloted', withdrawn: '已撤回 withdrawn' };

const minutesNotPublished = () => new DomainError('not_found', 'The minutes of this meeting are not published yet. 会议纪要尚未发布。');

/** China time, minutes precision: `2026-11-25 14:30`. */
function when(ms: number | string | undefined): string {
  if (ms === undefined) return '—';
  const t = typeof ms === 'string' ? Date.parse(ms) : ms;
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

function outcomeText(outcome: unknown): string {
  const o = (outcome ?? {}) as { passed?: boolean | null; reason?: string };
  const verdict = o.passed === true ? '通过 passed' : o.passed === false ? '未通过 not passed' : '未定 undecided';
  return o.reason ? `${verdict}（${o.reason}）` : verdict;
}

export class MeetingsMinutes {
  constructor(
    private readonly meetings: MeetingsService,
    private readonly auth: AuthService,
    private readonly roster: RosterService,
    private readonly now: () => number = Date.now,
  ) {}

  #mayEdit(a: MeetingAccess): boolean {
    try {
      this.meetings.requireCan(a, 'minutes.edit');
      return !a.guest;
    } catch {
      return false;
    }
  }

  /** The minutes: editors see the draft (stored edit, or generated now); others only once published. */
  async get(a: MeetingAccess): Promise<{ minutes: Minutes; editable: boolean }> {
    const stored = await this.meetings.repo.getMinutes(a.meeting.id);
    const mayEdit = this.#mayEdit(a);
    if (stored?.publishedAt) return { minutes: stored, editable: false };
    if (!mayEdit) throw minutesNotPublished();
    return { minutes: stored ?? { markdown: await this.generate(a.meeting.id), generated: true }, editable: true };
  }

  /** Saves an edited text (minutes.edit), until published. */
  async edit(a: MeetingAccess, markdown: string): Promise<Minutes> {
    if (!this.#mayEdit(a)) throw new DomainError('forbidden', 'You may not edit the minutes. 您不能编辑会议纪要。');
    const prev = await this.meetings.repo.getMinutes(a.meeting.id);
    if (prev?.publishedAt) throw new DomainError('conflict', 'The minutes are published and can no longer be edited. 纪要已发布，不能再修改。');
    const next: Minutes = { markdown, generated: false, editedAt: this.now(), editedBy: a.user.displayName };
    if (!(await this.meetings.repo.saveMinutes(a.meeting.id, prev, next))) {
      throw new DomainError('conflict', 'The minutes changed meanwhile; reload and edit again. 纪要已被他人修改，请刷新。');
    }
    return next;
  }

  /** Publishes the minutes of a closed meeting (the edited text, else the generated one). */
  async publish(a: MeetingAccess): Promise<Minutes> {
    if (!this.#mayEdit(a)) throw new DomainError('forbidden', 'You may not publish the minutes. 您不能发布会议纪要。');
    const s = await this.meetings.require(a.meeting.id);
    if (s.meeting.status !== 'closed') throw new DomainError('conflict', 'Close the meeting before publishing its minutes. 请先结束会议再发布纪要。');
    const prev = await this.meetings.repo.getMinutes(a.meeting.id);
    if (prev?.publishedAt) return prev;
    const base = prev ?? { markdown: await this.generate(a.meeting.id), generated: true };
    const next: Minutes = { ...base, publishedAt: this.now(), publishedBy: a.user.displayName };
    if (!(await this.meetings.repo.saveMinutes(a.meeting.id, prev, next))) {
      throw new DomainError('conflict', 'The minutes changed meanwhile; try again. 纪要已被他人修改，请重试。');
    }
    return next;
  }

  async export(a: MeetingAccess, format: 'md' | 'docx'): Promise<{ body: Buffer | string; contentType: string; filename: string }> {
    const { minutes } = await this.get(a);
    const filename = `${a.meeting.title.replace(/[\\/:*?"<>|]/g, '_')}-纪要.${format}`;
    if (format === 'md') return { body: minutes.markdown, contentType: 'text/markdown; charset=utf-8', filename };
    return {
      body: await markdownToDocx(minutes.markdown, a.meeting.title),
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      filename,
    };
  }

  /** The generated minutes (Markdown) from what the meeting recorded. */
  async generate(meetingId: string): Promise<string> {
    const { meeting: m, live } = await this.meetings.require(meetingId);
    const repo = this.meetings.repo;
    const [people, checkIns, households, results, facilitators] = await Promise.all([
      repo.attendees(m.id),
      repo.checkIns(m.id),
      this.roster.listHouseholds(m.communityId),
      this.meetings.resultsFor(m.id),
      Promise.all(m.facilitatorIds.map((id) => this.auth.getUser(id))),
    ]);
    const byId = new Map(households.map((h) => [h.id, h]));
    // Everyone who attended at some point (not only those still connected at the end).
    const { attendance, presentHouseholds } = tallyAttendance(people, checkIns, byId, people.length + checkIns.length);
    const q = meetingQuorum(households, presentHouseholds);
    const problemIds = [...new Set(live.agenda.flatMap((a) => a.problemIds ?? []))];
    const problems = await this.meetings.problemsFor(m.id, problemIds);

    const out: string[] = [`# 会议纪要 Minutes：${m.title}`, ''];
    out.push(`- 时间 Time：${when(m.startedAt ?? m.startsAt)} – ${when(m.closedAt)}`);
    if (m.place) out.push(`- 地点 Place：${m.place}`);
    out.push(`- 形式 Mode：${MODE[m.mode]}`);
    if (m.conveners?.length) out.push(`- 召集 Convened by：${m.conveners.map((r) => ROLE[r] ?? r).join('、')}`);
    out.push(`- 主持 Facilitated by：${facilitators.map((u) => u?.displayName).filter(Boolean).join('、') || '—'}`);
    if (m.topic) out.push('', m.topic);

    out.push('', '## 出席 Attendance', '');
    out.push(`- 参会人数 People：${attendance.present}（成员 members ${attendance.members}，列席 guests ${attendance.guests}，现场登记 checked in ${attendance.checkedIn}）`);
    out.push(`- 到会户数 Households：${attendance.households}`);
    const roles = Object.entries(attendance.byRole).sort(([, x], [, y]) => y - x);
    if (roles.length) out.push(`- 按角色 By role：${roles.map(([r, n]) => `${ROLE[r] ?? r} ${n}`).join('，')}`);
    if (attendance.byBuilding.length) out.push(`- 按楼栋 By building：${attendance.byBuilding.map((b) => `${b.building}栋 ${b.households} 户`).join('，')}`);
    out.push(
      `- 业主参与（民法典第二百七十八条）Owners taking part (Civil Code Art. 278)：${q.owners.present}/${q.owners.total} 人，` +
        `${formatArea(q.areaCentiares.present)}/${formatArea(q.areaCentiares.total)} m²，` +
        (q.met ? '达到三分之二 two thirds reached' : `未达到三分之二 two thirds not reached（尚差 ${q.needed.owners} 人、${formatArea(q.needed.areaCentiares)} m²）`),
    );

    out.push('', '## 议程 Agenda', '');
    if (live.agenda.length === 0) out.push('（无 none）');
    live.agenda.forEach((item, i) => {
      out.push(`### ${i + 1}. ${item.title}`, '');
      if (item.description) out.push(item.description, '');
      const used = Math.round(item.usedMs / 60_000);
      out.push(`- 用时 Time used：${used} 分钟 min${item.plannedMinutes ? `（计划 planned ${item.plannedMinutes}）` : ''}`);
      for (const c of item.clauseRefs ?? []) out.push(`- 条款 Clause：${c.conventionId} / ${c.clauseId}`);
      const motions = live.motions.filter((x) => x.itemId === item.id);
      for (const mo of motions) out.push(`- 动议 Motion：${mo.text}（${MOTION[mo.status]}）`);
    });

    out.push('', '## 动议 Motions', '');
    if (live.motions.length === 0) out.push('（无 none）');
    for (const mo of live.motions) {
      const seconds = mo.seconds.map((s) => s.name).join('、');
      out.push(`- ${mo.text} —— 提出 proposed by ${mo.proposerName}${seconds ? `；附议 seconded by ${seconds}` : ''}；${MOTION[mo.status]}`);
    }

    out.push('', '## 表决结果 Ballots', '');
    if (results.length === 0) out.push('（无 none）');
    // The chain head lets anyone check a downloaded audit log against these minutes (npm run verify -- --head).
    for (const r of results) out.push(`- ${r.title}：${outcomeText(r.outcome)}${r.head ? `；审计链头 audit chain head ${r.head.hash}:${r.head.length}` : ''}`);

    const consensus = results.filter((r) => (r.outcome as { passed?: boolean } | null)?.passed === true);
    out.push('', '## 共识 Consensus items', '');
    if (consensus.length === 0) out.push('（无 none）');
    for (const r of consensus) out.push(`- ${r.title}`);

    out.push('', '## 问题清单 Problems', '');
    // Agenda-linked first, in agenda order, then those the meeting accepted.
    const listed = [...problemIds, ...problems.map((p) => p.id).filter((id) => !problemIds.includes(id))];
    if (listed.length === 0) out.push('（无 none）');
    for (const id of listed) {
      const p = problems.find((x) => x.id === id);
      out.push(p ? `- ${p.title}：${PROBLEM[p.status] ?? p.status}${p.assignee ? `，责任方 ${ROLE[p.assignee] ?? p.assignee}` : ''}${p.dueDate ? `，期限 ${p.dueDate}` : ''}` : `- ${id}`);
    }
    if (checkIns.length) {
      out.push('', '## 现场登记 Checked in by hand', '');
      for (const c of checkIns) {
        const h = byId.get(c.householdId);
        out.push(`- ${h ? formatAddress(h) : c.householdId}（登记人 by ${c.byName}）`);
      }
    }
    return out.join('\n') + '\n';
  }
}

/** The few Markdown forms the minutes use (#, ##, ###, "- ", paragraphs) as a Word document. */
export async function markdownToDocx(markdown: string, title: string): Promise<Buffer> {
  const children: Paragraph[] = [];
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.replace(/\*\*(.+?)\*\*/g, '$1').trimEnd();
    if (!line.trim()) continue;
    const h = /^(#{1,3})\s+(.*)$/.exec(line);
    if (h) {
      const level = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3][h[1]!.length - 1];
      children.push(new Paragraph({ heading: level, ...(h[1]!.length === 1 ? { alignment: AlignmentType.CENTER } : {}), children: [new TextRun(h[2]!)] }));
    } else if (/^\s*[-*]\s+/.test(line)) {
      children.push(new Paragraph({ bullet: { level: 0 }, children: [new TextRun(line.replace(/^\s*[-*]\s+/, ''))] }));
    } else {
      children.push(new Paragraph({ children: [new TextRun(line)] }));
    }
  }
  const doc = new Document({ title, creator: 'Linli 邻里', styles: { default: { document: { run: { font: 'SimSun', size: 24 } } } }, sections: [{ children }] });
  return Packer.toBuffer(doc);
}
