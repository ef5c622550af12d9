/**
 * Comments and suggestions on clauses. Stored in Redis beside the convention, not in the Y.Doc
 * (a discussion is not part of the text). A suggestion is a proposed replacement text with a
 * reason, shown as a character diff against the clause as it read then; accepting it replaces the
 * clause's text through the document server, so everyone editing sees it at once.
 */
import {
  DomainError,
  diffText,
  type CommentCreate,
  type Convention,
  type ConventionComment,
  type ConventionSuggestion,
  type SuggestionCreate,
} from '@linli/shared';
import type { StoredUser } from '../auth/auth.repository.ts';
import { newId } from '../common/ids.ts';
import type { ConventionsRepository } from './conventions.repository.ts';
import type { ConventionsService } from './conventions.service.ts';
import { setClauseText } from './conventions.doc.ts';

export interface DiscussionEvents {
  comment(conventionId: string, comment: ConventionComment): void;
  suggestion(conventionId: string, suggestion: ConventionSuggestion): void;
}

/** Comments one convention may hold: enough for a long consultation, bounded for memory. */
const MAX_COMMENTS = 5000;

export class ConventionDiscussion {
  constructor(
    private readonly repo: ConventionsRepository,
    private readonly conventions: ConventionsService,
    private readonly events: DiscussionEvents,
  ) {}

  async #clauseText(c: Convention, clauseId: string): Promise<string> {
    const clause = (await this.conventions.clauses(c)).find((x) => x.id === clauseId);
    if (!clause) throw new DomainError('not_found', 'No such clause (it may have been deleted). 条款不存在（可能已被删除）。');
    return clause.text;
  }

  async comment(c: Convention, user: StoredUser, input: CommentCreate): Promise<ConventionComment> {
    await this.#clauseText(c, input.clauseId);
    const existing = await this.repo.comments(c.id);
    if (existing.length >= MAX_COMMENTS) throw new DomainError('too_large', 'This convention has too many comments. 评论过多。');
    if (input.replyTo && !existing.some((x) => x.id === input.replyTo && x.clauseId === input.clauseId)) {
      throw new DomainError('not_found', 'The comment replied to does not exist on this clause. 回复的评论不存在。');
    }
    const comment: ConventionComment = {
      id: newId(),
      conventionId: c.id,
      clauseId: input.clauseId,
      text: input.text,
      ...(input.quote ? { quote: input.quote } : {}),
      ...(input.replyTo ? { replyTo: input.replyTo } : {}),
      authorId: user.id,
      authorName: user.displayName,
      createdAt: Date.now(),
    };
    await this.repo.addComment(comment);
    this.events.comment(c.id, comment);
    return comment;
  }

  async comments(c: Convention, clauseId?: string): Promise<ConventionComment[]> {
    const all = await this.repo.comments(c.id);
    return clauseId ? all.filter((x) => x.clauseId === clauseId) : all;
  }

  async suggest(c: Convention, user: StoredUser, input: SuggestionCreate): Promise<ConventionSuggestion> {
    const baseText = await this.#clauseText(c, input.clauseId);
    if (baseText.trim() === input.text.trim())
      throw new DomainError('validation_failed', 'The suggestion is the same as the clause. 建议与原文相同。');
    const s: ConventionSuggestion = {
      id: newId(),
      conventionId: c.id,
      clauseId: input.clauseId,
      text: input.text,
      reason: input.reason,
      baseText,
      parts: diffText(baseText, input.text),
      status: 'open',
      authorId: user.id,
      authorName: user.displayName,
      createdAt: Date.now(),
    };
    await this.repo.addSuggestion(s);
    this.events.suggestion(c.id, s);
    return s;
  }

  suggestions(c: Convention): Promise<ConventionSuggestion[]> {
    return this.repo.suggestions(c.id);
  }

  /** The suggestion and its convention (404 when either is gone). */
  async find(sid: string): Promise<ConventionSuggestion> {
    const s = await this.repo.suggestion(sid);
    if (!s) throw new DomainError('not_found', 'No such suggestion. 建议不存在。');
    return s;
  }

  /**
   * Accepts (the clause text becomes the suggestion, as a new edit) or rejects an open suggestion.
   * Decided first with compare-and-set, so two people accepting at once apply it once.
   */
  async decide(c: Convention, s: ConventionSuggestion, user: StoredUser, decision: 'accepted' | 'rejected'): Promise<ConventionSuggestion> {
    if (s.status !== 'open') throw new DomainError('conflict', `This suggestion was already ${s.status}. 该建议已处理。`);
    const next: ConventionSuggestion = { ...s, status: decision, decidedBy: user.id, decidedAt: Date.now() };
    const stored = await this.repo.casSuggestion(s, next);
    if (!stored) throw new DomainError('not_found', 'No such suggestion. 建议不存在。');
    if (stored.decidedAt !== next.decidedAt || stored.decidedBy !== next.decidedBy) {
      throw new DomainError('conflict', `This suggestion was already ${stored.status}. 该建议已处理。`);
    }
    if (decision === 'accepted') {
      let applied = false;
      try {
        applied = await this.conventions.docs.edit(c.docName, (doc) => setClauseText(doc, s.clauseId, s.text));
      } finally {
        // Not applied (clause deleted meanwhile, or the store failed): the suggestion stays open.
        if (!applied) await this.repo.casSuggestion(next, s).catch(() => {});
      }
      if (!applied) throw new DomainError('conflict', 'The clause no longer exists. 条款已被删除，无法采纳。');
    }
    this.events.suggestion(c.id, next);
    return next;
  }
}
