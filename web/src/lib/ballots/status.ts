/** A ballot's status in the reader's language (a ballot's life cycle is not a meeting's). */
import { m } from '$lib/paraglide/messages.js';

const LABELS: Record<string, () => string> = {
  draft: m.bstatus_draft,
  open: m.bstatus_open,
  closed: m.bstatus_closed,
  published: m.bstatus_published,
};

export function ballotStatusLabel(status: string): string {
  return LABELS[status]?.() ?? status;
}
