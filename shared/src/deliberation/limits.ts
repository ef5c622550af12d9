/** Deliberation's limits, without zod: the phone page imports them and stays small. */
/** Longest question, word-cloud prompt and answer, and vote reason (characters after trimming). */
export const QUESTION_MAX_CHARS = 200;
export const WORDCLOUD_PROMPT_MAX_CHARS = 80;
export const WORDCLOUD_ANSWER_MAX_CHARS = 30;
export const REASON_MAX_CHARS = 120;
/** Questions one person may ask in one meeting within QUESTION_WINDOW_SECONDS. */
export const QUESTIONS_PER_WINDOW = 5;
export const QUESTION_WINDOW_SECONDS = 600;
/** Answers one member may give to one word-cloud prompt. */
export const WORDCLOUD_ANSWERS_PER_MEMBER = 3;
