/**
 * What a member may open from the community home, one entry per page that exists. Each entry names
 * the permission it needs; the home page shows the entries `can()` allows. Add a line per new page.
 */
import type { Action } from '@linli/shared';
import { m } from '$lib/paraglide/messages.js';

export interface CommunityLink {
  /** Stable id (tests and styling). */
  id: string;
  href: (cid: string) => string;
  label: () => string;
  hint: () => string;
  action: Action;
}

export const COMMUNITY_LINKS: CommunityLink[] = [
  {
    id: 'meetings',
    href: (cid) => `/c/${cid}/meetings`,
    label: m.meetings_title,
    hint: m.chome_link_meetings_hint,
    action: 'meeting.join',
  },
  { id: 'consultations', href: (cid) => `/c/${cid}/consultations`, label: m.cons_title, hint: m.cons_link_hint, action: 'meeting.join' },
  { id: 'evaluations', href: (cid) => `/c/${cid}/evaluations`, label: m.eval_title, hint: m.eval_link_hint, action: 'evaluation.answer' },
  { id: 'opinions', href: (cid) => `/c/${cid}/opinions`, label: m.op_title, hint: m.op_link_hint, action: 'deliberation.take_part' },
  {
    id: 'problems',
    href: (cid) => `/c/${cid}/problems`,
    label: m.problems_title,
    hint: m.chome_link_problems_hint,
    action: 'problem.raise',
  },
  { id: 'budgets', href: (cid) => `/c/${cid}/budgets`, label: m.bud_title, hint: m.chome_link_budgets_hint, action: 'budget.vote' },
  { id: 'lists', href: (cid) => `/c/${cid}/lists`, label: m.lists_title, hint: m.chome_link_lists_hint, action: 'community.view' },
  {
    id: 'dashboard',
    href: (cid) => `/c/${cid}/dashboard`,
    label: m.dash_title,
    hint: m.chome_link_dashboard_hint,
    action: 'dashboard.view',
  },
  { id: 'roster', href: (cid) => `/c/${cid}/roster`, label: m.roster_title, hint: m.chome_link_roster_hint, action: 'roster.view' },
  { id: 'members', href: (cid) => `/c/${cid}/members`, label: m.members_title, hint: m.chome_link_members_hint, action: 'roster.view' },
  { id: 'slips', href: (cid) => `/c/${cid}/slips`, label: m.slips_title, hint: m.chome_link_slips_hint, action: 'invitation.print' },
];
