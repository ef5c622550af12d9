/**
 * Written consultations in the hall: a consultation linked to a live meeting (`PUT
 * /api/meetings/:id/consultation`) is shown on its projector, named in its state, and answers of
 * members present in that meeting are recorded with channel 'hall' (same count, same rules).
 */
import { DomainError, can, type Actor } from '@linli/shared';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import { auditBody, type StoredConsultation } from './consultations.model.ts';
import type { ConsultationsService, Loaded } from './consultations.service.ts';

export class ConsultationsHall {
  constructor(
    private readonly service: ConsultationsService,
    private readonly meetings: MeetingsService,
  ) {}

  /**
   * 'hall' when the consultation is linked to a meeting that is open or in progress and the member
   * is present in it now; otherwise 'phone'. The count is the same; the channel is recorded.
   */
  async channelFor(user: StoredUser, c: Loaded): Promise<'phone' | 'hall'> {
    const mid = c.stored.meetingId;
    if (!mid) return 'phone';
    const m = await this.meetings.get(mid);
    if (!m || (m.status !== 'open' && m.status !== 'in_progress')) return 'phone';
    const present = await this.meetings.repo.presence(mid);
    return Object.values(present).includes(user.id) ? 'hall' : 'phone';
  }

  /** `PUT /api/meetings/:id/consultation`: shows a consultation in a meeting (or none), both in the same community. */
  async linkMeeting(
    actor: Actor,
    meetingId: string,
    consultationId: string | null,
  ): Promise<{ meetingId: string; consultationId: string | null }> {
    const m = await this.meetings.get(meetingId);
    if (!m) throw new DomainError('not_found', 'No such meeting. 会议不存在。');
    if (!can(actor, 'consultation.manage', { communityId: m.communityId }))
      throw new DomainError('forbidden', 'You may not do this (consultation.manage). 您没有此操作的权限。');
    const prev = await this.service.repo.linkedTo(meetingId);
    if (prev && prev !== consultationId) await this.#setMeeting(prev, undefined);
    if (consultationId) {
      const c = await this.service.load(consultationId);
      if (c.stored.communityId !== m.communityId)
        throw new DomainError('validation_failed', 'That consultation belongs to another community. 该征求意见不属于本小区。', {
          issues: [{ path: 'consultationId', message: 'other community' }],
        });
      await this.#setMeeting(consultationId, meetingId);
    }
    await this.service.repo.link(meetingId, consultationId);
    this.meetings.notify(meetingId, 'state');
    return { meetingId, consultationId };
  }

  async #setMeeting(id: string, meetingId: string | undefined): Promise<void> {
    const c = await this.service.load(id);
    const stored: StoredConsultation = { ...c.stored, meetingId };
    await this.service.repo.transition({
      consultationId: id,
      from: ['scheduled', 'open', 'closed', 'published'],
      to: '',
      metaJson: JSON.stringify(stored),
      clock: '',
      ...auditBody(id, 'meeting_linked', { meetingId: meetingId ?? null }),
    });
    this.service.emit({ type: 'changed', consultationId: id, communityId: c.stored.communityId });
  }

  async communityOfMeeting(meetingId: string): Promise<string> {
    const m = await this.meetings.get(meetingId);
    if (!m) throw new DomainError('not_found', 'No such meeting. 会议不存在。');
    return m.communityId;
  }

  /** The consultation linked to a meeting (for the join payload and the projector). */
  linkedTo(meetingId: string): Promise<string | null> {
    return this.service.repo.linkedTo(meetingId);
  }
}
