/**
 * Deliberation in a meeting: questions (ask, upvote once, moderate: hide, show, answered, merge,
 * spotlight), the meeting's settings (pre-moderation, anonymity) and word clouds (start, answer,
 * hide a word, close). Rules only: it reads and writes through the repository, throws DomainError,
 * and tells listeners which meeting changed so the transport can broadcast.
 */
import {
  DEFAULT_DELIBERATION_SETTINGS,
  DomainError,
  QUESTIONS_PER_WINDOW,
  QUESTION_WINDOW_SECONDS,
  WORDCLOUD_ANSWERS_PER_MEMBER,
  countWords,
  meetingClosed,
  normaliseWord,
  orderQuestions,
  wordsOf,
  type DeliberationSettings,
  type DeliberationSettingsPatch,
  type MeetingQuestion,
  type QuestionCreate,
  type QuestionModerate,
  type WordCloud,
} from '@linli/shared';
import { newId } from '../common/ids.ts';
import type { MeetingAccess, MeetingsService } from '../meetings/meetings.service.ts';
import type { DeliberationRepository, StoredQuestion, StoredWordCloud } from './deliberation.repository.ts';

export type DeliberationChange = { meetingId: string; kind: 'questions' | 'wordcloud' };

const noQuestion = () => new DomainError('not_found', 'No such question. 问题不存在。');
const noWordCloud = () => new DomainError('not_found', 'No such word cloud. 词云不存在。');
const SHOWN: ReadonlySet<string> = new Set(['visible', 'answered']);

export class DeliberationService {
  readonly #listeners = new Set<(c: DeliberationChange) => void>();

  constructor(
    readonly repo: DeliberationRepository,
    private readonly meetings: MeetingsService,
    readonly now: () => number = Date.now,
  ) {}

  onChange(fn: (c: DeliberationChange) => void): void {
    this.#listeners.add(fn);
  }
  #notify(meetingId: string, kind: DeliberationChange['kind']): void {
    for (const fn of this.#listeners) fn({ meetingId, kind });
  }

  /** May moderate questions and word clouds: the facilitator, or deliberation.moderate. */
  isModerator(a: MeetingAccess): boolean {
    try {
      this.meetings.requireCan(a, 'deliberation.moderate');
      return true;
    } catch {
      return false;
    }
  }
  #requireModerator(a: MeetingAccess): void {
    this.meetings.requireCan(a, 'deliberation.moderate');
  }
  #requireParticipant(a: MeetingAccess): void {
    if (a.guest)
      throw new DomainError(
        'forbidden',
        'Guests may read questions but not ask, upvote or answer. 列席人员只能查看，不能提问、点赞或回答。',
      );
    this.meetings.requireCan(a, 'deliberation.take_part');
    if (a.meeting.status === 'closed') throw meetingClosed();
  }

  /** Access of a question's meeting, and the question. */
  async questionAccess(user: Parameters<MeetingsService['access']>[0], session: Parameters<MeetingsService['access']>[1], qid: string) {
    const mid = await this.repo.meetingOfQuestion(qid);
    if (!mid) throw noQuestion();
    const a = await this.meetings.access(user, session, mid);
    return { a, qid };
  }
  async wordCloudAccess(user: Parameters<MeetingsService['access']>[0], session: Parameters<MeetingsService['access']>[1], id: string) {
    const mid = await this.repo.meetingOfWordCloud(id);
    if (!mid) throw noWordCloud();
    const a = await this.meetings.access(user, session, mid);
    return { a, id };
  }

  // ---- settings

  async settings(mid: string): Promise<{ settings: DeliberationSettings; spotlight: string | null; wordcloud: string | null }> {
    const s = await this.repo.settings(mid);
    return { ...s, settings: { ...DEFAULT_DELIBERATION_SETTINGS, ...s.settings } };
  }

  async updateSettings(a: MeetingAccess, patch: DeliberationSettingsPatch): Promise<DeliberationSettings> {
    this.#requireModerator(a);
    await this.repo.setSettings(a.meeting.id, patch);
    this.#notify(a.meeting.id, 'questions');
    return (await this.settings(a.meeting.id)).settings;
  }

  // ---- questions

  #view(q: StoredQuestion, votes: { votes: number; mine: boolean } | undefined, withMine: boolean): MeetingQuestion {
    return {
      id: q.id,
      text: q.text,
      votes: votes?.votes ?? 0,
      status: q.status,
      anonymous: q.anonymous,
      ...(q.anonymous ? {} : { author: q.authorName }),
      ...(q.agendaItemId ? { agendaItemId: q.agendaItemId } : {}),
      ...(q.mergedInto ? { mergedInto: q.mergedInto } : {}),
      createdAt: q.createdAt,
      ...(withMine ? { upvoted: votes?.mine ?? false } : {}),
    };
  }

  /**
   * The questions one person sees, ordered by votes then time: everyone sees visible and answered
   * ones (and their own pending ones); moderators see every status. `a` null: the public list (events).
   */
  async questions(mid: string, a: MeetingAccess | null): Promise<MeetingQuestion[]> {
    const all = (await this.repo.questions(mid)).map((r) => r.q);
    const moderator = a ? this.isModerator(a) : false;
    const shown = all.filter((q) => SHOWN.has(q.status) || moderator || (a && q.status === 'pending' && q.authorId === a.user.id));
    const votes = await this.repo.votes(
      mid,
      shown.map((q) => q.id),
      a?.user.id ?? null,
    );
    return orderQuestions(shown.map((q) => this.#view(q, votes.get(q.id), a !== null)));
  }

  async ask(a: MeetingAccess, input: QuestionCreate): Promise<MeetingQuestion> {
    this.#requireParticipant(a);
    const { settings } = await this.settings(a.meeting.id);
    if (input.anonymous && !settings.allowAnonymous)
      throw new DomainError('forbidden', 'This meeting asks questions with names only. 本次会议不允许匿名提问。');
    const q: StoredQuestion = {
      id: newId(),
      meetingId: a.meeting.id,
      text: input.text,
      status: settings.preModeration && !this.isModerator(a) ? 'pending' : 'visible',
      anonymous: input.anonymous === true,
      authorId: a.user.id,
      authorName: a.user.displayName,
      ...(input.agendaItemId ? { agendaItemId: input.agendaItemId } : {}),
      createdAt: this.now(),
    };
    const windowMs = QUESTION_WINDOW_SECONDS * 1000;
    const r = await this.repo.createQuestion(q, windowMs, QUESTIONS_PER_WINDOW);
    if (!r.ok) {
      const s = Math.max(1, Math.ceil((r.oldest + windowMs - this.now()) / 1000));
      throw new DomainError(
        'rate_limited',
        `At most ${QUESTIONS_PER_WINDOW} questions in ${QUESTION_WINDOW_SECONDS / 60} minutes; try again in ${s} s. 每 ${QUESTION_WINDOW_SECONDS / 60} 分钟最多提 ${QUESTIONS_PER_WINDOW} 个问题，请 ${s} 秒后再试。`,
        { retryAfter: s },
      );
    }
    this.#notify(a.meeting.id, 'questions');
    return this.#view(q, { votes: 0, mine: false }, true);
  }

  /** One upvote per member; again changes nothing and answers the same count. */
  async upvote(a: MeetingAccess, qid: string): Promise<MeetingQuestion> {
    this.#requireParticipant(a);
    const r = await this.repo.upvote(a.meeting.id, qid, a.user.id);
    if (r.status === 'missing') throw noQuestion();
    if (r.status !== 'ok')
      throw new DomainError(
        'conflict',
        r.status === 'merged'
          ? 'This question was merged into another; upvote that one. 该问题已合并，请为合并后的问题点赞。'
          : 'This question cannot be upvoted now. 该问题暂不能点赞。',
      );
    if (r.added) this.#notify(a.meeting.id, 'questions');
    const stored = await this.repo.question(a.meeting.id, qid);
    return this.#view(stored!.q, { votes: r.votes, mine: true }, true);
  }

  /** Hide, show again (also approves a pending one), mark answered, or merge into another. */
  async moderate(a: MeetingAccess, qid: string, m: QuestionModerate): Promise<MeetingQuestion> {
    this.#requireModerator(a);
    const mid = a.meeting.id;
    for (let attempt = 0; attempt < 20; attempt++) {
      const cur = await this.repo.question(mid, qid);
      if (!cur) throw noQuestion();
      const next: StoredQuestion = { ...cur.q };
      if (m.action === 'merge') {
        if (m.into === qid) throw new DomainError('bad_request', 'A question cannot be merged into itself. 不能合并到自身。');
        const target = await this.repo.question(mid, m.into);
        if (!target) throw new DomainError('not_found', 'The question to merge into does not exist in this meeting. 目标问题不存在。');
        if (!SHOWN.has(target.q.status)) throw new DomainError('conflict', 'Merge into a visible question. 只能合并到可见的问题。');
        if (cur.q.status === 'merged') throw new DomainError('conflict', 'This question was already merged. 该问题已合并。');
        next.status = 'merged';
        next.mergedInto = m.into;
      } else {
        if (cur.q.status === 'merged') throw new DomainError('conflict', 'This question was merged into another. 该问题已合并。');
        next.status = m.action === 'hide' ? 'hidden' : m.action === 'answered' ? 'answered' : 'visible';
      }
      if (await this.repo.replaceQuestion(mid, next, cur.raw, m.action === 'merge' ? m.into : undefined)) {
        const { spotlight } = await this.settings(mid);
        if (spotlight === qid && (next.status === 'hidden' || next.status === 'merged')) await this.repo.setSpotlight(mid, null);
        this.#notify(mid, 'questions');
        const votes = await this.repo.votes(mid, [qid], a.user.id);
        return this.#view(next, votes.get(qid), true);
      }
    }
    throw new DomainError('conflict', 'The question is changing fast; try again. 请重试。');
  }

  /** Puts one visible question on the projector (null: none). */
  async spotlight(a: MeetingAccess, qid: string | null): Promise<string | null> {
    this.#requireModerator(a);
    if (qid) {
      const q = await this.repo.question(a.meeting.id, qid);
      if (!q) throw noQuestion();
      if (!SHOWN.has(q.q.status))
        throw new DomainError('conflict', 'Only a visible question can go on the projector. 只能投屏可见的问题。');
    }
    await this.repo.setSpotlight(a.meeting.id, qid);
    this.#notify(a.meeting.id, 'questions');
    return qid;
  }

  // ---- word clouds

  /** Starts a word cloud (the meeting's current one; an open earlier one closes). */
  async startWordCloud(a: MeetingAccess, prompt: string): Promise<StoredWordCloud> {
    this.#requireModerator(a);
    if (a.meeting.status === 'closed') throw meetingClosed();
    const { wordcloud: current } = await this.settings(a.meeting.id);
    if (current) {
      const prev = await this.repo.wordCloud(a.meeting.id, current);
      if (prev?.status === 'open') await this.repo.saveWordCloud({ ...prev, status: 'closed' });
    }
    const w: StoredWordCloud = {
      id: newId(),
      meetingId: a.meeting.id,
      prompt,
      status: 'open',
      createdAt: this.now(),
      createdBy: a.user.id,
    };
    await this.repo.createWordCloud(w);
    await this.repo.setCurrentWordCloud(a.meeting.id, w.id);
    this.#notify(a.meeting.id, 'wordcloud');
    return w;
  }

  async #requireWordCloud(mid: string, id: string): Promise<StoredWordCloud> {
    const w = await this.repo.wordCloud(mid, id);
    if (!w) throw noWordCloud();
    return w;
  }

  /** The word cloud as `a` sees it (hidden words marked for moderators, dropped for others; null `a`: public). */
  async wordCloud(mid: string, id: string, a: MeetingAccess | null): Promise<WordCloud> {
    const w = await this.#requireWordCloud(mid, id);
    const moderator = a ? this.isModerator(a) : false;
    const { all, mine, hidden } = await this.repo.answers(mid, id, a?.user.id ?? null);
    return {
      id: w.id,
      meetingId: mid,
      prompt: w.prompt,
      status: w.status,
      words: countWords(all, { hidden, keepHidden: moderator }),
      answers: all.length,
      ...(a ? { mine } : {}),
      createdAt: w.createdAt,
    };
  }

  /** The meeting's current word cloud, or null. */
  async currentWordCloud(mid: string, a: MeetingAccess | null): Promise<WordCloud | null> {
    const { wordcloud } = await this.settings(mid);
    return wordcloud ? this.wordCloud(mid, wordcloud, a) : null;
  }

  async answerWordCloud(a: MeetingAccess, id: string, text: string): Promise<WordCloud> {
    this.#requireParticipant(a);
    if (wordsOf(text).length === 0)
      throw new DomainError('validation_failed', 'Please write a word (punctuation or 的/了 alone do not count). 请输入词语。');
    const r = await this.repo.answer(a.meeting.id, id, a.user.id, text, WORDCLOUD_ANSWERS_PER_MEMBER);
    if (r.status === 'missing') throw noWordCloud();
    if (r.status === 'closed') throw new DomainError('conflict', 'This word cloud is closed. 词云已结束。');
    if (r.status === 'full')
      throw new DomainError(
        'rate_limited',
        `At most ${WORDCLOUD_ANSWERS_PER_MEMBER} answers each. 每人最多回答 ${WORDCLOUD_ANSWERS_PER_MEMBER} 次。`,
      );
    this.#notify(a.meeting.id, 'wordcloud');
    return this.wordCloud(a.meeting.id, id, a);
  }

  async hideWord(a: MeetingAccess, id: string, word: string, hidden: boolean): Promise<WordCloud> {
    this.#requireModerator(a);
    await this.#requireWordCloud(a.meeting.id, id);
    const w = normaliseWord(word);
    if (!w) throw new DomainError('validation_failed', 'Give a word. 请给出词语。');
    await this.repo.hideWord(a.meeting.id, id, w, hidden);
    this.#notify(a.meeting.id, 'wordcloud');
    return this.wordCloud(a.meeting.id, id, a);
  }

  async closeWordCloud(a: MeetingAccess, id: string): Promise<WordCloud> {
    this.#requireModerator(a);
    const w = await this.#requireWordCloud(a.meeting.id, id);
    if (w.status !== 'closed') await this.repo.saveWordCloud({ ...w, status: 'closed' });
    this.#notify(a.meeting.id, 'wordcloud');
    return this.wordCloud(a.meeting.id, id, a);
  }
}
