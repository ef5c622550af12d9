/**
 * Door to door (上门): a building leader's list of the households of their building on a
 * consultation — who has answered and by which channel, whether the paper was handed out and
 * collected — and the marks they set. Phones only to those who may see them (roster.manage, as
 * the roster shows them). Redis: `{consultation:C}:doors` householdId → mark JSON (same slot).
 */
import { DomainError, can, toShanghaiIso, type Actor, type Consultation, type DoorMark, type DoorRow } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';
import type { EntryCore } from './consultations.entry.ts';

interface StoredMark {
  handedOut: boolean;
  collected: boolean;
  at: string;
  by: string;
}

const doorsKey = (cid: string) => `{consultation:${cid}}:doors`;

export class DoorsService {
  constructor(
    private readonly redis: Redis,
    private readonly core: EntryCore,
  ) {}

  /** The households of `building` (every building the actor may see when none is given), in address order. */
  async list(c: Consultation, actor: Actor, building?: string): Promise<DoorRow[]> {
    const resource = { communityId: c.communityId, ...(building ? { building } : {}) };
    if (!can(actor, 'consultation.doors', resource))
      throw new DomainError('forbidden', 'You may not see this building’s door-to-door list. 您无权查看该楼栋的上门名单。');
    const [households, answered, marks] = await Promise.all([
      this.core.householdsOf(c.id),
      this.core.answered(c.id),
      this.redis.hgetall(doorsKey(c.id)),
    ]);
    const showPhone = can(actor, 'roster.manage', { communityId: c.communityId });
    return households
      .filter((h) => (building ? h.building === building : true))
      .filter((h) => can(actor, 'consultation.doors', { communityId: c.communityId, building: h.building }))
      .map((h) => {
        const a = answered.get(h.householdId);
        const m = marks[h.householdId] ? (JSON.parse(marks[h.householdId]!) as StoredMark) : null;
        return {
          householdId: h.householdId,
          address: h.address,
          building: h.building,
          unit: h.unit,
          room: h.room,
          areaCentiares: h.areaCentiares,
          owner: h.owner,
          ...(showPhone && h.phone ? { phone: h.phone } : {}),
          paperCode: h.paperCode,
          responded: !!a,
          ...(a ? { channel: a.channel } : {}),
          handedOut: m?.handedOut ?? false,
          collected: m?.collected ?? false,
        };
      });
  }

  /** Marks one household's paper handed out and/or collected (collected implies handed out). */
  async mark(c: Consultation, actor: Actor, householdId: string, body: DoorMark): Promise<DoorRow> {
    const h = (await this.core.householdsOf(c.id)).find((x) => x.householdId === householdId);
    if (!h) throw new DomainError('not_found', 'No such household on this consultation. 本次表决没有该户。');
    if (!can(actor, 'consultation.doors', { communityId: c.communityId, building: h.building })) {
      throw new DomainError('forbidden', `You may not mark doors of building ${h.building}. 您无权登记 ${h.building} 栋。`);
    }
    const raw = await this.redis.hget(doorsKey(c.id), householdId);
    const cur = raw ? (JSON.parse(raw) as StoredMark) : { handedOut: false, collected: false };
    const collected = body.collected ?? cur.collected;
    const handedOut = collected ? true : (body.handedOut ?? cur.handedOut);
    const next: StoredMark = { handedOut, collected, at: toShanghaiIso(Date.now()), by: actor.userId };
    await this.redis.hset(doorsKey(c.id), householdId, JSON.stringify(next));
    return (await this.list(c, actor, h.building)).find((r) => r.householdId === householdId)!;
  }
}
