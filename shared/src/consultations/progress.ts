/**
 * Live progress of a written consultation: turnout by households and area, by channel, over time
 * (hours in Asia/Shanghai) and as a heat map by building / unit / floor. Pure.
 */
import type { ConsultationProgress, ResponseChannel, TurnoutCell } from './schemas.ts';

export interface ProgressHousehold {
  householdId: string;
  building: string;
  unit: string;
  floor: string;
  areaCentiares: number;
}

export interface ProgressResponse {
  householdId: string;
  channel: ResponseChannel;
  at: number;
}

/** The floor of a room number: "1203" → "12", "301" → "3", otherwise the room itself. */
export function floorOf(room: string): string {
  const m = /^(\d+)(\d{2})$/.exec(room.trim());
  return m ? String(Number(m[1])) : room;
}

const HOUR = 3600_000;
const SHANGHAI = 8 * HOUR;
const hourOf = (ms: number) => new Date(Math.floor((ms + SHANGHAI) / HOUR) * HOUR).toISOString().slice(0, 13).replace('T', ' ') + ':00';

export function computeProgress(
  households: readonly ProgressHousehold[],
  responses: readonly ProgressResponse[],
  papers: { awaitingSecond: number; mismatches: number } = { awaitingSecond: 0, mismatches: 0 },
): ConsultationProgress {
  const done = new Map(responses.map((r) => [r.householdId, r]));
  const cells = (keyOf: (h: ProgressHousehold) => string, fill: (h: ProgressHousehold) => Partial<TurnoutCell>) => {
    const map = new Map<string, TurnoutCell>();
    for (const h of households) {
      const key = keyOf(h);
      let c = map.get(key);
      if (!c)
        map.set(
          key,
          (c = { key, building: h.building, ...fill(h), eligible: 0, responded: 0, areaCentiares: { eligible: 0, responded: 0 } }),
        );
      c.eligible++;
      c.areaCentiares.eligible += h.areaCentiares;
      if (done.has(h.householdId)) {
        c.responded++;
        c.areaCentiares.responded += h.areaCentiares;
      }
    }
    return [...map.values()];
  };
  const byChannel: Record<ResponseChannel, number> = { phone: 0, paper: 0, hall: 0 };
  const hours = new Map<string, number>();
  let area = 0;
  let respondedArea = 0;
  let responded = 0;
  for (const h of households) {
    area += h.areaCentiares;
    const r = done.get(h.householdId);
    if (!r) continue;
    responded++;
    respondedArea += h.areaCentiares;
    byChannel[r.channel]++;
  }
  const known = new Set(households.map((h) => h.householdId));
  for (const r of responses.filter((x) => known.has(x.householdId)).sort((a, b) => a.at - b.at))
    hours.set(hourOf(r.at), (hours.get(hourOf(r.at)) ?? 0) + 1);
  return {
    households: { eligible: households.length, responded },
    areaCentiares: { eligible: area, responded: respondedArea },
    byChannel,
    overTime: [...hours].map(([hour, count]) => ({ hour, count })),
    byBuilding: cells(
      (h) => h.building,
      () => ({}),
    ),
    byUnit: cells(
      (h) => `${h.building}/${h.unit}`,
      (h) => ({ unit: h.unit }),
    ),
    byFloor: cells(
      (h) => `${h.building}/${h.unit}/${h.floor}`,
      (h) => ({ unit: h.unit, floor: h.floor }),
    ),
    papers,
  };
}
