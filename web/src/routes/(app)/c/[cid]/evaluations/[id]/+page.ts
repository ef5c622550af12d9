/**
 * The evaluation page sits outside the app layout (phone first: at 200% text the layout's header
 * does not fit 360 px), so it loads who is signed in itself, as the layout would.
 */
import type { MeResponse } from '@linli/shared';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => {
  const res = await fetch('/api/me').catch(() => null);
  const me: MeResponse | null = res?.ok ? await res.json() : null;
  return { me };
};
