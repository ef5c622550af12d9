/**
 * /api ballots (API.md "Meetings and ballots"): create and list in a meeting, read, open, close,
 * publish, vote, paper votes (and undoing one), proxies, result, voters, the caller's own households (mine), audit log,
 * published record.
 */
import { Router, type Request } from 'express';
import {
  AuditQuery,
  Id,
  MineQuery,
  PaperVoteRequest,
  PaperVoteUndo,
  ProxyRequest,
  PublishRequest,
  VoteRequest,
  parseOrThrow,
} from '@linli/shared';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { BallotsCasting } from './ballots.cast.ts';
import type { BallotsService } from './ballots.service.ts';
import type { BallotsViews } from './ballots.views.ts';

export function ballotsRoutes(meetings: MeetingsService, ballots: BallotsService, casting: BallotsCasting, views: BallotsViews): Router {
  const r = Router();
  const meetingAccess = (req: Request) => meetings.access(req.auth?.user, req.auth?.session, parseOrThrow(Id, req.params.id, 'meeting id'));
  const ballotAccess = (req: Request) => ballots.access(req.auth?.user, req.auth?.session, parseOrThrow(Id, req.params.id, 'ballot id'));

  r.post('/meetings/:id/ballots', async (req, res) => {
    const a = await meetingAccess(req);
    res.status(201).json({ ballot: await ballots.create(a, req.body) });
  });

  r.get('/meetings/:id/ballots', async (req, res) => {
    const a = await meetingAccess(req);
    res.json({ ballots: await ballots.forMeeting(a.meeting.id) });
  });

  r.get('/ballots/:id', async (req, res) => {
    const { ballot } = await ballotAccess(req);
    res.json({ ballot, result: await ballots.result(ballot) });
  });

  r.post('/ballots/:id/open', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    res.json({ ballot: await ballots.open(a, ballot) });
  });

  r.post('/ballots/:id/close', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    res.json(await ballots.close(a, ballot));
  });

  r.post('/ballots/:id/publish', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    const { objectionDays } = parseOrThrow(PublishRequest, req.body, 'publish');
    res.json({ ballot: await ballots.publish(a, ballot, objectionDays) });
  });

  r.post('/ballots/:id/votes', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    const body = parseOrThrow(VoteRequest, req.body, 'vote');
    const out = await casting.castOnline(a, ballot, body);
    res.json({ receipt: out.receipt, voters: out.voters, repeated: out.repeated, ...(out.changed ? { changed: true } : {}) });
  });

  r.post('/ballots/:id/paper-votes', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    const body = parseOrThrow(PaperVoteRequest, req.body, 'paper vote');
    const out = await casting.castPaper(a, ballot, body);
    res.json({ receipt: out.receipt, voters: out.voters, repeated: out.repeated, ...(out.changed ? { changed: true } : {}) });
  });

  r.post('/ballots/:id/paper-votes/undo', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    const { receipt } = parseOrThrow(PaperVoteUndo, req.body, 'undo');
    res.json({ undone: await casting.undoPaper(a, ballot, receipt) });
  });

  r.post('/ballots/:id/proxies', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    const body = parseOrThrow(ProxyRequest, req.body, 'proxy');
    res.status(201).json({ proxy: await casting.registerProxy(a, ballot, body) });
  });

  r.get('/ballots/:id/result', async (req, res) => {
    const { ballot } = await ballotAccess(req);
    res.json(await ballots.result(ballot));
  });

  r.get('/ballots/:id/reasons', async (req, res) => {
    const { ballot } = await ballotAccess(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ groups: await casting.reasons(ballot) });
  });

  r.get('/ballots/:id/voters', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    res.json(await views.voters(a, ballot));
  });

  r.get('/ballots/:id/mine', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    res.setHeader('Cache-Control', 'no-store');
    const { key } = parseOrThrow(MineQuery, req.query, 'query');
    res.json(await views.mine(a, ballot, key));
  });

  r.get('/ballots/:id/audit', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    const { format } = parseOrThrow(AuditQuery, req.query, 'query');
    const lines = await views.audit(a, ballot);
    res.setHeader('content-disposition', `attachment; filename="ballot-${ballot.id}-audit.${format === 'json' ? 'json' : 'jsonl'}"`);
    if (format === 'json') {
      res.json({ ballotId: ballot.id, entries: lines.map((l) => JSON.parse(l) as unknown) });
      return;
    }
    res.type('application/x-ndjson').send(lines.join('\n') + (lines.length ? '\n' : ''));
  });

  r.get('/ballots/:id/record', async (req, res) => {
    const { ballot, a } = await ballotAccess(req);
    res.json(await views.record(a, ballot));
  });

  return r;
}
