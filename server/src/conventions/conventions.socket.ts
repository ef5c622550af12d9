/** Socket events of conventions: `convention:watch` joins the room of live comments, suggestions and versions. */
import { ConventionWatch, DomainError } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { SocketRouter } from '../realtime/router.ts';
import type { LinliSocket } from '../realtime/socket.ts';
import type { ConventionsService } from './conventions.service.ts';
import type { ConventionDiscussion } from './conventions.discussion.ts';

export const conventionRoom = (conventionId: string) => `convention:${conventionId}`;

export function conventionsSocket(
  router: SocketRouter,
  auth: AuthService,
  conventions: ConventionsService,
  discussion: ConventionDiscussion,
) {
  return (socket: LinliSocket) => {
    router.on(socket, 'convention:watch', ConventionWatch, async ({ conventionId }) => {
      const user = socket.data.userId ? await auth.getUser(socket.data.userId) : null;
      if (!user) throw new DomainError('unauthenticated', 'Please sign in first. 请先登录。');
      const { convention } = await conventions.access(user, conventionId, 'convention.view');
      await socket.join(conventionRoom(conventionId));
      const [comments, suggestions, versions] = await Promise.all([
        discussion.comments(convention),
        discussion.suggestions(convention),
        conventions.versions(convention),
      ]);
      return { comments, suggestions, versions };
    });
  };
}
