/**
 * The household roster: import (with dry run), list, search, edit, and the invitation code each
 * household carries. Other features read households through `listHouseholds` / `getHousehold`.
 */
import { createHash, randomInt } from 'node:crypto';
import {
  DomainError,
  INVITATION_ALPHABET,
  INVITATION_CODE_LENGTH,
  checkRow,
  formatArea,
  householdKey,
  normalizeInvitationCode,
  normalizeOwnerName,
  parseRoster,
  rankRooms,
  type Household,
  type HouseholdPatch,
  type ImportResult,
  type RawRosterRow,
  type RosterCheckOptions,
  type RosterParse,
  type RosterRow,
} from '@linli/shared';
import { newId } from '../common/ids.ts';
import type { HouseholdWrite, RosterRepository, RosterWrite } from './roster.repository.ts';

/** A household as other features use it: exact area and the owner's identity for counting. */
export interface HouseholdRecord extends Household {
  /**
   * The same for every unit of one owner in one community (name normalised, then hashed so it can
   * appear in tallies and logs without the name): Civil Code Art. 278 counts an owner once.
   */
  ownerKey: string;
}

/** A new invitation code: 11 characters from 31 (≈ 54.5 bits), crypto.randomInt. */
export function newInvitationCode(): string {
  let s = '';
  for (let i = 0; i < INVITATION_CODE_LENGTH; i++) s += INVITATION_ALPHABET[randomInt(INVITATION_ALPHABET.length)];
  return s;
}

export function ownerKeyOf(cid: string, owner: string): string {
  return createHash('sha256')
    .update(`${cid}\u0000${normalizeOwnerName(owner)}`)
    .digest('base64url')
    .slice(0, 16);
}

const withOwnerKey = (cid: string, h: Household): HouseholdRecord => ({ ...h, ownerKey: ownerKeyOf(cid, h.owner) });

const sameContent = (a: Household, b: Omit<Household, 'id' | 'invitationCode'>) =>
  a.building === b.building &&
  a.unit === b.unit &&
  a.room === b.room &&
  a.areaCentiares === b.areaCentiares &&
  a.owner === b.owner &&
  (a.phone ?? '') === (b.phone ?? '');

// One collator, built once: String#localeCompare with options builds one per call (seconds for 20,000 rows).
const collator = new Intl.Collator('zh-CN', { numeric: true });
const byAddress = (a: Household, b: Household) =>
  collator.compare(a.building, b.building) || collator.compare(a.unit, b.unit) || collator.compare(a.room, b.room);

const RETRIES = 5;
/** Rows planned between two turns of the event loop. */
const YIELD_EVERY = 1000;

export class RosterService {
  constructor(
    private readonly repo: RosterRepository,
    private readonly newCode: () => string = newInvitationCode,
  ) {}

  /**
   * Imports rows: new rooms are created (each with an invitation code), known rooms updated when
   * something differs, identical rows left alone. Nothing is deleted. All writes of one import are
   * one Lua script; with `dryRun` nothing is written and the counts say what would happen.
   * An empty phone cell keeps the phone already on file (clear it with `update`).
   */
  async importRows(
    cid: string,
    raws: readonly RawRosterRow[],
    opts: { dryRun?: boolean } & RosterCheckOptions = {},
  ): Promise<ImportResult> {
    return this.importParsed(cid, parseRoster(raws, opts), opts);
  }

  /** `importRows` for rows already checked (by the roster worker thread). */
  async importParsed(cid: string, parsed: RosterParse, opts: { dryRun?: boolean } = {}): Promise<ImportResult> {
    const { rows, rejected, warnings } = parsed;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const { version, households } = await this.repo.load(cid);
      const byKey = new Map(households.map((h) => [householdKey(h.building, h.unit, h.room), h]));
      const plan: RosterWrite = { households: [], addCodes: [], removeCodes: [] };
      let created = 0;
      let updated = 0;
      let unchanged = 0;
      for (let i = 0; i < rows.length; i++) {
        // A large roster is planned in slices: the event loop (meetings, votes) gets a turn between them.
        if (i > 0 && i % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
        const row = rows[i]!;
        const key = householdKey(row.building, row.unit, row.room);
        const existing = byKey.get(key);
        const content = contentOf(row, existing);
        if (!existing) {
          created++;
          if (opts.dryRun) continue; // a dry run needs no ids or invitation codes
          const household: Household = { id: newId(), ...content, invitationCode: this.newCode() };
          plan.households.push({ household, key });
          plan.addCodes.push({ code: household.invitationCode!, householdId: household.id });
        } else if (sameContent(existing, content)) {
          unchanged++;
        } else {
          plan.households.push({ household: { ...existing, ...content }, key, oldKey: key });
          updated++;
        }
      }
      const result: ImportResult = { created, updated, unchanged, rejected, warnings, ...(opts.dryRun ? { dryRun: true } : {}) };
      if (opts.dryRun || plan.households.length === 0) return result;
      const applied = await this.repo.apply(cid, version, plan);
      if (applied === 'ok') return result;
    }
    throw new DomainError('conflict', 'The roster changed while importing; nothing was written. Try again. 名册正在被修改，请重试。');
  }

  /** Every household of a community, sorted by address, with ownerKey. */
  async listHouseholds(cid: string): Promise<HouseholdRecord[]> {
    const { households } = await this.repo.load(cid);
    return households.sort(byAddress).map((h) => withOwnerKey(cid, h));
  }

  /** One household with ownerKey, or null if the community has no such household. */
  async getHousehold(cid: string, hid: string): Promise<HouseholdRecord | null> {
    const h = await this.repo.get(cid, hid);
    return h ? withOwnerKey(cid, h) : null;
  }

  /** Search by room or building ("1201", "3栋", "3-2-1201"), optionally within one building. */
  async search(cid: string, opts: { q?: string; building?: string; buildings?: readonly string[] } = {}): Promise<HouseholdRecord[]> {
    let all = await this.listHouseholds(cid);
    if (opts.building) all = all.filter((h) => h.building === opts.building);
    if (opts.buildings && opts.buildings.length > 0) all = all.filter((h) => opts.buildings!.includes(h.building));
    if (!opts.q?.trim()) return all;
    // Best first: the exact building-unit-room typed, then the same parts in another order, then
    // loose matches ("1" is also in room 101); the 50 a page shows must hold the exact one.
    return rankRooms(opts.q, all).map(({ exact: _exact, ...h }) => h as HouseholdRecord);
  }

  /** Edits one household; moving it onto another household's room is a 409. */
  async update(cid: string, hid: string, patch: HouseholdPatch): Promise<HouseholdRecord> {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const version = await this.repo.version(cid);
      const h = await this.require(cid, hid);
      const merged = {
        line: 1,
        building: patch.building ?? h.building,
        unit: patch.unit ?? h.unit,
        room: patch.room ?? h.room,
        area: patch.area ?? formatArea(h.areaCentiares),
        owner: patch.owner ?? h.owner,
        phone: patch.phone === undefined ? h.phone : patch.phone,
      };
      const checked = checkRow(merged);
      if (!checked.ok) {
        const r = checked.rejection;
        const path = r.code.includes('area') ? 'area' : r.code === 'invalid_phone' ? 'phone' : 'household';
        throw new DomainError('validation_failed', r.message, { issues: [{ path, message: r.message }] });
      }
      const row = checked.row;
      const oldKey = householdKey(h.building, h.unit, h.room);
      const key = householdKey(row.building, row.unit, row.room);
      if (key !== oldKey) {
        const taken = await this.repo.idByKey(cid, key);
        if (taken && taken !== hid)
          throw new DomainError('conflict', `Another household already has room ${row.building}/${row.unit}/${row.room}. 该房号已存在。`);
      }
      const next: Household = {
        id: h.id,
        invitationCode: h.invitationCode,
        building: row.building,
        unit: row.unit,
        room: row.room,
        areaCentiares: row.areaCentiares,
        owner: row.owner,
        ...(row.phone ? { phone: row.phone } : {}),
      };
      const w: HouseholdWrite = { household: next, key, oldKey };
      if ((await this.repo.apply(cid, version, { households: [w], addCodes: [], removeCodes: [] })) === 'ok')
        return withOwnerKey(cid, next);
    }
    throw new DomainError('conflict', 'The roster changed meanwhile; try again. 名册刚刚有变动，请重试。');
  }

  /** Gives the household a new code; the old one stops working at once. */
  async reissueInvitation(cid: string, hid: string): Promise<HouseholdRecord> {
    return this.#setCode(cid, hid, () => this.newCode());
  }

  /** Revokes the household's code: its slip no longer signs anyone in. */
  async revokeInvitation(cid: string, hid: string): Promise<HouseholdRecord> {
    return this.#setCode(cid, hid, () => null);
  }

  /** The household a typed or scanned code belongs to, or null (unknown, revoked, or malformed). */
  async findByInvitation(code: string): Promise<{ communityId: string; household: HouseholdRecord } | null> {
    const canonical = normalizeInvitationCode(code);
    if (!canonical) return null;
    const ref = await this.repo.invitation(canonical);
    if (!ref) return null;
    const h = await this.repo.get(ref.communityId, ref.householdId);
    // The household's current code must still be this one (belt and braces against a stale key).
    if (!h || h.invitationCode !== canonical) return null;
    return { communityId: ref.communityId, household: withOwnerKey(ref.communityId, h) };
  }

  async require(cid: string, hid: string): Promise<Household> {
    const h = await this.repo.get(cid, hid);
    if (!h) throw new DomainError('not_found', 'No such household. 该户不存在。');
    return h;
  }

  async #setCode(cid: string, hid: string, make: () => string | null): Promise<HouseholdRecord> {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const version = await this.repo.version(cid);
      const h = await this.require(cid, hid);
      const code = make();
      const next: Household = { ...h, invitationCode: code };
      const key = householdKey(h.building, h.unit, h.room);
      const res = await this.repo.apply(cid, version, {
        households: [{ household: next, key, oldKey: key }],
        addCodes: code ? [{ code, householdId: hid }] : [],
        removeCodes: h.invitationCode ? [h.invitationCode] : [],
      });
      if (res === 'ok') return withOwnerKey(cid, next);
    }
    throw new DomainError('conflict', 'The roster changed meanwhile; try again. 名册刚刚有变动，请重试。');
  }
}

function contentOf(row: RosterRow, existing: Household | undefined): Omit<Household, 'id' | 'invitationCode'> {
  const phone = row.phone ?? existing?.phone;
  return {
    building: row.building,
    unit: row.unit,
    room: row.room,
    areaCentiares: row.areaCentiares,
    owner: row.owner,
    ...(phone ? { phone } : {}),
  };
}
