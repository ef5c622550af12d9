/**
 * Notices on open ballots: an administrator changed which households a member holds. Every open
 * households ballot whose frozen electorate holds one of the changed households gets a
 * `holdings_changed` entry in its audit chain, and its meeting's console a `ballot:notice`.
 */
import type { BallotsService } from './ballots.service.ts';
import { auditBody } from './ballots.rules.ts';

export interface HoldingsChange {
  communityId: string;
  memberId: string;
  before: readonly string[];
  after: readonly string[];
  by: string;
}

export class BallotNotices {
  constructor(private readonly ballots: BallotsService) {}

  /** Writes the notice on every open ballot the change touches; returns their ids. */
  async holdingsChanged(c: HoldingsChange): Promise<string[]> {
    const changed = [...new Set([...c.before, ...c.after])].filter((h) => c.before.includes(h) !== c.after.includes(h));
    if (changed.length === 0) return [];
    // Every meeting, closed ones too: a ballot may outlive its meeting's status.
    const meetings = await this.ballots.deps.meetings.list(c.communityId);
    const touched: string[] = [];
    for (const m of meetings) {
      for (const ballot of await this.ballots.listOfMeeting(m.id)) {
        if (ballot.status !== 'open' || ballot.electorate.kind !== 'households') continue;
        const data = { memberId: c.memberId, before: [...c.before].sort(), after: [...c.after].sort(), by: c.by };
        const r = await this.ballots.repo.note({
          ballotId: ballot.id,
          auditType: 'holdings_changed',
          ...auditBody(ballot.id, 'holdings_changed', data),
          householdIds: changed,
        });
        if (!r) continue;
        touched.push(ballot.id);
        this.ballots.emit({ type: 'notice', ballot, notice: { ballotId: ballot.id, kind: 'holdings_changed', seq: r.seq, at: r.at } });
      }
    }
    return touched;
  }
}
