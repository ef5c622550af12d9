/**
 * Wires paper entry and doors to the consultations core: the EntryCore seam over the core's
 * service (load, paper-code lookup, households, answer validation, recordAnswers, who answered)
 * and the route table the consultations feature mounts.
 */
import { DomainError, answerIssues, type Answers, type ResponseChannel } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { Redis } from '../redis/connection.ts';
import { DoorsService } from './consultations.doors.ts';
import { entryRoutes } from './consultations.entry.routes.ts';
import { PaperEntryService, type EntryCore } from './consultations.entry.ts';
import type { ConsultationsRepository } from './consultations.repository.ts';
import type { ConsultationsService } from './consultations.service.ts';
import { toShanghaiIso } from '@linli/shared';
import type { StoredResponse } from './consultations.model.ts';

export function entryCoreOf(service: ConsultationsService, repo: ConsultationsRepository, auth: AuthService): EntryCore {
  return {
    async get(id) {
      try {
        return service.view(await service.load(id));
      } catch (err) {
        if (err instanceof DomainError && err.code === 'not_found') return null;
        throw err;
      }
    },
    householdForPaperCode: (consultationId, code) => service.paperHousehold(consultationId, code),
    householdsOf: (id) => service.householdsOf(id),
    validateAnswers(c, answers) {
      const issues = answerIssues(c.questions, answers);
      if (issues.length)
        throw new DomainError(
          'validation_failed',
          `Some answers are not valid: ${issues[0]!.path}: ${issues[0]!.message}. 部分答案无效。`,
          { issues },
        );
      return answers as Answers;
    },
    recordAnswers: (id, hid, answers, opts) => service.recordAnswers(id, hid, answers, opts),
    async answered(id) {
      const all = await repo.responses(id);
      return new Map(
        Object.entries(all).map(([hid, j]) => {
          const r = JSON.parse(j) as StoredResponse;
          return [hid, { channel: r.channel as ResponseChannel, at: toShanghaiIso(r.at) }];
        }),
      );
    },
    async displayName(userId) {
      return (await auth.getUser(userId))?.displayName ?? userId;
    },
  };
}

export function createPaperEntry(redis: Redis, service: ConsultationsService, repo: ConsultationsRepository, auth: AuthService) {
  const core = entryCoreOf(service, repo, auth);
  const entries = new PaperEntryService(redis, core);
  const doors = new DoorsService(redis, core);
  return { entries, doors, routes: entryRoutes(auth, core, entries, doors) };
}
