/**
 * The comments, suggestions and versions of one convention, live: `convention:watch` on every
 * (re)connect gives the full lists, then `convention:comment` / `convention:suggestion` /
 * `convention:version` events update them for everyone on the page without a reload. Writing goes
 * through REST (API.md).
 */
import { ConventionComment, ConventionSuggestion, ConventionVersion, type CommentCreate, type SuggestionCreate } from '@linli/shared';
import { api } from '$lib/api';
import { LiveConnection } from '$lib/realtime/connection.svelte';

/** Replaces the item with the same id, or appends it; keeps creation order. */
function upsert<T extends { id: string; createdAt: number }>(list: T[], item: T): T[] {
  const rest = list.filter((x) => x.id !== item.id);
  return [...rest, item].sort((a, b) => a.createdAt - b.createdAt);
}

export class LiveDiscussion {
  comments = $state<ConventionComment[]>([]);
  suggestions = $state<ConventionSuggestion[]>([]);
  versions = $state<ConventionVersion[]>([]);
  /** The first answer has come (until then "no versions yet" would be a guess). */
  loaded = $state(false);
  readonly #live = new LiveConnection();

  constructor(readonly conventionId: string) {
    const socket = this.#live.socket;
    socket.on('convention:comment', (e) => {
      const parsed = ConventionComment.safeParse(e?.comment);
      if (e?.conventionId === conventionId && parsed.success) this.comments = upsert(this.comments, parsed.data);
    });
    socket.on('convention:suggestion', (e) => {
      const parsed = ConventionSuggestion.safeParse(e?.suggestion);
      if (e?.conventionId === conventionId && parsed.success) this.suggestions = upsert(this.suggestions, parsed.data);
    });
    socket.on('convention:version', (e) => {
      const parsed = ConventionVersion.safeParse(e?.version);
      if (e?.conventionId === conventionId && parsed.success) this.versions = upsert(this.versions, parsed.data);
    });
    this.#live.onEveryConnect(() =>
      socket.emit('convention:watch', { conventionId }, (ack) => {
        if (!ack.ok) return;
        this.comments = ConventionComment.array().parse(ack.comments);
        this.suggestions = ConventionSuggestion.array().parse(ack.suggestions);
        this.versions = ConventionVersion.array().parse(ack.versions ?? []);
        this.loaded = true;
      }),
    );
  }

  commentsOf(clauseId: string): ConventionComment[] {
    return this.comments.filter((c) => c.clauseId === clauseId);
  }
  suggestionsOf(clauseId: string): ConventionSuggestion[] {
    return this.suggestions.filter((s) => s.clauseId === clauseId);
  }

  async comment(input: CommentCreate): Promise<void> {
    const { comment } = await api<{ comment: ConventionComment }>('POST', `/conventions/${this.conventionId}/comments`, input);
    this.comments = upsert(this.comments, ConventionComment.parse(comment));
  }

  /** Sends a suggestion; resolves with its id (the page shows it and says it was sent). */
  async suggest(input: SuggestionCreate): Promise<string> {
    const { suggestion } = await api<{ suggestion: ConventionSuggestion }>('POST', `/conventions/${this.conventionId}/suggestions`, input);
    const parsed = ConventionSuggestion.parse(suggestion);
    this.suggestions = upsert(this.suggestions, parsed);
    return parsed.id;
  }

  /** Accepting writes the text into the live document (server side); every page sees it through Yjs. */
  async decide(id: string, decision: 'accept' | 'reject'): Promise<void> {
    const { suggestion } = await api<{ suggestion: ConventionSuggestion }>('POST', `/suggestions/${id}/${decision}`);
    this.suggestions = upsert(this.suggestions, ConventionSuggestion.parse(suggestion));
  }

  /** A version this page saved or adopted (the event may arrive before or after the answer). */
  version(v: ConventionVersion): void {
    this.versions = upsert(this.versions, ConventionVersion.parse(v));
  }

  destroy(): void {
    this.#live.close();
  }
}
