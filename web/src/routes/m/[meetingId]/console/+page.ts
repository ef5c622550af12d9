/** The console runs in the browser only; it knows who is signed in (the check-in panel's rights) from here, as the app layout would. */
import { loadMe } from '$lib/api';
import type { PageLoad } from './$types';

export const ssr = false;
export const load: PageLoad = async ({ params, fetch }) => ({ meetingId: params.meetingId, me: await loadMe(fetch) });
