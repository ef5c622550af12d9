/**
 * Deliberation in a meeting beyond ballots: written questions with upvotes and moderation (提问),
 * word clouds (词云), the meeting's deliberation settings, and reasons given with an open vote.
 * Every payload crossing the network is parsed with these schemas.
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Id } from '../common/ids.ts';

export * from './limits.ts';
import { QUESTION_MAX_CHARS, WORDCLOUD_PROMPT_MAX_CHARS, WORDCLOUD_ANSWER_MAX_CHARS, REASON_MAX_CHARS } from './limits.ts';

export const QUESTION_STATUSES = ['visible', 'pending', 'hidden', 'answered', 'merged'] as const;
export const QuestionStatus = z.enum(QUESTION_STATUSES);
export type QuestionStatus = z.infer<typeof QuestionStatus>;

/** One question as the API shows it (`author` is absent when anonymous). */
export const MeetingQuestion = z.object({
  id: Id,
  text: z.string(),
  votes: z.number().int().nonnegative(),
  status: QuestionStatus,
  anonymous: z.boolean(),
  author: z.string().optional(),
  agendaItemId: Id.optional(),
  mergedInto: Id.optional(),
  createdAt: z.number().int(),
  /** Whether the caller upvoted it (only in answers to one person). */
  upvoted: z.boolean().optional(),
});
export type MeetingQuestion = z.infer<typeof MeetingQuestion>;

/** `POST /api/meetings/:id/questions`. */
export const QuestionCreate = z.object({
  text: safeText({ max: QUESTION_MAX_CHARS, min: 1 }),
  anonymous: z.boolean().optional(),
  agendaItemId: Id.optional(),
});
export type QuestionCreate = z.infer<typeof QuestionCreate>;

/** `POST /api/questions/:id/moderate`: hide, show again, mark answered, merge into another. */
export const QuestionModerate = z.discriminatedUnion('action', [
  z.object({ action: z.literal('hide') }),
  z.object({ action: z.literal('show') }),
  z.object({ action: z.literal('answered') }),
  z.object({ action: z.literal('merge'), into: Id }),
]);
export type QuestionModerate = z.infer<typeof QuestionModerate>;

/** `POST /api/meetings/:id/spotlight`: the question on the projector, or null for none. */
export const SpotlightSet = z.object({ questionId: Id.nullable() });
export type SpotlightSet = z.infer<typeof SpotlightSet>;

/** The meeting's deliberation settings (`PATCH /api/meetings/:id/deliberation`). */
export const DeliberationSettings = z.object({
  /** New questions wait for a moderator before others see them (off by default). */
  preModeration: z.boolean(),
  /** Residents may ask without their name (on by default). */
  allowAnonymous: z.boolean(),
});
export type DeliberationSettings = z.infer<typeof DeliberationSettings>;
export const DeliberationSettingsPatch = DeliberationSettings.partial().refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type DeliberationSettingsPatch = z.infer<typeof DeliberationSettingsPatch>;
export const DEFAULT_DELIBERATION_SETTINGS: DeliberationSettings = { preModeration: false, allowAnonymous: true };

/** `POST /api/meetings/:id/wordclouds`. */
export const WordCloudCreate = z.object({ prompt: safeText({ max: WORDCLOUD_PROMPT_MAX_CHARS, min: 1 }) });
export type WordCloudCreate = z.infer<typeof WordCloudCreate>;
/** `POST /api/wordclouds/:id/answers`. */
export const WordCloudAnswer = z.object({ text: safeText({ max: WORDCLOUD_ANSWER_MAX_CHARS, min: 1 }) });
export type WordCloudAnswer = z.infer<typeof WordCloudAnswer>;
/** `POST /api/wordclouds/:id/hidden` (hidden: false shows it again). */
export const WordHide = z.object({ word: z.string().trim().min(1).max(WORDCLOUD_ANSWER_MAX_CHARS), hidden: z.boolean().optional() });
export type WordHide = z.infer<typeof WordHide>;

export const WordCount = z.object({ word: z.string(), count: z.number().int(), hidden: z.boolean().optional() });
export type WordCount = z.infer<typeof WordCount>;

/** A word cloud as the API shows it; `words` ordered by count, hidden words only for moderators. */
export const WordCloud = z.object({
  id: Id,
  meetingId: Id,
  prompt: z.string(),
  status: z.enum(['open', 'closed']),
  words: z.array(WordCount),
  /** Number of answers given. */
  answers: z.number().int(),
  /** The caller's own answers (only in answers to one person). */
  mine: z.array(z.string()).optional(),
  createdAt: z.number().int(),
});
export type WordCloud = z.infer<typeof WordCloud>;

/** The meeting's deliberation as one view: settings, questions, the spotlight, the current word cloud. */
export interface DeliberationView {
  settings: DeliberationSettings;
  questions: MeetingQuestion[];
  spotlightId: string | null;
  wordcloud: WordCloud | null;
}

/** `questions:updated` to the meeting room: phones and projector fetch `GET /api/meetings/:id/questions` again. */
export interface QuestionsUpdatedEvent {
  meetingId: string;
  /** The visible questions in order (the same for everyone; pending and hidden are left out). */
  questions: MeetingQuestion[];
  spotlightId: string | null;
  settings: DeliberationSettings;
}
/** `wordcloud:updated` to the meeting room (visible words only). */
export interface WordCloudUpdatedEvent {
  meetingId: string;
  wordcloud: WordCloud | null;
}

/** A reason given with a vote on an open ballot. */
export const VoteReason = safeText({ max: REASON_MAX_CHARS, min: 1 });

/** `GET /api/ballots/:id/reasons`: reasons grouped by choice (the canonical JSON of the choice). */
export interface ReasonGroup {
  choice: unknown;
  reasons: { text: string; by: string; at: number }[];
}
