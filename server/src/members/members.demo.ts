/**
 * Demo members in every role of the demo community, with logins other engineers' tests can use.
 * DEMO ONLY: the password is `linli-demo` unless LINLI_DEMO_PASSWORD says otherwise; with
 * NODE_ENV=production (where the demo is off unless LINLI_DEMO=1) it is random, printed once.
 */
import type { Role } from '@linli/shared';
import { generatePassword, type AuthService } from '../auth/auth.service.ts';
import type { Logger } from '../logger.ts';
import type { RosterService } from '../roster/roster.service.ts';

/** The demo password's fixed default (demo only). */
export const DEMO_DEFAULT_PASSWORD = 'linli-demo';

/** The demo accounts' password: LINLI_DEMO_PASSWORD, else random in production, else `linli-demo`. */
export function demoPassword(production: boolean, env: NodeJS.ProcessEnv = process.env): string {
  return env.LINLI_DEMO_PASSWORD || (production ? generatePassword() : DEMO_DEFAULT_PASSWORD);
}

/** Logins of the demo community's staff accounts, by role. */
export const DEMO_LOGINS = {
  propertyFirm: 'wuye',
  ownersCommittee: 'yeweihui',
  partyBranch: 'dangzhibu',
  facilitator: 'facilitator',
  notable: 'xianda',
  /** Building leaders of buildings 1–4, in order. */
  buildingLeaders: ['loudong1', 'loudong2', 'loudong3', 'loudong4'],
  /** An owner of household 1栋1单元101 and a tenant of 1栋1单元102, with logins for tests. */
  owner: 'yezhu',
  resident: 'zuhu',
} as const;

interface DemoAccount {
  login: string;
  displayName: string;
  roles: Role[];
  buildings?: string[];
  household?: number;
}

const ACCOUNTS: DemoAccount[] = [
  { login: DEMO_LOGINS.propertyFirm, displayName: '李经理（海月物业）', roles: ['property_firm'] },
  { login: DEMO_LOGINS.ownersCommittee, displayName: '陈主任（业委会）', roles: ['owners_committee', 'owner'], household: 20 },
  { login: DEMO_LOGINS.partyBranch, displayName: '王书记（党支部）', roles: ['party_branch'] },
  { login: DEMO_LOGINS.facilitator, displayName: '周老师（主持人）', roles: ['facilitator'] },
  { login: DEMO_LOGINS.notable, displayName: '林老师（贤达能人）', roles: ['notable', 'owner'], household: 45 },
  ...DEMO_LOGINS.buildingLeaders.map((login, i) => ({
    login,
    displayName: `${i + 1}栋楼栋长`,
    roles: ['building_leader', 'owner'] as Role[],
    buildings: [String(i + 1)],
    household: i * 30 + 7,
  })),
  { login: DEMO_LOGINS.owner, displayName: '张阿姨（业主）', roles: ['owner'], household: 0 },
  { login: DEMO_LOGINS.resident, displayName: '小刘（租户）', roles: ['resident'], household: 1 },
];

/**
 * Creates the demo accounts; in dev, logs their logins and the password. In production a known
 * password would open 11 staff accounts to anyone: there it is random and printed once.
 */
export async function seedDemoMembers(
  auth: AuthService,
  roster: RosterService,
  cid: string,
  logger: Logger,
  opts: { log: boolean; production: boolean },
): Promise<void> {
  const password = demoPassword(opts.production);
  const households = await roster.listHouseholds(cid);
  for (const a of ACCOUNTS) {
    const user = await auth.createStaff({ login: a.login, password, displayName: a.displayName });
    const hid = a.household !== undefined ? households[a.household]?.id : undefined;
    await auth.saveMembership(user.id, { communityId: cid, roles: a.roles, householdIds: hid ? [hid] : [], buildings: a.buildings ?? [] });
  }
  const lines = ACCOUNTS.map((a) => `  ${a.login.padEnd(12)} ${a.roles.join(',').padEnd(26)} ${a.displayName}`).join('\n');
  if (opts.production) {
    const shown = process.env.LINLI_DEMO_PASSWORD ? 'LINLI_DEMO_PASSWORD' : `"${password}", shown once`;
    logger.warn(`Demo accounts (password ${shown}; demo only):\n${lines}`);
  } else if (opts.log) logger.info(`Demo accounts (password "${password}", demo only):\n${lines}`);
}
