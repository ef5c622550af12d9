/**
 * Many people at once for tests and benchmarks, the way the admin CLI would make them: accounts,
 * memberships and sessions written through the server's own AuthService on the test's Redis (a
 * thousand argon2 logins would take minutes). Each person gets a cookie for HTTP and Socket.IO.
 */
import { Redis } from 'ioredis';
import type { Role } from '@linli/shared';
import { AuthRepository } from '../../src/auth/auth.repository.ts';
import { AuthService } from '../../src/auth/auth.service.ts';

export interface Person {
  userId: string;
  name: string;
  cookie: string;
}

export class People {
  readonly redis: Redis;
  readonly auth: AuthService;
  /** A Redis URL, or a connection (a cluster's, from connectRedis). */
  constructor(redis: string | Redis) {
    this.redis = typeof redis === 'string' ? new Redis(redis) : redis;
    this.auth = new AuthService(new AuthRepository(this.redis));
  }

  /** A member of `communityId` with these roles (and households, for owners), signed in. */
  async member(
    communityId: string,
    name: string,
    roles: Role[],
    opts: { householdIds?: string[]; buildings?: string[] } = {},
  ): Promise<Person> {
    const user = await this.auth.createPerson(name, 'member');
    await this.auth.saveMembership(user.id, { communityId, roles, householdIds: opts.householdIds ?? [], buildings: opts.buildings ?? [] });
    const s = await this.auth.startSession(user.id);
    return { userId: user.id, name, cookie: `linli_sid=${s.sid}` };
  }

  /** `n` members, created 50 at a time. */
  async members(communityId: string, n: number, prefix: string, roles: Role[] = ['resident']): Promise<Person[]> {
    const out: Person[] = [];
    for (let i = 0; i < n; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, n - i) }, (_, j) => this.member(communityId, `${prefix}${i + j}`, roles)),
      );
      out.push(...batch);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
