/**
 * /api deliberation (API.md "Deliberation: questions, word clouds, reasons"): a meeting's questions
 * (ask, list, upvote, moderate, spotlight), its deliberation settings, and word clouds (start,
 * answer, read, hide a word, close). Each route parses, checks access, calls one service method.
 */
import { Router, type Request } from 'express';
import {
  DeliberationSettingsPatch,
  Id,
  QuestionCreate,
  QuestionModerate,
  SpotlightSet,
  WordCloudAnswer,
  WordCloudCreate,
  WordHide,
  parseOrThrow,
} from '@linli/shared';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { DeliberationService } from './deliberation.service.ts';

export function deliberationRoutes(meetings: MeetingsService, service: DeliberationService): Router {
  const r = Router();
  const meetingAccess = (req: Request) => meetings.access(req.auth?.user, req.auth?.session, parseOrThrow(Id, req.params.id, 'meeting id'));
  const questionAccess = (req: Request) =>
    service.questionAccess(req.auth?.user, req.auth?.session, parseOrThrow(Id, req.params.id, 'question id'));
  const cloudAccess = (req: Request) =>
    service.wordCloudAccess(req.auth?.user, req.auth?.session, parseOrThrow(Id, req.params.id, 'word cloud id'));

  r.post('/meetings/:id/questions', async (req, res) => {
    const a = await meetingAccess(req);
    const input = parseOrThrow(QuestionCreate, req.body, 'question');
    res.status(201).json({ question: await service.ask(a, input) });
  });

  r.get('/meetings/:id/questions', async (req, res) => {
    const a = await meetingAccess(req);
    const { settings, spotlight } = await service.settings(a.meeting.id);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ questions: await service.questions(a.meeting.id, a), spotlightId: spotlight, settings, moderator: service.isModerator(a) });
  });

  r.get('/meetings/:id/deliberation', async (req, res) => {
    const a = await meetingAccess(req);
    const { settings } = await service.settings(a.meeting.id);
    res.json({ settings });
  });

  r.patch('/meetings/:id/deliberation', async (req, res) => {
    const a = await meetingAccess(req);
    const patch = parseOrThrow(DeliberationSettingsPatch, req.body, 'settings');
    res.json({ settings: await service.updateSettings(a, patch) });
  });

  r.post('/meetings/:id/spotlight', async (req, res) => {
    const a = await meetingAccess(req);
    const { questionId } = parseOrThrow(SpotlightSet, req.body, 'spotlight');
    res.json({ spotlightId: await service.spotlight(a, questionId) });
  });

  r.post('/questions/:id/upvote', async (req, res) => {
    const { a, qid } = await questionAccess(req);
    res.json({ question: await service.upvote(a, qid) });
  });

  r.post('/questions/:id/moderate', async (req, res) => {
    const { a, qid } = await questionAccess(req);
    const m = parseOrThrow(QuestionModerate, req.body, 'moderation');
    res.json({ question: await service.moderate(a, qid, m) });
  });

  r.post('/meetings/:id/wordclouds', async (req, res) => {
    const a = await meetingAccess(req);
    const { prompt } = parseOrThrow(WordCloudCreate, req.body, 'word cloud');
    const w = await service.startWordCloud(a, prompt);
    res.status(201).json({ wordcloud: { id: w.id, prompt: w.prompt, status: w.status } });
  });

  r.get('/meetings/:id/wordclouds/current', async (req, res) => {
    const a = await meetingAccess(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ wordcloud: await service.currentWordCloud(a.meeting.id, a) });
  });

  r.get('/wordclouds/:id', async (req, res) => {
    const { a, id } = await cloudAccess(req);
    res.setHeader('Cache-Control', 'no-store');
    const w = await service.wordCloud(a.meeting.id, id, a);
    res.json({ ...w, wordcloud: w });
  });

  r.post('/wordclouds/:id/answers', async (req, res) => {
    const { a, id } = await cloudAccess(req);
    const { text } = parseOrThrow(WordCloudAnswer, req.body, 'answer');
    res.status(201).json({ wordcloud: await service.answerWordCloud(a, id, text) });
  });

  r.post('/wordclouds/:id/hidden', async (req, res) => {
    const { a, id } = await cloudAccess(req);
    const { word, hidden } = parseOrThrow(WordHide, req.body, 'word');
    res.json({ wordcloud: await service.hideWord(a, id, word, hidden !== false) });
  });

  r.post('/wordclouds/:id/close', async (req, res) => {
    const { a, id } = await cloudAccess(req);
    res.json({ wordcloud: await service.closeWordCloud(a, id) });
  });

  return r;
}
