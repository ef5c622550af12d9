/** Agenda editing in the console as plain data: new orders for a move or a drop, and what an edit changes. */

/** An agenda item's words as the console's form holds them. */
export interface AgendaDraft {
  title: string;
  description: string | null;
  plannedMinutes: number | null;
}

/** The order after moving the item at `index` by `delta` places (null when it cannot move). */
export function movedOrder(ids: readonly string[], index: number, delta: -1 | 1): string[] | null {
  const to = index + delta;
  if (index < 0 || index >= ids.length || to < 0 || to >= ids.length) return null;
  const next = [...ids];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

/** The order after dropping `dragged` on `target`: it takes the target's place (null: nothing changes). */
export function droppedOrder(ids: readonly string[], dragged: string, target: string): string[] | null {
  const from = ids.indexOf(dragged);
  const to = ids.indexOf(target);
  if (from < 0 || to < 0 || from === to) return null;
  const next = ids.filter((x) => x !== dragged);
  next.splice(to, 0, dragged);
  return next;
}

/** The fields of `draft` that differ from `item` (null clears), or null when nothing changed. */
export function agendaPatch(
  item: { title: string; description?: string; plannedMinutes?: number },
  draft: AgendaDraft,
): Partial<AgendaDraft> | null {
  const patch: Partial<AgendaDraft> = {};
  if (draft.title !== item.title) patch.title = draft.title;
  if ((draft.description ?? null) !== (item.description ?? null)) patch.description = draft.description;
  if ((draft.plannedMinutes ?? null) !== (item.plannedMinutes ?? null)) patch.plannedMinutes = draft.plannedMinutes;
  return Object.keys(patch).length ? patch : null;
}
