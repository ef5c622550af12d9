/** The demo community, seeded into an empty store unless LINLI_DEMO=0. Features fill it in. */
import type { AppContext } from '../context.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { Feature } from '../server.ts';

export const DEMO_COMMUNITY_NAME = '海月花园（演示小区）';

export async function seedDemoCommunity(ctx: AppContext, communities: CommunitiesService, features: Feature[]): Promise<string> {
  const community = await communities.create({ name: DEMO_COMMUNITY_NAME, district: '深圳市南山区粤海街道' }, { demo: true });
  for (const f of features) {
    if (f.seedDemo) await f.seedDemo({ communityId: community.id });
  }
  ctx.logger.info({ communityId: community.id, name: community.name }, 'demo community seeded');
  return community.id;
}
