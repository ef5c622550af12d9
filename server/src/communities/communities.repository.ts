/** Redis keys and commands for communities. */
import type { Community } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

const k = {
  community: (id: string) => `community:${id}`,
  all: 'communities',
};

export class CommunitiesRepository {
  constructor(private readonly redis: Redis) {}

  async get(id: string): Promise<Community | null> {
    const raw = await this.redis.get(k.community(id));
    return raw ? (JSON.parse(raw) as Community) : null;
  }

  async save(c: Community): Promise<void> {
    await this.redis.multi().set(k.community(c.id), JSON.stringify(c)).zadd(k.all, String(c.createdAt), c.id).exec();
  }

  async list(): Promise<Community[]> {
    const ids = await this.redis.zrange(k.all, '0', '-1');
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => k.community(id)));
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as Community);
  }
}
