/**
 * The phone view, rendered on the server so an old phone on a slow network shows the meeting and
 * the open ballot before any script arrives; once hydrated, the socket takes over (MeetingLive).
 * Without scripts, the ballot card's buttons post here: `choose` walks to the confirmation,
 * `vote` casts through the API with the idempotency key the confirmation form carried.
 */
import { fail } from '@sveltejs/kit';
import type { Ballot, BallotCastAck, MeetingBallot, MeetingState, MeetingYou, MyBallotStanding } from '@linli/shared';
import type { MeetingSeed } from '$lib/meetings/meeting-live.svelte';
import { ballotFormStep, choiceOf, type BallotFormState } from '$lib/meetings/ballot-form';
import type { Actions, PageServerLoad } from './$types';
import { api, ApiError } from '$lib/api';

type Fetch = typeof fetch;

/** The API's error message, or '' when the answer is not the API's (no server behind: dev). */
function apiError(err: unknown): string {
  return err instanceof ApiError && err.code !== 'error' && err.code !== 'network' ? err.message : '';
}

/** What the phone page renders from: the seed, or why there is none. */
interface PhoneData {
  meetingId: string;
  seed: MeetingSeed | null;
  loadError: string;
  loadCode: '' | 'unauthenticated';
}

export const load: PageServerLoad = async ({ params, fetch }): Promise<PhoneData> => {
  const id = encodeURIComponent(params.meetingId);
  const [st, bl] = await Promise.allSettled([
    api<{ state: MeetingState; you?: MeetingYou }>('GET', `/meetings/${id}/state`, undefined, fetch),
    api<{ ballots: MeetingBallot[] }>('GET', `/meetings/${id}/ballots`, undefined, fetch),
  ]);
  // 401: no session (signed out, or never joined): the page says how to get in, not a bare error.
  if (st.status === 'rejected') {
    const unauthenticated = st.reason instanceof ApiError && st.reason.status === 401;
    return { meetingId: params.meetingId, seed: null, loadError: apiError(st.reason), loadCode: unauthenticated ? 'unauthenticated' : '' };
  }
  const { state, you } = st.value;
  const ballots = bl.status === 'fulfilled' ? bl.value.ballots : [];
  // Where this person stands on the open ballots, so the first paint never offers a vote they cannot cast.
  const standing: Record<string, MyBallotStanding> = {};
  if (you && you.kind !== 'guest') {
    await Promise.all(
      ballots
        .filter((b) => b.status === 'open')
        .map(async (b) => {
          const body = await api<{ you?: MyBallotStanding }>('GET', `/ballots/${encodeURIComponent(b.id)}/mine`, undefined, fetch).catch(
            () => null,
          );
          if (body?.you) standing[b.id] = body.you;
        }),
    );
  }
  return { meetingId: params.meetingId, seed: { state, you: you ?? null, ballots, standing }, loadError: '', loadCode: '' };
};

/** The ballot the form names, as the API gives it (its kind decides what a choice is), or the error to show. */
async function ballotOf(fetch: Fetch, ballotId: string): Promise<Ballot | string> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(ballotId)) return '';
  return api<{ ballot: Ballot }>('GET', `/ballots/${ballotId}`, undefined, fetch).then((r) => r.ballot, apiError);
}

/** The card's state as the form carried it (hidden inputs) plus the button that was pressed. */
function formState(f: FormData, ballotId: string): BallotFormState {
  const score = f.get('score');
  return {
    ballotId,
    step: 'choose',
    picked: f.getAll('picked').map(String),
    score: score === null || score === '' ? null : Number(score),
    key: String(f.get('key') ?? ''),
  };
}

export const actions: Actions = {
  choose: async ({ request, fetch }) => {
    const f = await request.formData();
    const ballotId = String(f.get('ballotId') ?? '');
    const ballot = await ballotOf(fetch, ballotId);
    if (typeof ballot === 'string')
      return fail(400, {
        ballotId,
        step: 'choose',
        picked: [],
        score: null,
        key: '',
        error: ballot || 'No such ballot.',
      } satisfies BallotFormState);
    const press = { pick: f.get('pick'), setScore: f.get('setScore'), next: f.has('next'), change: f.has('change') };
    return ballotFormStep(
      ballot,
      formState(f, ballotId),
      {
        pick: press.pick === null ? undefined : String(press.pick),
        score: press.setScore === null ? undefined : Number(press.setScore),
        next: press.next,
        change: press.change,
      },
      () => crypto.randomUUID(),
    );
  },

  vote: async ({ request, fetch }) => {
    const f = await request.formData();
    const ballotId = String(f.get('ballotId') ?? '');
    const st = { ...formState(f, ballotId), step: 'confirm' as const };
    const ballot = await ballotOf(fetch, ballotId);
    if (typeof ballot === 'string') return fail(400, { ...st, error: ballot || 'No such ballot.' });
    const body = { choice: choiceOf(ballot, st), idempotencyKey: st.key, ...(reasonOf(f) ? { reason: reasonOf(f) } : {}) };
    try {
      const { receipt } = await api<BallotCastAck>('POST', `/ballots/${ballotId}/votes`, body, fetch);
      return { ...st, step: 'done' as const, receipt };
    } catch (err) {
      const status = err instanceof ApiError && err.status >= 400 ? err.status : 502;
      return fail(status, { ...st, error: apiError(err) || `HTTP ${status}` });
    }
  },
};

/** The optional one-line reason of the vote form (open ballots; the server refuses one on a secret ballot). */
function reasonOf(f: FormData): string {
  return String(f.get('reason') ?? '').trim();
}
