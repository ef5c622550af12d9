/**
 * The evaluation page sits outside the app layout (phone first: at 200% text the layout's header
 * does not fit 360 px), so it loads who is signed in itself, as the layout would.
 */
import { loadMe } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => ({ me: await loadMe(fetch) });
