/**
 * Display names that pass for a staff member's: refused wherever a person chooses a name (joining a
 * meeting as a guest, changing one's own name, adding a person), compared with `looksLikeAny`
 * (NFKC, case, spaces, invisible characters, homoglyphs) against the display names and logins of
 * the community's staff (read through the staff index, AuthService.staffOf) and of the `admin` account.
 */
import { DomainError, looksLikeAny } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';

/** Display names and logins of the staff of these communities (and the admin account), except `selfId`. */
export async function staffNames(auth: AuthService, cids: readonly string[], selfId?: string): Promise<string[]> {
  const out = new Set<string>();
  const admin = await auth.findByLogin('admin');
  if (admin && admin.id !== selfId) out.add(admin.displayName).add('admin');
  for (const cid of new Set(cids)) {
    for (const { user } of await auth.staffOf(cid)) {
      if (user.id === selfId) continue;
      out.add(user.displayName);
      if (user.login) out.add(user.login);
    }
  }
  return [...out];
}

/** Throws `name_taken` (409) when `name` looks like the name of a staff member of these communities. */
export async function refuseStaffLookalike(auth: AuthService, cids: readonly string[], name: string, selfId?: string): Promise<void> {
  if (!looksLikeAny(name, await staffNames(auth, cids, selfId))) return;
  throw new DomainError(
    'name_taken',
    `"${name}" looks like the name of a staff member here: choose another name (add your building or room, e.g. 王芳(3栋)). 该名称与本小区工作人员的名字相近，请换一个（可加上楼栋或房号）。`,
    {
      status: 409,
      issues: [{ path: 'displayName', message: 'looks like a staff member’s name. 与工作人员的名字相近。' }],
    },
  );
}
