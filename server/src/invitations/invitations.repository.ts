/**
 * Redis keys of invitations beyond the code itself (which lives with the household, in the roster):
 *   invclaims:{cid}:{hid}   set of user ids who joined the household with one of its slips
 */
import type { Redis } from '../redis/connection.ts';

const k = { claims: (cid: string, hid: string) => `invclaims:${cid}:${hid}` };

export class InvitationsRepository {
  constructor(private readonly redis: Redis) {}

  async addClaim(cid: string, hid: string, userId: string): Promise<void> {
    await this.redis.sadd(k.claims(cid, hid), userId);
  }

  async claimants(cid: string, hid: string): Promise<string[]> {
    return this.redis.smembers(k.claims(cid, hid));
  }

  async removeClaimants(cid: string, hid: string, userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0) await this.redis.srem(k.claims(cid, hid), ...userIds);
  }
}
