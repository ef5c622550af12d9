/** Words for a consultation's status and channels (zod-free: the phone page uses them). */
import { m } from '$lib/paraglide/messages.js';

const STATUS: Record<string, () => string> = {
  scheduled: m.cons_status_scheduled,
  open: m.cons_status_open,
  closed: m.cons_status_closed,
  published: m.cons_status_published,
};
const CHANNEL: Record<string, () => string> = { phone: m.cons_channel_phone, paper: m.cons_channel_paper, hall: m.cons_channel_hall };

export const statusLabel = (s: string): string => STATUS[s]?.() ?? s;
export const channelLabel = (c: string): string => CHANNEL[c]?.() ?? c;
