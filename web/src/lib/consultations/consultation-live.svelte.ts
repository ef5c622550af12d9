/**
 * One consultation as the organiser's page and the projector see it: the consultation and its
 * progress (GET /api/consultations/:id), the per-question results (GET …/result), kept live by
 * the `consultation:progress` event (community room after `community:watch`, or the linked
 * meeting's room on the projector). Reloads everything after every (re)connect, so it is exact.
 */
import type {
  Consultation,
  ConsultationProgress,
  ConsultationProgressEvent,
  ConsultationResult,
  ConsultationView,
  QuestionResult,
} from '@linli/shared/consultations/schemas';
import { api, ApiError } from '$lib/api';
import { emitWithAck, type LinliClientSocket, type LiveConnection } from '$lib/realtime/connection.svelte';

export class ConsultationLive {
  consultation = $state<Consultation | null>(null);
  progress = $state<ConsultationProgress | null>(null);
  questions = $state<QuestionResult[]>([]);
  result = $state<ConsultationResult | null>(null);
  mine = $state<ConsultationView['mine']>(undefined);
  error = $state('');
  errorStatus = $state(0);
  /** Bumped on every live update (tests and live regions read it). */
  updatedAt = $state(0);
  readonly #socket: LinliClientSocket | null;
  readonly #onProgress = (p: ConsultationProgressEvent) => this.apply(p);

  constructor(
    readonly id: string,
    conn: LiveConnection | null,
    /** Join the community room on every connect (the organiser's page); the projector is in the meeting's room already. */
    watchCommunity = true,
  ) {
    this.#socket = conn?.socket ?? null;
    this.#socket?.on('consultation:progress', this.#onProgress);
    if (conn) {
      conn.onEveryConnect(() => {
        void this.load().then(() => {
          if (watchCommunity && this.consultation && this.#socket)
            void emitWithAck(this.#socket, 'community:watch', { communityId: this.consultation.communityId });
        });
      });
    } else void this.load();
  }

  async load(): Promise<void> {
    try {
      const view = await api<ConsultationView>('GET', `/consultations/${encodeURIComponent(this.id)}`);
      this.consultation = view.consultation;
      this.progress = view.progress;
      this.mine = view.mine;
      this.error = '';
      const res = await api<ConsultationResult>('GET', `/consultations/${encodeURIComponent(this.id)}/result`).catch(() => null);
      if (res) {
        this.result = res;
        this.questions = res.questions;
      }
      this.updatedAt = Date.now();
    } catch (err) {
      this.error = (err as ApiError).message;
      this.errorStatus = (err as ApiError).status ?? 0;
    }
  }

  private apply(p: ConsultationProgressEvent): void {
    if (!p || p.consultationId !== this.id) return;
    if (this.consultation && this.consultation.status !== p.status) {
      this.consultation = { ...this.consultation, status: p.status };
      // A status change (opened, closed, published) brings new fields (eligibleCount, head…).
      void this.load();
    }
    this.progress = p.progress;
    if (p.questions?.length) this.questions = p.questions;
    this.updatedAt = Date.now();
  }

  destroy(): void {
    this.#socket?.off('consultation:progress', this.#onProgress);
  }
}
