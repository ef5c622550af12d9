/**
 * The one permission table (role × action) and `can()`. REST handlers, Socket.IO handlers and the
 * Yjs upgrade all ask `can()`; nothing else decides who may do what.
 */
import { z } from 'zod';

export const ROLES = [
  'admin',
  'owner',
  'resident',
  'property_firm',
  'owners_committee',
  'party_branch',
  'building_leader',
  'notable',
  'facilitator',
  'guest',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const ACTIONS = [
  'community.view',
  'community.manage',
  'roster.view',
  'roster.manage',
  'members.manage',
  /** Give or take away the `admin` role (members.manage alone cannot). */
  'members.grant_admin',
  /** Change which households another member holds (audited; nobody changes their own). Admin only. */
  'members.assign_households',
  /** See invitation codes and print slips (codes are credentials: a building leader only for their buildings). */
  'invitation.print',
  'convention.view',
  'convention.comment',
  'convention.suggest',
  'convention.edit',
  'convention.version',
  /** Record that a passed ballot approved a version (the people who open and publish ballots). */
  'convention.adopt',
  'meeting.create',
  'meeting.join',
  'meeting.facilitate',
  'meeting.speak',
  'meeting.check_in',
  'motion.propose',
  'problem.raise',
  'problem.manage',
  'ballot.create',
  'ballot.open',
  'ballot.vote',
  'ballot.view_voters',
  'vote.enter_paper',
  'proxy.register',
  'minutes.edit',
  'dashboard.view',
  /** Create, extend, publish a written consultation; link it to a meeting; print its papers and notices. */
  'consultation.manage',
  /** Settle a paper whose two entries differ (a third person, from the paper itself). */
  'consultation.review_papers',
  /** See a building's households on a consultation, mark papers handed out / collected (building leaders: their buildings). */
  'consultation.doors',
  /** Ask and upvote questions, answer a word cloud, write and answer opinion statements. */
  'deliberation.take_part',
  /** Moderate questions (hide, merge, answered, on screen), run word clouds and opinion rounds. */
  'deliberation.moderate',
  /** Answer an evaluation round (评议) and rate a finished micro-project. */
  'evaluation.answer',
  /** Create, open, close an evaluation round; enter printed questionnaires. */
  'evaluation.manage',
  /** Reply in writing to an evaluation of one's own organisation (the property firm, the committee). */
  'evaluation.reply',
  /** Propose a micro-project (民生微实事) for a budget. */
  'budget.propose',
  /** Choose projects within a budget. */
  'budget.vote',
  /** Create, open, close a budget; accept proposals; enter paper choices; report a funded project's progress. */
  'budget.manage',
] as const;
export const Action = z.enum(ACTIONS);
export type Action = z.infer<typeof Action>;

const PARTICIPANT: Action[] = [
  'community.view',
  'convention.view',
  'convention.comment',
  'convention.suggest',
  'meeting.join',
  'meeting.speak',
  'motion.propose',
  'problem.raise',
  'ballot.vote',
  'dashboard.view',
  'deliberation.take_part',
  'evaluation.answer',
  'budget.propose',
  'budget.vote',
];
const ORGANISER: Action[] = [
  ...PARTICIPANT,
  'convention.edit',
  'convention.version',
  'meeting.create',
  'meeting.check_in',
  'problem.manage',
  'minutes.edit',
  'roster.view',
];

/** role → the actions it grants. A member holding several roles gets the union. */
export const PERMISSIONS: Record<Role, readonly Action[]> = {
  admin: ACTIONS,
  owner: [...PARTICIPANT, 'proxy.register'],
  resident: PARTICIPANT,
  notable: [...PARTICIPANT, 'convention.edit'],
  building_leader: [...PARTICIPANT, 'meeting.check_in', 'vote.enter_paper', 'roster.view', 'invitation.print', 'consultation.doors'],
  property_firm: [...PARTICIPANT, 'problem.manage', 'evaluation.reply'],
  owners_committee: [
    ...ORGANISER,
    'ballot.create',
    'ballot.open',
    'convention.adopt',
    'vote.enter_paper',
    'proxy.register',
    'members.manage',
    'invitation.print',
    'consultation.manage',
    'consultation.review_papers',
    'consultation.doors',
    'deliberation.moderate',
    'evaluation.reply',
    'budget.manage',
  ],
  // The branch and the notables evaluate (评议) the firm and the committee; the branch runs the rounds.
  party_branch: [
    ...ORGANISER,
    'ballot.create',
    'ballot.open',
    'convention.adopt',
    'consultation.manage',
    'deliberation.moderate',
    'evaluation.manage',
    'budget.manage',
  ],
  facilitator: [
    ...ORGANISER,
    'meeting.facilitate',
    'ballot.create',
    'ballot.open',
    'convention.adopt',
    'ballot.view_voters',
    'vote.enter_paper',
    'proxy.register',
    'invitation.print',
    'consultation.manage',
    'consultation.review_papers',
    'consultation.doors',
    'deliberation.moderate',
    'evaluation.manage',
    'budget.manage',
  ],
  guest: ['meeting.join', 'convention.view'],
};

/** Who is acting: the roles held in one community (or a global admin). */
export interface Actor {
  userId: string;
  /** Global administrator: may act in every community. */
  isAdmin?: boolean;
  communityId?: string | null;
  roles: readonly Role[];
  /** For building leaders: the buildings they look after (empty = all). */
  buildings?: readonly string[];
}

/** What is acted upon: at least its community. */
export interface Resource {
  communityId?: string | null;
  building?: string;
}

/** True when `actor` may do `action` on `resource` (same community, a role that grants it). */
export function can(actor: Actor | null | undefined, action: Action, resource: Resource = {}): boolean {
  if (!actor) return false;
  if (actor.isAdmin) return true;
  if (resource.communityId != null && actor.communityId !== resource.communityId) return false;
  const granted = actor.roles.some((r) => PERMISSIONS[r]?.includes(action));
  if (!granted) return false;
  // A building leader who is only a building leader for this action acts only in their buildings.
  if (resource.building && actor.buildings && actor.buildings.length > 0) {
    const viaOtherRole = actor.roles.some((r) => r !== 'building_leader' && PERMISSIONS[r]?.includes(action));
    if (!viaOtherRole && !actor.buildings.includes(resource.building)) return false;
  }
  return true;
}
