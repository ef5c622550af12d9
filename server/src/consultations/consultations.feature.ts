/**
 * Builds the consultations feature for the composition root: service, scheduler, routes, the
 * coalesced `consultation:progress` broadcast, and the meeting link route.
 */
import { Router } from 'express';
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { RosterService } from '../roster/roster.service.ts';
import { seedDemoConsultation } from './consultations.demo.ts';
import { createPaperEntry } from './consultations.entry.feature.ts';
import { ConsultationsHall } from './consultations.hall.ts';
import { ConsultationsRepository } from './consultations.repository.ts';
import { consultationDocumentsRoutes } from './consultations.documents.routes.ts';
import { consultationsRoutes } from './consultations.routes.ts';
import { ConsultationScheduler } from './consultations.scheduler.ts';
import { ConsultationsService } from './consultations.service.ts';
import { ProgressBroadcaster } from './consultations.socket.ts';

export interface ConsultationsDeps {
  ctx: AppContext;
  io: LinliIO;
  auth: AuthService;
  meetings: MeetingsService;
  roster: RosterService;
}

export function createConsultations(d: ConsultationsDeps) {
  const repo = new ConsultationsRepository(d.ctx.redis);
  const service = new ConsultationsService(repo, { auth: d.auth, roster: d.roster });
  const hall = new ConsultationsHall(service, d.meetings);
  // Paper entry (double entry), review and door to door: routes of their own on the same service.
  const paper = createPaperEntry(d.ctx.redis, service, repo, d.auth);
  const scheduler = new ConsultationScheduler(service, d.ctx.logger);
  const progress = new ProgressBroadcaster(d.io, service, d.ctx.logger);
  service.onEvent((e) => progress.schedule(e.consultationId));
  d.meetings.provideConsultation((meetingId) => hall.linkedTo(meetingId));
  return {
    service,
    paper,
    hall,
    /** Starts opening and closing by the clock (after the composition root has wired conventions). */
    start: () => scheduler.start(),
    feature: {
      name: 'consultations',
      routes: Router().use(
        consultationsRoutes(d.auth, service, hall),
        paper.routes,
        consultationDocumentsRoutes(d.auth, service, d.ctx.redis),
      ),
      seedDemo: ({ communityId }: { communityId: string }) =>
        seedDemoConsultation({ service, auth: d.auth, roster: d.roster }, communityId, d.ctx.logger),
      stop: async () => {
        await scheduler.stop();
        progress.stop();
      },
    },
  };
}
