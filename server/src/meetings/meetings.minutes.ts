/**
 * Minutes (会议纪要): generated from the meeting (attendance, quorum, agenda with time used,
 * motions, ballot results, consensus items, problems linked), editable by those who may edit
 * minutes until published, readable by every participant once published, exported as Markdown
 * or .docx.
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { DomainError, composeMinutes, formatAddress, meetingQuorum, type Minutes } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { RosterService } from '../roster/roster.service.ts';
import type { MeetingAccess, MeetingsService } from './meetings.service.ts';
import { tallyAttendance } from './meetings.state.ts';

const minutesNotPublished = () => new DomainError('not_found', 'The minutes of this meeting are not published yet. 会议纪要尚未发布。');

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
    if (prev?.publishedAt)
      throw new DomainError('conflict', 'The minutes are published and can no longer be edited. 纪要已发布，不能再修改。');
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
    if (s.meeting.status !== 'closed')
      throw new DomainError('conflict', 'Close the meeting before publishing its minutes. 请先结束会议再发布纪要。');
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

  /** The generated minutes (Markdown) from what the meeting recorded, in the meeting's language (zh by default). */
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

    const listed = [...problemIds, ...problems.map((p) => p.id).filter((id) => !problemIds.includes(id))];
    const motionOf = (mo: (typeof live.motions)[number]) => ({ text: mo.text, status: mo.status });
    return composeMinutes(
      {
        title: m.title,
        ...((m.startedAt ?? m.startsAt) ? { startedAt: m.startedAt ?? Date.parse(m.startsAt!) } : {}),
        ...(m.closedAt ? { closedAt: m.closedAt } : {}),
        ...(m.place ? { place: m.place } : {}),
        mode: m.mode,
        ...(m.conveners ? { conveners: m.conveners } : {}),
        facilitators: facilitators.map((u) => u?.displayName).filter((n): n is string => !!n),
        ...(m.topic ? { topic: m.topic } : {}),
        attendance,
        quorum: q,
        agenda: live.agenda.map((item) => ({
          title: item.title,
          ...(item.description ? { description: item.description } : {}),
          usedMs: item.usedMs,
          ...(item.plannedMinutes ? { plannedMinutes: item.plannedMinutes } : {}),
          ...(item.clauseRefs ? { clauseRefs: item.clauseRefs } : {}),
          motions: live.motions.filter((x) => x.itemId === item.id).map(motionOf),
        })),
        motions: live.motions.map((mo) => ({ ...motionOf(mo), proposerName: mo.proposerName, seconds: mo.seconds.map((x) => x.name) })),
        ballots: results.map((r) => ({
          title: r.title,
          ...(r.rule ? { rule: r.rule } : {}),
          outcome: (r.outcome ?? null) as { passed?: boolean | null; reason?: string } | null,
          ...(r.head ? { head: r.head } : {}),
        })),
        // Agenda-linked first, in agenda order, then those the meeting accepted.
        problems: listed.flatMap((id) => {
          const p = problems.find((x) => x.id === id);
          return p
            ? [
                {
                  title: p.title,
                  status: p.status,
                  ...(p.assignee ? { assignee: p.assignee } : {}),
                  ...(p.dueDate ? { dueDate: p.dueDate } : {}),
                },
              ]
            : [];
        }),
        checkIns: checkIns.map((c) => {
          const h = byId.get(c.householdId);
          return { address: h ? formatAddress(h) : c.householdId, byName: c.byName };
        }),
      },
      m.language ?? 'zh',
    );
  }
}

/** Text with **bold** spans as Word runs. */
function runs(text: string): TextRun[] {
  return text
    .split(/(\*\*.+?\*\*)/)
    .filter(Boolean)
    .map((part) => (/^\*\*.+\*\*$/.test(part) ? new TextRun({ text: part.slice(2, -2), bold: true }) : new TextRun(part)));
}

/** The few Markdown forms the minutes use (#, ##, ###, "- ", paragraphs, **bold**) as a Word document. */
export async function markdownToDocx(markdown: string, title: string): Promise<Buffer> {
  const children: Paragraph[] = [];
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    const h = /^(#{1,3})\s+(.*)$/.exec(line);
    if (h) {
      const level = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3][h[1]!.length - 1];
      children.push(
        new Paragraph({
          heading: level,
          ...(h[1]!.length === 1 ? { alignment: AlignmentType.CENTER } : {}),
          children: [new TextRun(h[2]!.replace(/\*\*(.+?)\*\*/g, '$1'))],
        }),
      );
    } else if (/^\s*[-*]\s+/.test(line)) {
      children.push(new Paragraph({ bullet: { level: 0 }, children: runs(line.replace(/^\s*[-*]\s+/, '')) }));
    } else {
      children.push(new Paragraph({ children: runs(line) }));
    }
  }
  const doc = new Document({
    title,
    creator: '邻里 Linli',
    styles: { default: { document: { run: { font: 'SimSun', size: 24 } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(doc);
}
