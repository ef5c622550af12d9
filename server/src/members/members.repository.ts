/**
 * Redis keys of the members feature beyond the memberships themselves (auth owns those):
 *   caudit:{cid}   list  the community audit log, one CommunityAuditEntry JSON per element, oldest first
 */
import type { CommunityAuditEntry } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

const k = { audit: (cid: string) => `caudit:${cid}` };

export class MembersRepository {
  constructor(private readonly redis: Redis) {}

  async appendAudit(cid: string, e: CommunityAuditEntry): Promise<void> {
    await this.redis.rpush(k.audit(cid), JSON.stringify(e));
  }

  /** The newest `limit` entries, newest first. */
  async audit(cid: string, limit: number): Promise<CommunityAuditEntry[]> {
    const raws = await this.redis.lrange(k.audit(cid), String(-limit), '-1');
    return raws.map((r) => JSON.parse(r) as CommunityAuditEntry).reverse();
  }
}
