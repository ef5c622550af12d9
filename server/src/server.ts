/**
 * The composition root: builds repositories and services for each feature, mounts their routes
 * and socket handlers, and returns one http server with Express, Socket.IO and the Yjs gateway.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from './context.ts';
import { createApp } from './http/app.ts';
import { FailureLimiter } from './http/rate-limit.ts';
import { AuthRepository } from './auth/auth.repository.ts';
import { AuthService } from './auth/auth.service.ts';
import { KnownDevices } from './auth/auth.devices.ts';
import { authenticate } from './auth/auth.middleware.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { CommunitiesRepository } from './communities/communities.repository.ts';
import { CommunitiesService } from './communities/communities.service.ts';
import { communitiesRoutes } from './communities/communities.routes.ts';
import { communitiesSocket, communityRoom } from './communities/communities.socket.ts';
import { RosterRepository } from './roster/roster.repository.ts';
import { RosterService } from './roster/roster.service.ts';
import { rosterRoutes } from './roster/roster.routes.ts';
import { RosterParser } from './roster/roster.parser.ts';
import { InvitationsService } from './invitations/invitations.service.ts';
import { InvitationsRepository } from './invitations/invitations.repository.ts';
import { invitationsRoutes } from './invitations/invitations.routes.ts';
import { MembersService } from './members/members.service.ts';
import { MembersRepository } from './members/members.repository.ts';
import { refuseStaffLookalike } from './members/members.names.ts';
import { membersRoutes } from './members/members.routes.ts';
import { seedDemoRoster } from './roster/roster.demo.ts';
import { seedDemoMembers } from './members/members.demo.ts';
import { StatsRepository } from './dashboard/stats.repository.ts';
import { assertWired } from './common/port.ts';
import { MeetingsRepository } from './meetings/meetings.repository.ts';
import { MeetingsService } from './meetings/meetings.service.ts';
import { MeetingsState } from './meetings/meetings.state.ts';
import { MeetingsMinutes } from './meetings/meetings.minutes.ts';
import { meetingsRoutes } from './meetings/meetings.routes.ts';
import { MeetingBroadcaster, meetingsSocket } from './meetings/meetings.socket.ts';
import { publishDemoMinutes, seedDemoMeetings } from './meetings/meetings.demo.ts';
import { problemsFeature } from './problems/problems.feature.ts';
import { ConsensusRepository } from './consensus/consensus.repository.ts';
import { ConsensusService } from './consensus/consensus.service.ts';
import { consensusRoutes } from './consensus/consensus.routes.ts';
import { createBallots } from './ballots/ballots.feature.ts';
import { createConsultations } from './consultations/consultations.feature.ts';
import { dashboardFeature } from './dashboard/dashboard.feature.ts';
import { evaluationsFeature } from './evaluations/evaluations.feature.ts';
import { budgetsFeature } from './budgets/budgets.feature.ts';
import { createIO, endSessionSockets, type LinliIO, type LinliSocket } from './realtime/socket.ts';
import { SocketRouter } from './realtime/router.ts';
import { routeUpgrades, type UpgradeGateway } from './realtime/upgrade.ts';
import { createConventionsFeature } from './conventions/conventions.feature.ts';
import { createOpinions } from './opinions/opinions.feature.ts';
import { deliberationFeature } from './deliberation/deliberation.feature.ts';

export interface LinliServer {
  http: http.Server;
  io: LinliIO;
  auth: AuthService;
  /** Seeds the admin account and (unless disabled) the demo community on an empty store. */
  seed(): Promise<{ adminPassword?: string }>;
  /** Stops features (flushes documents, tallies), closes sockets and the http server. */
  close(): Promise<void>;
}

/** A feature's contribution to the server. */
export interface Feature {
  name: string;
  routes?: Router;
  /** Called for every new Socket.IO connection. */
  onConnection?: (socket: LinliSocket) => void;
  yjs?: UpgradeGateway;
  /** Fills the demo community (runs once, on an empty store, in feature order). */
  seedDemo?: (demo: { communityId: string }) => Promise<void>;
  stop?: () => Promise<void>;
}

async function loadPages(ctx: AppContext): Promise<RequestHandler | undefined> {
  const file = path.join(ctx.config.webBuildDir, 'handler.js');
  if (!fs.existsSync(file)) {
    ctx.logger.warn({ file }, 'web app not built: pages are unavailable until `npm run build`');
    return undefined;
  }
  // adapter-node takes the page's origin from ORIGIN or from headers, and assumes https without
  // one: form actions (the phone votes without scripts) would fail its CSRF check on plain http.
  // It reads these at import; each request then gets them from Express (trust proxy honoured).
  const own = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER && !process.env.HOST_HEADER;
  if (own) Object.assign(process.env, { PROTOCOL_HEADER: 'x-linli-proto', HOST_HEADER: 'x-linli-host' });
  const mod = (await import(pathToFileURL(file).href)) as { handler: RequestHandler };
  if (!own) return mod.handler;
  return (req, res, next) => {
    req.headers['x-linli-proto'] = req.protocol;
    req.headers['x-linli-host'] = req.host;
    return mod.handler(req, res, next);
  };
}

export async function createLinliServer(ctx: AppContext): Promise<LinliServer> {
  const server = http.createServer();
  const auth = new AuthService(new AuthRepository(ctx.redis));
  const io = await createIO(server, ctx, auth);
  const router = new SocketRouter({ logger: ctx.logger });
  // Failure limits (http/rate-limit.ts): per address with an allowance that grows with distinct
  // successes from it; per account and client; per account, slower, sparing known browsers.
  const L = ctx.config.limits;
  const timing = { windowSeconds: L.windowSeconds, firstDelaySeconds: L.firstDelaySeconds, maxDelaySeconds: L.maxDelaySeconds };
  const perAddress = (name: string) =>
    new FailureLimiter(ctx.redis, name, { allowed: L.addressFailures, perSuccess: L.failuresPerSuccess, ...timing });
  const limits = {
    perAddress: perAddress('login-ip'),
    perAccountClient: new FailureLimiter(ctx.redis, 'login-client', { allowed: L.accountAddressFailures, ...timing }),
    perAccount: new FailureLimiter(ctx.redis, 'login-account', { allowed: L.accountFailures, ...timing }),
    devices: new KnownDevices(ctx.redis),
  };

  // Features, in dependency order. Each one adds its routes, socket handlers and demo data.
  const communities = new CommunitiesService(new CommunitiesRepository(ctx.redis));
  const roster = new RosterService(new RosterRepository(ctx.redis));
  const rosterChecks = { areaWarnAboveCentiares: ctx.config.rosterAreaWarnCentiares };
  const rosterParser = new RosterParser({ checks: rosterChecks });
  const members = new MembersService(auth, roster, new MembersRepository(ctx.redis));
  // Meetings: later features (ballots, problems) plug in through meetings.provide*().
  // The dashboard's counters: one repository, written by the features that count (one write per event).
  const stats = new StatsRepository(ctx.redis);
  const meetings = new MeetingsService(new MeetingsRepository(ctx.redis), auth, stats);
  const meetingsState = new MeetingsState(meetings, auth, roster);
  const meetingsBroadcaster = new MeetingBroadcaster(io, meetingsState, ctx.logger);
  meetings.onChange((c) => meetingsBroadcaster.schedule(c.meetingId, c.kind));
  await meetingsState.start();
  // Ballots register with meetings (join, minutes, motion → ballot); consensus reads clauses
  // through the conventions feature (provideClauses below).
  const consensus = new ConsensusService(new ConsensusRepository(ctx.redis), stats);
  const ballots = createBallots({ ctx, io, router, auth, meetings, roster, stats, consensus });
  // A change of a member's households is written into the open ballots it touches.
  members.onHoldingsChanged((c) => ballots.notices.holdingsChanged(c));
  // A name one chooses oneself must not pass for a staff member's (communities one belongs to, a guest's meeting).
  auth.provideNameCheck(async (user, meetingId, name) => {
    const cids = (await auth.memberships(user.id)).map((m) => m.communityId);
    const meeting = meetingId ? await meetings.get(meetingId) : null;
    await refuseStaffLookalike(auth, meeting ? [...cids, meeting.communityId] : cids, name, user.id);
  });
  // Problems ledger (问题清单) after meetings: it registers meetings.provideProblems for the minutes.
  const problems = problemsFeature(ctx, { auth, communities, meetings, io, stats });
  // Demo logins and invitation codes go to the log in development only.
  const logDemo = ctx.config.dev || process.env.LINLI_DEMO_LOG === '1';
  // Written consultations (书面征求意见): their own scheduler opens and closes them by the clock.
  const consultations = createConsultations({ ctx, io, auth, meetings, roster });
  // Conventions: the live document server (Yjs on /yjs/<docName>) and the convention pages' API.
  const conventions = await createConventionsFeature(ctx, { auth, communities, io, router });
  consensus.provideClauses((id) => conventions.service.clauseReader(id));
  // Adopting a version needs the passed ballots that approved it (the consensus ledger), or the
  // passed questions of written consultations bound to its clauses.
  conventions.service.provideApprovals(async (cid) => [...(await consensus.list(cid)), ...(await consultations.service.approvals(cid))]);
  consultations.service.provideConventions({
    clauses: async (conventionId, versionId) => {
      const c = await conventions.service.repo.get(conventionId);
      if (!c) return null;
      return {
        communityId: c.communityId,
        clauses: versionId ? await conventions.service.versionClauses(c, versionId) : await conventions.service.clauses(c),
      };
    },
    adopt: async (conventionId, versionId, by) => {
      const c = await conventions.service.repo.get(conventionId);
      if (c) await conventions.service.adopt(c, versionId, by);
    },
  });
  // Every dependency registered after construction must have been: fail here, not in a skipped check.
  assertWired([consensus.clauses, auth.nameCheck, conventions.service.approvalReader, ...Object.values(meetings.ports)]);
  consultations.start();
  // Opinion rounds (意见地图): a consensus statement becomes a draft ballot or a clause suggestion.
  const opinions = createOpinions(ctx, { auth, communities, meetings, ballots: ballots.service, conventions, io });
  const features: Feature[] = [
    {
      name: 'communities',
      routes: communitiesRoutes(auth, communities, (community) =>
        io.to(communityRoom(community.id)).emit('community:updated', { community }),
      ),
      onConnection: communitiesSocket(router, auth, communities),
    },
    {
      name: 'roster',
      routes: rosterRoutes(auth, communities, roster, rosterParser, rosterChecks),
      stop: () => rosterParser.close(),
      seedDemo: ({ communityId }) => seedDemoRoster(roster, communityId, ctx.logger, logDemo),
    },
    {
      name: 'invitations',
      routes: invitationsRoutes(auth, communities, roster, new InvitationsService(roster, auth, new InvitationsRepository(ctx.redis)), {
        perAddress: perAddress('invite-ip'),
      }),
    },
    {
      name: 'members',
      routes: membersRoutes(auth, communities, members),
      seedDemo: ({ communityId }) =>
        seedDemoMembers(auth, roster, communityId, ctx.logger, { log: logDemo, production: ctx.config.production }),
    },
    {
      name: 'meetings',
      routes: meetingsRoutes(auth, communities, meetings, meetingsState, new MeetingsMinutes(meetings, auth, roster), {
        perAddress: perAddress('join-ip'),
      }),
      onConnection: meetingsSocket(router, auth, meetings, meetingsState),
      seedDemo: ({ communityId }) => seedDemoMeetings({ meetings, auth, roster, stats }, communityId, ctx.logger),
      stop: async () => {
        meetingsBroadcaster.stop();
        await meetingsState.stop();
      },
    },
    conventions,
    ballots.feature,
    consultations.feature,
    { name: 'consensus', routes: consensusRoutes(auth, consensus) },
    problems.feature,
    evaluationsFeature(ctx, { auth, roster }),
    opinions.feature,
    deliberationFeature(ctx, { meetings, io }),
    // Last of the demo: the finished meeting's minutes, once ballots and problems are in it.
    { name: 'demo minutes', seedDemo: ({ communityId }) => publishDemoMinutes({ meetings, auth, roster, stats }, communityId) },
    dashboardFeature(ctx, { auth, communities, stats, ledger: (cid) => problems.problems.current(cid) }),
    // Micro-project budgets (民生微实事) and the three lists, after the ledger they link to.
    budgetsFeature(ctx, {
      auth,
      communities,
      stats,
      ledger: (cid) => problems.problems.list(cid),
      households: (cid) => roster.listHouseholds(cid),
    }),
  ];

  const app = createApp(ctx, {
    before: [authenticate(auth)],
    api: [
      authRoutes(auth, limits, (sid) => endSessionSockets(io, sid, 'signed_out')),
      ...features.flatMap((f) => (f.routes ? [f.routes] : [])),
    ],
    pages: await loadPages(ctx),
  });
  // engine.io answers /socket.io/ itself (its own 'request' listener). Express must not answer
  // them too: its 404 page would go out first and engine.io's later write of a long-poll would
  // throw (headers sent) and stop the process whenever a browser fell back to polling.
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url?.startsWith('/socket.io/')) return;
    app(req, res);
  });

  io.on('connection', (socket) => {
    router.on(socket, 'session:ping', z.object({}).loose().optional(), () => ({ at: Date.now() }));
    for (const f of features) f.onConnection?.(socket);
  });

  const yjs = features.find((f) => f.yjs)?.yjs ?? null;
  routeUpgrades(server, ctx.logger, () => yjs);

  return {
    http: server,
    io,
    auth,
    async seed() {
      const admin = await auth.bootstrapAdmin(ctx.config.adminPassword);
      if (admin.created && ctx.config.demo) {
        const { seedDemoCommunity } = await import('./demo/demo.seed.ts');
        await seedDemoCommunity(ctx, communities, features);
      }
      return admin.created && !ctx.config.adminPassword ? { adminPassword: admin.password } : {};
    },
    async close() {
      for (const f of [...features].reverse()) await f.stop?.().catch((err) => ctx.logger.error({ err, feature: f.name }, 'stop failed'));
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}
