/**
 * A meeting's questions and word cloud as the phone, console and projector see them: loaded with
 * GET (the caller's own view: their upvotes, their pending questions; moderators see every status),
 * kept live by `questions:updated` and `wordcloud:updated` on the meeting's socket, and fetched
 * again after every reconnect. Actions call the REST API and apply the answer at once.
 */
import type { DeliberationSettings, MeetingQuestion, WordCloud } from '@linli/shared';
import type { LiveConnection } from '$lib/realtime/connection.svelte';
import { api } from '$lib/api';

const enc = encodeURIComponent;

export class DeliberationLive {
  questions = $state<MeetingQuestion[]>([]);
  spotlightId = $state<string | null>(null);
  settings = $state<DeliberationSettings>({ preModeration: false, allowAnonymous: true });
  moderator = $state(false);
  wordcloud = $state<WordCloud | null>(null);
  loaded = $state(false);
  // Not rendered: the `upvoted` marks on `questions` are; this only carries them across broadcasts.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #mine = new Set<string>();

  constructor(
    readonly meetingId: string,
    conn: LiveConnection,
  ) {
    const s = conn.socket;
    s.on('questions:updated', (p) => {
      if (p.meetingId !== this.meetingId) return;
      this.spotlightId = p.spotlightId;
      this.settings = p.settings;
      // Moderators also see pending and hidden ones: they ask for their own view.
      if (this.moderator) void this.loadQuestions();
      else this.questions = this.#withMine(p.questions, this.questions);
    });
    s.on('wordcloud:updated', (p) => {
      if (p.meetingId !== this.meetingId) return;
      if (this.moderator || !p.wordcloud || p.wordcloud.id !== this.wordcloud?.id) void this.loadWordCloud();
      else this.wordcloud = { ...p.wordcloud, mine: this.wordcloud?.mine ?? [] };
    });
    conn.onEveryConnect(() => void this.load());
  }

  /** Keeps the caller's own pending questions and upvote marks across a public broadcast. */
  #withMine(pub: MeetingQuestion[], prev: MeetingQuestion[]): MeetingQuestion[] {
    const own = prev.filter((q) => q.status === 'pending' && !pub.some((p) => p.id === q.id));
    return [...pub.map((q) => ({ ...q, upvoted: this.#mine.has(q.id) })), ...own];
  }

  get spotlight(): MeetingQuestion | null {
    return this.questions.find((q) => q.id === this.spotlightId) ?? null;
  }

  async load(): Promise<void> {
    await Promise.all([this.loadQuestions(), this.loadWordCloud()]).catch(() => {});
    this.loaded = true;
  }

  async loadQuestions(): Promise<void> {
    const r = await api<{ questions: MeetingQuestion[]; spotlightId: string | null; settings: DeliberationSettings; moderator: boolean }>(
      'GET',
      `/meetings/${enc(this.meetingId)}/questions`,
    );
    this.moderator = r.moderator;
    this.settings = r.settings;
    this.spotlightId = r.spotlightId;
    this.questions = r.questions;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.#mine = new Set(r.questions.filter((q) => q.upvoted).map((q) => q.id));
  }

  async loadWordCloud(): Promise<void> {
    const r = await api<{ wordcloud: WordCloud | null }>('GET', `/meetings/${enc(this.meetingId)}/wordclouds/current`);
    this.wordcloud = r.wordcloud;
  }

  async ask(text: string, anonymous: boolean): Promise<MeetingQuestion> {
    const r = await api<{ question: MeetingQuestion }>('POST', `/meetings/${enc(this.meetingId)}/questions`, { text, anonymous });
    if (!this.questions.some((q) => q.id === r.question.id)) this.questions = [...this.questions, r.question];
    return r.question;
  }

  async upvote(id: string): Promise<void> {
    const r = await api<{ question: MeetingQuestion }>('POST', `/questions/${enc(id)}/upvote`);
    this.#mine.add(id);
    this.questions = this.questions.map((q) => (q.id === id ? { ...q, votes: r.question.votes, upvoted: true } : q));
  }

  async moderate(id: string, action: 'hide' | 'show' | 'answered' | 'merge', into?: string): Promise<void> {
    await api('POST', `/questions/${enc(id)}/moderate`, action === 'merge' ? { action, into } : { action });
    await this.loadQuestions();
  }

  async setSpotlight(id: string | null): Promise<void> {
    const r = await api<{ spotlightId: string | null }>('POST', `/meetings/${enc(this.meetingId)}/spotlight`, { questionId: id });
    this.spotlightId = r.spotlightId;
  }

  async setSettings(patch: Partial<DeliberationSettings>): Promise<void> {
    const r = await api<{ settings: DeliberationSettings }>('PATCH', `/meetings/${enc(this.meetingId)}/deliberation`, patch);
    this.settings = r.settings;
  }

  async startWordCloud(prompt: string): Promise<void> {
    await api('POST', `/meetings/${enc(this.meetingId)}/wordclouds`, { prompt });
    await this.loadWordCloud();
  }

  async answer(text: string): Promise<void> {
    if (!this.wordcloud) return;
    const r = await api<{ wordcloud: WordCloud }>('POST', `/wordclouds/${enc(this.wordcloud.id)}/answers`, { text });
    this.wordcloud = r.wordcloud;
  }

  async hideWord(word: string, hidden = true): Promise<void> {
    if (!this.wordcloud) return;
    const r = await api<{ wordcloud: WordCloud }>('POST', `/wordclouds/${enc(this.wordcloud.id)}/hidden`, { word, hidden });
    this.wordcloud = r.wordcloud;
  }

  async closeWordCloud(): Promise<void> {
    if (!this.wordcloud) return;
    const r = await api<{ wordcloud: WordCloud }>('POST', `/wordclouds/${enc(this.wordcloud.id)}/close`);
    this.wordcloud = r.wordcloud;
  }
}
