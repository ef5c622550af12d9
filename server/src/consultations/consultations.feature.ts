/**
 * Builds the consultations feature for the composition root: service, scheduler, routes, the
 * coalesced `consultation:progress` broadcast, and the meeting link route.
 */
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { RosterService } from '../roster/roster.service.ts';
import { seedDemoConsultation } from './consultations.demo.ts';
import { ConsultationsHall } from './consultations.hall.ts';
import { ConsultationsRepository } from './consultations.repository.ts';
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
  const service = new ConsultationsService(new ConsultationsRepository(d.ctx.redis), { auth: d.auth, roster: d.roster });
  const hall = new ConsultationsHall(service, d.meetings);
  const scheduler = new ConsultationScheduler(service, d.ctx.logger);
  const progress = new ProgressBroadcaster(d.io, service, d.ctx.logger);
  service.onEvent((e) => progress.schedule(e.consultationId));
  return {
    service,
    hall,
    /** Starts opening and closing by the clock (after the composition root has wired conventions). */
    start: () => scheduler.start(),
    feature: {
      name: 'consultations',
      routes: consultationsRoutes(d.auth, service, hall),
      seedDemo: ({ communityId }: { communityId: string }) => seedDemoConsultation({ service, auth: d.auth, roster: d.roster }, communityId, d.ctx.logger),
      stop: async () => {
        await scheduler.stop();
        progress.stop();
      },
    },
  };
}
