/**
 * The phone view, rendered on the server so an old phone on a slow network shows the meeting and
 * the open ballot before any script arrives; once hydrated, the socket takes over (MeetingLive).
 * Without scripts, the ballot card's buttons post here: `choose` walks to the confirmation,
 * `vote` casts through the API with the idempotency key the confirmation form carried.
 */
import { fail } from '@sveltejs/kit';
import type { MeetingState, MeetingYou, MyBallotStanding } from '@linli/shared';
import type { LiveBallot, MeetingSeed } from '$lib/meetings/meeting-live.svelte';
import { ballotFormStep, choiceOf, type BallotFormState } from '$lib/meetings/ballot-form';
import type { Actions, PageServerLoad } from './$types';
import { localized } from '$lib/api';

type Fetch = typeof fetch;

/** The API's error message, or '' when the answer is not the API's (no server behind: dev). */
async function apiError(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ? localized(body.error.message) : '';
}

export const load: PageServerLoad = async ({ params, fetch }) => {
  const id = encodeURIComponent(params.meetingId);
  const [st, bl] = await Promise.all([fetch(`/api/meetings/${id}/state`), fetch(`/api/meetings/${id}/ballots`)]);
  // 401: no session (signed out, or never joined): the page says how to get in, not a bare error.
  if (!st.ok) return { meetingId: params.meetingId, seed: null as MeetingSeed | null, loadError: await apiError(st), loadCode: st.status === 401 ? 'unauthenticated' : '' };
  const { state, you } = (await st.json()) as { state: MeetingState; you?: MeetingYou };
  const ballots = bl.ok ? ((await bl.json()) as { ballots: LiveBallot[] }).ballots : [];
  // Where this person stands on the open ballots, so the first paint never offers a vote they cannot cast.
  const standing: Record<string, MyBallotStanding> = {};
  if (you && you.kind !== 'guest') {
    await Promise.all(
      ballots.filter((b) => b.status === 'open').map(async (b) => {
        const r = await fetch(`/api/ballots/${encodeURIComponent(b.id)}/mine`).catch(() => null);
        const body = r?.ok ? ((await r.json()) as { you?: MyBallotStanding }) : null;
        if (body?.you) standing[b.id] = body.you;
      }),
    );
  }
  return { meetingId: params.meetingId, seed: { state, you: you ?? null, ballots, standing } as MeetingSeed | null, loadError: '', loadCode: '' };
};

/** The ballot the form names, as the API gives it (its kind decides what a choice is). */
async function ballotOf(fetch: Fetch, ballotId: string): Promise<LiveBallot | string> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(ballotId)) return '';
  const res = await fetch(`/api/ballots/${ballotId}`);
  if (!res.ok) return await apiError(res);
  return ((await res.json()) as { ballot: LiveBallot }).ballot;
}

/** The card's state as the form carried it (hidden inputs) plus the button that was pressed. */
function formState(f: FormData, ballotId: string): BallotFormState {
  const score = f.get('score');
  return { ballotId, step: 'choose', picked: f.getAll('picked').map(String), score: score === null || score === '' ? null : Number(score), key: String(f.get('key') ?? '') };
}

export const actions: Actions = {
  choose: async ({ request, fetch }) => {
    const f = await request.formData();
    const ballotId = String(f.get('ballotId') ?? '');
    const ballot = await ballotOf(fetch, ballotId);
    if (typeof ballot === 'string') return fail(400, { ballotId, step: 'choose', picked: [], score: null, key: '', error: ballot || 'No such ballot.' } satisfies BallotFormState);
    const press = { pick: f.get('pick'), setScore: f.get('setScore'), next: f.has('next'), change: f.has('change') };
    return ballotFormStep(ballot, formState(f, ballotId), {
      pick: press.pick === null ? undefined : String(press.pick),
      score: press.setScore === null ? undefined : Number(press.setScore),
      next: press.next,
      change: press.change,
    }, () => crypto.randomUUID());
  },

  vote: async ({ request, fetch }) => {
    const f = await request.formData();
    const ballotId = String(f.get('ballotId') ?? '');
    const st = { ...formState(f, ballotId), step: 'confirm' as const };
    const ballot = await ballotOf(fetch, ballotId);
    if (typeof ballot === 'string') return fail(400, { ...st, error: ballot || 'No such ballot.' });
    const res = await fetch(`/api/ballots/${ballotId}/votes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ choice: choiceOf(ballot, st), idempotencyKey: st.key, ...(reasonOf(f) ? { reason: reasonOf(f) } : {}) }),
    });
    if (!res.ok) return fail(res.status, { ...st, error: (await apiError(res)) || `HTTP ${res.status}` });
    const { receipt } = (await res.json()) as { receipt: string };
    return { ...st, step: 'done' as const, receipt };
  },
};

/** The optional one-line reason of the vote form (open ballots; the server refuses one on a secret ballot). */
function reasonOf(f: FormData): string {
  return String(f.get('reason') ?? '').trim();
}
