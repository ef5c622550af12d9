import { loadMe } from '$lib/api';
import type { LayoutLoad } from './$types';

/** Who is signed in (null when nobody): the header and every page below use it. */
export const load: LayoutLoad = async ({ fetch }) => ({ me: await loadMe(fetch) });
