/**
 * The live record of a meeting (agenda position, floor, queue, motions) and its transitions: pure
 * functions `(record, input, now) → record` the server applies under a compare-and-set, so every
 * process computes the same next state and tests need no server.
 */
import { DomainError } from '../common/errors.ts';
import { MAX_AGENDA_ITEMS } from './schemas.ts';
import type {
  AgendaItem,
  AgendaItemAdd,
  AgendaItemInput,
  AgendaItemPatch,
  CurrentSpeaker,
  MeetingStatus,
  Motion,
  SpeakerEntry,
} from './schemas.ts';

/** What changes during a meeting (details such as title and status live on the Meeting). */
export interface LiveRecord {
  agenda: AgendaItem[];
  currentItemId: string | null;
  speaker: CurrentSpeaker | null;
  speakers: SpeakerEntry[];
  motions: Motion[];
}

export const MAX_MOTIONS = 200;
export const MAX_QUEUE = 1000;

export function emptyLive(agenda: AgendaItem[] = []): LiveRecord {
  return { agenda, currentItemId: null, speaker: null, speakers: [], motions: [] };
}

/** Agenda items from the facilitator's list: known ids keep their timers, new ones get `newId()`. */
export function buildAgenda(inputs: readonly AgendaItemInput[], previous: readonly AgendaItem[], newId: () => string): AgendaItem[] {
  const prev = new Map(previous.map((a) => [a.id, a]));
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    const old = input.id ? prev.get(input.id) : undefined;
    if (input.id && !old)
      throw new DomainError(
        'validation_failed',
        `Agenda item ${input.id} does not exist (leave out the id for a new item). 议程项不存在。`,
        { issues: [{ path: `items.${i}.id`, message: 'unknown item' }] },
      );
    if (input.id && seen.has(input.id))
      throw new DomainError('validation_failed', `Agenda item ${input.id} is listed twice. 议程项重复。`, {
        issues: [{ path: `items.${i}.id`, message: 'listed twice' }],
      });
    const id = old?.id ?? newId();
    seen.add(id);
    const item: AgendaItem = {
      id,
      title: input.title,
      startedAt: old?.startedAt ?? null,
      usedMs: old?.usedMs ?? 0,
      done: old?.done ?? false,
      ...(input.description ? { description: input.description } : {}),
      ...(input.plannedMinutes ? { plannedMinutes: input.plannedMinutes } : {}),
      ...(input.clauseRefs?.length ? { clauseRefs: input.clauseRefs } : {}),
      ...(input.problemIds?.length ? { problemIds: input.problemIds } : {}),
    };
    return item;
  });
}

/** The item under discussion cannot vanish from phones and the projector: move on first. */
export const currentItemRemoved = () =>
  new DomainError(
    'conflict',
    'This item is being discussed now: move to another item (or to none) before removing it. 这是正在讨论的议题，请先切换到其他议题再删除。',
  );

const agendaFull = () => new DomainError('conflict', `An agenda has at most ${MAX_AGENDA_ITEMS} items. 议程最多 ${MAX_AGENDA_ITEMS} 项。`);
const noSuchItem = () => new DomainError('not_found', 'No such agenda item. 没有这个议题。');

/** Replaces the agenda; the current item must be kept (else `conflict`: see `currentItemRemoved`). */
export function replaceAgenda(live: LiveRecord, inputs: readonly AgendaItemInput[], newId: () => string): LiveRecord {
  const agenda = buildAgenda(inputs, live.agenda, newId);
  if (live.currentItemId && !agenda.some((a) => a.id === live.currentItemId)) throw currentItemRemoved();
  return { ...live, agenda };
}

/** Adds one item at `index` (default: the end). */
export function addAgendaItem(live: LiveRecord, input: AgendaItemAdd, id: string): LiveRecord {
  if (live.agenda.length >= MAX_AGENDA_ITEMS) throw agendaFull();
  const { index, ...rest } = input;
  const [item] = buildAgenda([rest], [], () => id);
  const at = Math.min(index ?? live.agenda.length, live.agenda.length);
  return { ...live, agenda: live.agenda.toSpliced(at, 0, item!) };
}

/** Changes one item's title, description or planned minutes; its clock and place stay. */
export function editAgendaItem(live: LiveRecord, itemId: string, patch: AgendaItemPatch): LiveRecord {
  const old = live.agenda.find((a) => a.id === itemId);
  if (!old) throw noSuchItem();
  const item: AgendaItem = { ...old };
  if (patch.title !== undefined) item.title = patch.title;
  if (patch.description !== undefined) {
    if (patch.description) item.description = patch.description;
    else delete item.description;
  }
  if (patch.plannedMinutes !== undefined) {
    if (patch.plannedMinutes) item.plannedMinutes = patch.plannedMinutes;
    else delete item.plannedMinutes;
  }
  if (JSON.stringify(item) === JSON.stringify(old)) return live;
  return { ...live, agenda: live.agenda.map((a) => (a.id === itemId ? item : a)) };
}

/**
 * Puts the agenda in the facilitator's order. As with the speakers queue, ids no longer on the
 * agenda are ignored and items added meanwhile keep their place after the ordered ones.
 */
export function reorderAgenda(live: LiveRecord, itemIds: readonly string[]): LiveRecord {
  const byId = new Map(live.agenda.map((a) => [a.id, a]));
  const ordered: AgendaItem[] = [];
  for (const id of itemIds) {
    const a = byId.get(id);
    if (a) {
      ordered.push(a);
      byId.delete(id);
    }
  }
  const agenda = [...ordered, ...live.agenda.filter((a) => byId.has(a.id))];
  if (agenda.every((a, i) => a.id === live.agenda[i]!.id)) return live;
  return { ...live, agenda };
}

/** Removes one item. The current item is refused; motions made under it stay in the record. */
export function deleteAgendaItem(live: LiveRecord, itemId: string): LiveRecord {
  if (!live.agenda.some((a) => a.id === itemId)) throw noSuchItem();
  if (itemId === live.currentItemId) throw currentItemRemoved();
  return { ...live, agenda: live.agenda.filter((a) => a.id !== itemId) };
}

function stopItem(item: AgendaItem, now: number): AgendaItem {
  if (item.startedAt === null) return item;
  return { ...item, usedMs: item.usedMs + Math.max(0, now - item.startedAt), startedAt: null, done: true };
}

/**
 * Makes `itemId` the current item (null: none). The time of the item left behind is banked; a
 * return to an item continues its clock. The floor ends with the item; the queue stays.
 */
export function moveAgenda(live: LiveRecord, itemId: string | null, now: number): LiveRecord {
  if (itemId !== null && !live.agenda.some((a) => a.id === itemId)) throw noSuchItem();
  if (itemId === live.currentItemId) return live;
  const agenda = live.agenda.map((a) => {
    if (a.id === live.currentItemId) return stopItem(a, now);
    if (a.id === itemId) return { ...a, startedAt: now };
    return a;
  });
  return { ...live, agenda, currentItemId: itemId, speaker: null };
}

/** Raises a hand (no-op if already queued or speaking). */
export function raiseHand(live: LiveRecord, who: { userId: string; name: string }, now: number): LiveRecord {
  if (live.speakers.some((s) => s.userId === who.userId) || live.speaker?.userId === who.userId) return live;
  if (live.speakers.length >= MAX_QUEUE) throw new DomainError('conflict', 'The speakers queue is full. 发言排队已满。');
  return { ...live, speakers: [...live.speakers, { userId: who.userId, name: who.name, raisedAt: now }] };
}

/** Takes a hand out of the queue; lowering the current speaker ends their turn. */
export function lowerHand(live: LiveRecord, userId: string): LiveRecord {
  const queued = live.speakers.some((s) => s.userId === userId);
  const speaking = live.speaker?.userId === userId;
  if (!queued && !speaking) return live;
  return { ...live, speakers: live.speakers.filter((s) => s.userId !== userId), speaker: speaking ? null : live.speaker };
}

/** Gives the floor to the first in the queue (or ends the current turn when the queue is empty). */
export function speakerNext(live: LiveRecord, now: number): LiveRecord {
  const [next, ...rest] = live.speakers;
  return { ...live, speakers: rest, speaker: next ? { userId: next.userId, name: next.name, since: now } : null };
}

/**
 * Puts the queue in the facilitator's order. Ids no longer queued are ignored and hands raised
 * meanwhile keep their place after the ordered ones, so a reorder never drops anyone.
 */
export function reorderSpeakers(live: LiveRecord, userIds: readonly string[]): LiveRecord {
  const byId = new Map(live.speakers.map((s) => [s.userId, s]));
  const ordered: SpeakerEntry[] = [];
  for (const id of userIds) {
    const s = byId.get(id);
    if (s) {
      ordered.push(s);
      byId.delete(id);
    }
  }
  const rest = live.speakers.filter((s) => byId.has(s.userId));
  return { ...live, speakers: [...ordered, ...rest] };
}

/** A new motion, tied to the current item. */
export function proposeMotion(
  live: LiveRecord,
  m: { id: string; text: string; proposerId: string; proposerName: string },
  now: number,
): LiveRecord {
  if (live.motions.length >= MAX_MOTIONS) throw new DomainError('conflict', 'This meeting has too many motions. 本次会议的动议已达上限。');
  const motion: Motion = { ...m, createdAt: now, itemId: live.currentItemId, seconds: [], status: 'proposed' };
  return { ...live, motions: [...live.motions, motion] };
}

function findMotion(live: LiveRecord, motionId: string): Motion {
  const m = live.motions.find((x) => x.id === motionId);
  if (!m) throw new DomainError('not_found', 'No such motion. 没有这个动议。');
  return m;
}

const withMotion = (live: LiveRecord, m: Motion): LiveRecord => ({ ...live, motions: live.motions.map((x) => (x.id === m.id ? m : x)) });

/** Seconds a motion (not one's own; once per person). */
export function secondMotion(live: LiveRecord, motionId: string, who: { userId: string; name: string }, now: number): LiveRecord {
  const m = findMotion(live, motionId);
  if (m.status === 'withdrawn' || m.status === 'balloted')
    throw new DomainError('conflict', 'This motion can no longer be seconded. 该动议已不能附议。');
  if (m.proposerId === who.userId) throw new DomainError('conflict', 'You cannot second your own motion. 不能附议自己的动议。');
  if (m.seconds.some((s) => s.userId === who.userId)) return live;
  return withMotion(live, { ...m, status: 'seconded', seconds: [...m.seconds, { userId: who.userId, name: who.name, at: now }] });
}

/** Withdraws a motion (its proposer, or the facilitator) unless it is already a ballot. */
export function withdrawMotion(live: LiveRecord, motionId: string): LiveRecord {
  const m = findMotion(live, motionId);
  if (m.status === 'balloted') throw new DomainError('conflict', 'This motion is already a ballot. 该动议已付诸表决。');
  return withMotion(live, { ...m, status: 'withdrawn' });
}

/** Checks that a motion may become a ballot: it must have been seconded. */
export function motionReadyForBallot(live: LiveRecord, motionId: string): Motion {
  const m = findMotion(live, motionId);
  if (m.status === 'balloted') throw new DomainError('conflict', 'This motion is already a ballot. 该动议已付诸表决。');
  if (m.status !== 'seconded')
    throw new DomainError('conflict', 'A motion needs a second before it goes to a vote. 动议需有人附议才能表决。');
  return m;
}

export function markBalloted(live: LiveRecord, motionId: string, ballotId: string): LiveRecord {
  const m = findMotion(live, motionId);
  return withMotion(live, { ...m, status: 'balloted', ballotId });
}

/** At closing: the current item's time is banked, the floor and the queue end. */
export function closeLive(live: LiveRecord, now: number): LiveRecord {
  return { ...live, agenda: live.agenda.map((a) => (a.id === live.currentItemId ? stopItem(a, now) : a)), speaker: null, speakers: [] };
}

const ORDER: Record<MeetingStatus, number> = { scheduled: 0, open: 1, in_progress: 2, closed: 3 };

/** Statuses only move forward (steps may be skipped); a closed meeting takes no changes. */
export function checkStatusChange(from: MeetingStatus, to: MeetingStatus): void {
  if (from === 'closed') throw meetingClosed();
  if (ORDER[to] <= ORDER[from]) throw new DomainError('conflict', `A meeting cannot go from ${from} back to ${to}. 会议状态只能向前推进。`);
}

export const meetingClosed = () =>
  new DomainError('meeting_closed', 'This meeting is closed; nothing can be changed. 会议已结束，不能再修改。');

/** 1-based queue place of a user, or null. */
export function queuePosition(live: LiveRecord, userId: string): number | null {
  const i = live.speakers.findIndex((s) => s.userId === userId);
  return i < 0 ? null : i + 1;
}
