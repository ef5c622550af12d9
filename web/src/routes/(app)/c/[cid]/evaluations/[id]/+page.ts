/**
 * The evaluation page sits outside the app layout (phone first: at 200% text the layout's header
 * does not fit 360 px), so it loads who is signed in itself, as the layout would.
 */
import type { MeResponse } from '@linli/shared';
import { api } from '$lib/api';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const me = await api<MeResponse>('GET', '/me', undefined, fetch).catch(() => null);
  return { me };
};
