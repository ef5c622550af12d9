/** Socket events of communities: `community:watch` joins the community's room. */
import { CommunityWatch, DomainError, can } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { SocketRouter } from '../realtime/router.ts';
import type { LinliSocket } from '../realtime/socket.ts';
import type { CommunitiesService } from './communities.service.ts';

export const communityRoom = (cid: string) => `community:${cid}`;

export function communitiesSocket(router: SocketRouter, auth: AuthService, communities: CommunitiesService) {
  return (socket: LinliSocket) => {
    router.on(socket, 'community:watch', CommunityWatch, async ({ communityId }) => {
      const user = socket.data.userId ? await auth.getUser(socket.data.userId) : null;
      if (!user) throw new DomainError('unauthenticated', 'Please sign in first. 请先登录。');
      // Outsiders get the same answer as for a community that does not exist (no id probing).
      if (!can(await auth.actor(user, communityId), 'community.view', { communityId })) {
        throw new DomainError('not_found', 'No such community. 小区不存在。');
      }
      const community = await communities.get(communityId);
      await socket.join(communityRoom(communityId));
      return { community };
    });
  };
}
