/** Communities: create, rename, list. Each has its own members and roles. */
import { DomainError, type Community, type CommunityCreate, type CommunityUpdate } from '@linli/shared';
import { newId } from '../common/ids.ts';
import type { CommunitiesRepository } from './communities.repository.ts';

export class CommunitiesService {
  constructor(private readonly repo: CommunitiesRepository) {}

  async create(input: CommunityCreate, opts: { demo?: boolean } = {}): Promise<Community> {
    const c: Community = {
      id: newId(),
      name: input.name,
      createdAt: Date.now(),
      ...(input.address ? { address: input.address } : {}),
      ...(input.district ? { district: input.district } : {}),
      ...(opts.demo ? { demo: true } : {}),
    };
    await this.repo.save(c);
    return c;
  }

  async get(id: string): Promise<Community> {
    const c = await this.repo.get(id);
    if (!c) throw new DomainError('not_found', 'No such community. 小区不存在。');
    return c;
  }

  async update(id: string, patch: CommunityUpdate): Promise<Community> {
    const c = { ...(await this.get(id)), ...patch };
    await this.repo.save(c);
    return c;
  }

  list(): Promise<Community[]> {
    return this.repo.list();
  }
}
