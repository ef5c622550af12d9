/**
 * Redis keys of invitations beyond the code itself (which lives with the household, in the roster):
 *   invclaims:{cid}:{hid}   set of user ids who joined the household with one of its slips
 *   invfirst:{cid}:{hid}    the user id of the first of them (a rescanned slip signs them in again)
 */
import type { Redis } from '../redis/connection.ts';

const k = {
  claims: (cid: string, hid: string) => `invclaims:${cid}:${hid}`,
  first: (cid: string, hid: string) => `invfirst:${cid}:${hid}`,
};

export class InvitationsRepository {
  constructor(private readonly redis: Redis) {}

  async addClaim(cid: string, hid: string, userId: string): Promise<void> {
    await this.redis.multi().sadd(k.claims(cid, hid), userId).set(k.first(cid, hid), userId, 'NX').exec();
  }

  /** Everyone who joined with the household's slips, the first of them first (then by id). */
  async claimantsInOrder(cid: string, hid: string): Promise<string[]> {
    const [all, first] = await Promise.all([this.redis.smembers(k.claims(cid, hid)), this.redis.get(k.first(cid, hid))]);
    all.sort();
    return first && all.includes(first) ? [first, ...all.filter((id) => id !== first)] : all;
  }

  async claimants(cid: string, hid: string): Promise<string[]> {
    return this.redis.smembers(k.claims(cid, hid));
  }

  async removeClaimants(cid: string, hid: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0) await this.redis.srem(k.claims(cid, hid), ...userIds);
  }
}
