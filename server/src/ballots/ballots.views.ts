/**
 * What people read about a ballot besides its result: who has and has not voted (the facilitator),
 * the published record (receipts and choices, or names and choices), and the audit log. Each view
 * shows only what the role needs (PIPL): owners' names are masked in the public record.
 */
import {
  DomainError,
  formatAddress,
  householdsVotableIn,
  type Ballot,
  type Choice,
  type MyBallotStanding,
  type MyBallotVoter,
  type RecordRow,
  type VoteChannel,
} from '@linli/shared';
import { openReceipt, sealReceipt } from './ballots.cast.ts';
import type { MeetingAccess } from '../meetings/meetings.service.ts';
import type { BallotsService } from './ballots.service.ts';
import { sealedBallots } from './ballots.rules.ts';

const VIA_BY_SCORE: Record<string, VoteChannel> = { '0': 'online', '1': 'proxy', '2': 'paper' };

export interface VoterRow {
  voterId: string;
  label: string;
  address?: string;
  name?: string;
  via?: VoteChannel;
  /** Open ballots only. */
  choice?: Choice;
  receipt?: string;
  proxy?: string;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***; Latin names keep the first letter. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return name;
  return chars[0] + '*'.repeat(Math.min(chars.length - 1, 3));
}

export class BallotsViews {
  constructor(private readonly ballots: BallotsService) {}

  /** Labels of the electorate's voters: address and owner for households, display names for members. */
  async #labels(ballot: Ballot, ids: readonly string[]): Promise<Map<string, { label: string; address?: string; name: string }>> {
    const out = new Map<string, { label: string; address?: string; name: string }>();
    if (ballot.electorate.kind === 'households') {
      const all = await this.ballots.deps.roster.listHouseholds(ballot.communityId);
      const byId = new Map(all.map((h) => [h.id, h]));
      for (const id of ids) {
        const h = byId.get(id);
        if (h) out.set(id, { label: `${formatAddress(h)} ${h.owner}`, address: formatAddress(h), name: h.owner });
      }
    } else {
      const members = await this.ballots.deps.auth.membersOf(ballot.communityId);
      const byId = new Map(members.map((m) => [m.user.id, m.user.displayName]));
      for (const id of ids) out.set(id, { label: byId.get(id) ?? id, name: byId.get(id) ?? id });
    }
    return out;
  }

  /**
   * Who has voted and who has not (ballot.view_voters). A secret ballot shows only the fact and
   * channel of voting; an open one also the choice and receipt.
   */
  async voters(
    a: MeetingAccess,
    ballot: Ballot,
  ): Promise<{ secret: boolean; voted: VoterRow[]; notVoted: VoterRow[]; counts: Record<string, number> }> {
    this.ballots.deps.meetings.requireCan(a, 'ballot.view_voters');
    if (ballot.status === 'draft') return { secret: ballot.secret, voted: [], notVoted: [], counts: {} };
    const { electorate } = await this.ballots.recorded(ballot);
    const ids = electorate.voters.map((v) => v.voterId);
    const [labels, state, proxies, counts] = await Promise.all([
      this.#labels(ballot, ids),
      this.ballots.repo.countingState(ballot.id),
      this.ballots.repo.proxies(ballot.id),
      this.ballots.repo.counts(ballot.id),
    ]);
    const via = new Map<string, VoteChannel>();
    for (let i = 0; i + 1 < state.voted.length; i += 2) via.set(state.voted[i]!, VIA_BY_SCORE[state.voted[i + 1]!] ?? 'online');
    const proxyNames = new Map<string, string>();
    if (Object.keys(proxies).length) {
      for (const m of await this.ballots.deps.auth.membersOf(ballot.communityId)) proxyNames.set(m.user.id, m.user.displayName);
    }
    const voted: VoterRow[] = [];
    const notVoted: VoterRow[] = [];
    for (const id of ids) {
      const l = labels.get(id) ?? { label: id, name: id };
      const row: VoterRow = {
        voterId: id,
        label: l.label,
        name: l.name,
        ...(l.address ? { address: l.address } : {}),
        ...(proxies[id] ? { proxy: proxyNames.get(proxies[id]!) ?? proxies[id]! } : {}),
      };
      const rec = state.votes[id];
      if (rec) {
        const r = JSON.parse(rec) as { receipt: string; choice: Choice; via: VoteChannel };
        voted.push({ ...row, via: r.via, choice: r.choice, receipt: r.receipt });
      } else if (via.has(id)) voted.push({ ...row, via: via.get(id)! });
      else notVoted.push(row);
    }
    // Counts per choice go with the tally: not while it is hidden (read after each vote beside who
    // voted, they would tell who chose what).
    const hidden = ballot.status === 'open' && (ballot.secret || ballot.hideTallyUntilClose === true);
    const shown = Object.entries(counts).filter(([k]) => !(hidden && k.startsWith('c:')));
    return { secret: ballot.secret, voted, notVoted, counts: Object.fromEntries(shown.map(([k, v]) => [k, Number(v)])) };
  }

  /**
   * The record (published; the facilitator may read it from close): every receipt with its choice.
   * Secret: nothing else, sorted by receipt. Open: the channel and who (address with the owner's
   * name masked, or the member's name); replaced votes listed as such.
   */
  async record(
    a: MeetingAccess,
    ballot: Ballot,
  ): Promise<{ ballotId: string; status: string; secret: boolean; rows: RecordRow[]; turnout: { voted: number; eligible: number } }> {
    const early = ballot.status === 'closed' && a.facilitator;
    if (ballot.status !== 'published' && !early) {
      throw new DomainError('conflict', 'The record is shown once the result is published. 结果公示后可查看投票记录。');
    }
    const { electorate } = await this.ballots.recorded(ballot);
    const state = await this.ballots.repo.countingState(ballot.id);
    const rows: RecordRow[] = [];
    if (ballot.secret) {
      for (const b of sealedBallots(state)) rows.push({ receipt: b.receipt, choice: b.choice });
    } else {
      const ids = electorate.voters.map((v) => v.voterId);
      const labels = await this.#labels(ballot, ids);
      const publicLabel = (id: string) => {
        const l = labels.get(id);
        if (!l) return id;
        return l.address ? `${l.address} ${maskName(l.name)}` : l.name;
      };
      const names = ballot.advisory
        ? new Map((await this.ballots.deps.auth.membersOf(ballot.communityId)).map((m) => [m.user.id, m.user.displayName]))
        : null;
      for (const [receipt, rec] of Object.entries(state.receipts)) {
        const r = JSON.parse(rec) as { choice: Choice; voters: string[]; via: VoteChannel; by: string; advisory?: boolean };
        // An advisory-only vote (a tenant on an owners' ballot) is shown under the member's name.
        const who = r.voters.length > 0 ? r.voters.map((id) => ({ label: publicLabel(id) })) : [{ label: names?.get(r.by) ?? r.by }];
        rows.push({
          receipt,
          choice: r.choice,
          via: r.via,
          voters: who,
          ...(state.superseded[receipt] ? { supersededBy: state.superseded[receipt] } : {}),
          ...(r.advisory ? { advisory: true } : {}),
        });
      }
    }
    rows.sort((x, y) => (x.receipt < y.receipt ? -1 : 1));
    const counted = ballot.secret ? rows.length : Object.keys(state.votes).length;
    return {
      ballotId: ballot.id,
      status: ballot.status,
      secret: ballot.secret,
      rows,
      turnout: { voted: counted, eligible: electorate.voters.length },
    };
  }

  /**
   * The households the caller votes for on a households ballot: owned (as owner) and held as
   * proxy, with whether each has voted by any channel. Only the caller's own households are read,
   * so nothing here tells anyone about another's vote. A members ballot answers an empty list.
   */
  async mine(a: MeetingAccess, ballot: Ballot, key?: string): Promise<{ voters: MyBallotVoter[]; you: MyBallotStanding }> {
    const voters = await this.#myHouseholds(a, ballot);
    return { voters, you: await this.#standing(a, ballot, voters, key) };
  }

  /**
   * May the caller vote, have they, and with which receipt and choice: from the phone's own key
   * when it has one (this opens a secret ballot's receipt too, and nothing else does), else from
   * the open record of their vote (or their household's, by any channel).
   */
  async #standing(a: MeetingAccess, ballot: Ballot, households: MyBallotVoter[], key?: string): Promise<MyBallotStanding> {
    if (a.guest) return { eligible: false, voted: false };
    const repo = this.ballots.repo;
    const members = ballot.electorate.kind === 'members';
    const ids = members ? [a.user.id] : households.map((h) => h.householdId);
    const [eligibleIds, records, own, membership] = await Promise.all([
      repo.eligibleOf(ballot.id, ids),
      ballot.secret ? repo.votedVia(ballot.id, ids) : repo.votesOf(ballot.id, ids),
      repo.sealedAndAdvisory(ballot.id, key ? sealReceipt(ballot.id, a.user.id, key, '').field : null, a.user.id),
      members || !ballot.advisory ? null : this.ballots.deps.auth.membership(ballot.communityId, a.user.id),
    ]);
    const advisoryVoter = !!membership && membership.roles.length > 0;
    const canVote = ids.filter((_, i) => eligibleIds[i]);
    const eligible = canVote.length > 0 || advisoryVoter;
    const done = ids.filter((_, i) => eligibleIds[i] && records[i] !== null && records[i] !== undefined);
    const voted = canVote.length > 0 ? done.length === canVote.length : advisoryVoter && own.advisory !== null;
    const out: MyBallotStanding = { eligible, voted: voted || own.sealed !== null };
    if (own.sealed && key) {
      const receipt = openReceipt(ballot.id, key, own.sealed);
      const rec = await repo.receiptRecord(ballot.id, receipt);
      out.receipt = receipt;
      if (rec) out.choice = (JSON.parse(rec) as { choice: Choice }).choice;
      return out;
    }
    const first = records.find((r, i) => eligibleIds[i] && r !== null && r !== undefined);
    if (first && !ballot.secret) {
      const r = JSON.parse(first) as { receipt: string; choice: Choice; via: VoteChannel };
      Object.assign(out, { receipt: r.receipt, choice: r.choice, via: r.via });
    } else if (first) out.via = VIA_BY_SCORE[first] ?? 'online';
    return out;
  }

  async #myHouseholds(a: MeetingAccess, ballot: Ballot): Promise<MyBallotVoter[]> {
    if (a.guest || ballot.electorate.kind !== 'households') return [];
    const { auth, roster } = this.ballots.deps;
    const [membership, proxies] = await Promise.all([auth.membership(ballot.communityId, a.user.id), this.ballots.repo.proxies(ballot.id)]);
    const byId = new Map<string, 'online' | 'proxy'>();
    for (const [hid, holder] of Object.entries(proxies)) if (holder === a.user.id) byId.set(hid, 'proxy');
    for (const hid of householdsVotableIn(membership, ballot.openedAt)) byId.set(hid, 'online');
    const ids = [...byId.keys()];
    const done = ballot.secret ? await this.ballots.repo.votedVia(ballot.id, ids) : await this.ballots.repo.votesOf(ballot.id, ids);
    const rows = await Promise.all(ids.map((id) => roster.getHousehold(ballot.communityId, id)));
    const voters: MyBallotVoter[] = [];
    ids.forEach((id, i) => {
      const h = rows[i];
      if (h)
        voters.push({
          householdId: id,
          address: formatAddress(h),
          owner: h.owner,
          via: byId.get(id)!,
          voted: done[i] !== null && done[i] !== undefined,
        });
    });
    // Own households first, then those held as proxy, each by address.
    voters.sort((x, y) => (x.via === y.via ? x.address.localeCompare(y.address, 'zh-CN', { numeric: true }) : x.via === 'online' ? -1 : 1));
    return voters;
  }

  /**
   * The audit log (members of the community; the facilitator also while an open ballot is open).
   * A secret ballot's log is published only after close, to everyone alike.
   */
  async audit(a: MeetingAccess, ballot: Ballot): Promise<string[]> {
    if (a.guest) throw new DomainError('forbidden', 'The audit log is for members of the community. 审计日志仅对本小区成员开放。');
    if (ballot.secret && (ballot.status === 'draft' || ballot.status === 'open')) {
      throw new DomainError(
        'conflict',
        'The audit log of a secret ballot is published once the ballot is closed. 无记名表决的审计日志在表决结束后公布。',
      );
    }
    if ((ballot.status === 'draft' || ballot.status === 'open') && !a.facilitator) {
      throw new DomainError('conflict', 'The audit log is shown once the ballot is closed. 表决结束后可下载审计日志。');
    }
    return this.ballots.repo.audit(ballot.id);
  }
}
