/**
 * The stored shape of a consultation and its conversion to what the API sends; audit bodies;
 * address ordering of households (paper serials). Small pure helpers of the server side.
 */
import { createHash, randomInt } from 'node:crypto';
import {
  RECEIPT_ALPHABET,
  RECEIPT_LENGTH,
  bodyText,
  canonicalJson,
  toShanghaiIso,
  CONSULTATION_TIME_ZONE,
  type Consultation,
  type Extension,
} from '@linli/shared';
import type { Binding } from './consultations.conventions.ts';
import type { HouseholdRecord } from '../roster/roster.service.ts';

export const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** An audit entry body (same chain as ballots: the consultation id stands in `ballotId`). */
export function auditBody(consultationId: string, type: string, data: unknown): { auditType: string; dataJson: string; bodyHash: string } {
  return { auditType: type, dataJson: canonicalJson(data), bodyHash: sha256hex(bodyText({ ballotId: consultationId, type, data })) };
}

/** As stored: times in ms; the view converts to Asia/Shanghai ISO strings. */
export interface StoredConsultation extends Omit<
  Consultation,
  'status' | 'opensAt' | 'closesAt' | 'createdAt' | 'openedAt' | 'closedAt' | 'publishedAt' | 'objectionEndsAt' | 'extensions' | 'timeZone'
> {
  opensAtMs: number;
  closesAtMs: number;
  createdAtMs: number;
  openedAtMs?: number;
  closedAtMs?: number;
  publishedAtMs?: number;
  objectionEndsAtMs?: number;
  extensions: { fromMs: number; toMs: number; reason: string; atMs: number; by: string }[];
  /** Set at opening: what each convention question approves (clause id → text hash). */
  bindings?: Record<string, Binding>;
}

export function toView(s: StoredConsultation, status: string, deadline: number): Consultation {
  const iso = (ms?: number) => (ms === undefined ? undefined : toShanghaiIso(ms));
  const {
    opensAtMs,
    closesAtMs: _c,
    bindings: _b,
    createdAtMs,
    openedAtMs,
    closedAtMs,
    publishedAtMs,
    objectionEndsAtMs,
    extensions,
    ...rest
  } = s;
  return {
    ...rest,
    status: status as Consultation['status'],
    opensAt: toShanghaiIso(opensAtMs),
    closesAt: toShanghaiIso(deadline),
    timeZone: CONSULTATION_TIME_ZONE,
    createdAt: toShanghaiIso(createdAtMs),
    openedAt: iso(openedAtMs),
    closedAt: iso(closedAtMs),
    publishedAt: iso(publishedAtMs),
    objectionEndsAt: iso(objectionEndsAtMs),
    extensions: extensions.map((e): Extension => ({
      from: toShanghaiIso(e.fromMs),
      to: toShanghaiIso(e.toMs),
      reason: e.reason,
      at: toShanghaiIso(e.atMs),
      by: e.by,
    })),
  };
}

/** A random code of `n` symbols from the receipt alphabet. */
export function randomSymbols(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += RECEIPT_ALPHABET[randomInt(RECEIPT_ALPHABET.length)];
  return s;
}
export const newReceipt = () => randomSymbols(RECEIPT_LENGTH);

const collator = new Intl.Collator('zh-CN', { numeric: true });
/** Address order (building, unit, room; zh-CN numeric): the order papers are numbered and printed in. */
export const byAddress = (a: HouseholdRecord, b: HouseholdRecord) =>
  collator.compare(a.building, b.building) || collator.compare(a.unit, b.unit) || collator.compare(a.room, b.room);

export const addressOf = (h: { building: string; unit: string; room: string }) => `${h.building}栋${h.unit}单元${h.room}室`;

/** What a household's response holds in Redis. */
export interface StoredResponse {
  /** Open consultations only (secret: the receipt would lead to the sealed answers). */
  receipt?: string;
  channel: 'phone' | 'paper' | 'hall';
  at: number;
  by: string;
  /** Open consultations only. */
  answers?: Record<string, unknown>;
}
