import type { MeResponse } from '@linli/shared';
import type { LayoutLoad } from './$types';

/** Who is signed in (null when nobody): the header and every page below use it. */
export const load: LayoutLoad = async ({ fetch }) => {
  const res = await fetch('/api/me').catch(() => null);
  const me: MeResponse | null = res?.ok ? await res.json() : null;
  return { me };
};
