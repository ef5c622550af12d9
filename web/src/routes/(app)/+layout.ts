import type { MeResponse } from '@linli/shared';
import { api } from '$lib/api';
import type { LayoutLoad } from './$types';

/** Who is signed in (null when nobody): the header and every page below use it. */
export const load: LayoutLoad = async ({ fetch }) => {
  const me = await api<MeResponse>('GET', '/me', undefined, fetch).catch(() => null);
  return { me };
};
