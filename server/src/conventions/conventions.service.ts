/**
 * Conventions: records, access (who may read, edit, comment), clauses read from the live document,
 * named versions, restore and adoption. The live text goes through the document server only, so
 * a server-side change (restore, accepted suggestion) is stored and broadcast like a person's edit.
 */
import * as Y from 'yjs';
import {
  DomainError,
  can,
  conventionDocName,
  conventionIdOfDoc,
  type Action,
  type Actor,
  type AdoptionBallot,
  type Clause,
  type ConsensusItem,
  type Convention,
  type ConventionVersion,
  type VersionApprovals,
} from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import { newId } from '../common/ids.ts';
import { Port } from '../common/port.ts';
import type { DocServer } from '../yjs/yjs.server.ts';
import type { ConventionsRepository } from './conventions.repository.ts';
import { readClauseContents, readClauses, readTitle, restoreFrom, writeConvention, type ClauseContent } from './conventions.doc.ts';

export interface ConventionAccess {
  convention: Convention;
  actor: Actor;
}

/** The outcomes reached in a community (the consensus ledger), for adoption by vote. */
export type ApprovalReader = (communityId: string) => Promise<ConsensusItem[]>;

export class ConventionsService {
  /** Where passed ballots and consultation questions are recorded (server.ts). */
  readonly approvalReader = new Port<ApprovalReader>('conventions.approvals');
  #announce: (conventionId: string, version: ConventionVersion) => void = () => {};

  constructor(
    readonly repo: ConventionsRepository,
    readonly docs: DocServer,
    private readonly auth: AuthService,
  ) {}

  /** Registered by the composition root: where passed ballots are recorded (consensus ledger). */
  provideApprovals(fn: ApprovalReader): void {
    this.approvalReader.set(fn);
  }

  /** Registered by the feature: tells the convention's watchers of a saved or (un)adopted version. */
  announceVersions(fn: (conventionId: string, version: ConventionVersion) => void): void {
    this.#announce = fn;
  }

  /** The convention and the user's actor, after checking `action`. Outsiders get 404, not 403. */
  async access(user: StoredUser, conventionId: string, action: Action): Promise<ConventionAccess> {
    const convention = await this.repo.get(conventionId);
    if (!convention) throw new DomainError('not_found', 'No such convention. 公约不存在。');
    const actor = await this.auth.actor(user, convention.communityId);
    if (!actor.isAdmin && actor.roles.length === 0) throw new DomainError('not_found', 'No such convention. 公约不存在。');
    if (!can(actor, action, { communityId: convention.communityId })) {
      throw new DomainError('forbidden', `You may not do this (${action}). 您没有此操作的权限。`);
    }
    return { convention, actor };
  }

  /** For the document server: writer, reader, or refused (404 for outsiders and unknown names). */
  async authorizeDoc(user: StoredUser, docName: string): Promise<'writer' | 'reader' | 'not_found' | 'forbidden'> {
    const id = conventionIdOfDoc(docName);
    const convention = id ? await this.repo.get(id) : null;
    if (!convention) return 'not_found';
    const actor = await this.auth.actor(user, convention.communityId);
    const where = { communityId: convention.communityId };
    if (can(actor, 'convention.edit', where)) return 'writer';
    if (can(actor, 'convention.view', where)) return 'reader';
    return actor.isAdmin || actor.roles.length > 0 ? 'forbidden' : 'not_found';
  }

  /** Creates a convention with an empty document holding its title. */
  async create(communityId: string, title: string, by: string, clauses: { id?: string; text: string }[] = []): Promise<Convention> {
    const id = newId();
    const convention: Convention = { id, docName: conventionDocName(id), title, communityId, createdAt: Date.now(), createdBy: by };
    // The document first: a listed convention always has its title in the live document.
    await this.docs.edit(convention.docName, (doc) =>
      writeConvention(
        doc,
        title,
        clauses.map((c) => ({ id: c.id ?? newClauseId(), text: c.text })),
      ),
    );
    await this.repo.create(convention);
    return convention;
  }

  list(communityId: string): Promise<Convention[]> {
    return this.repo.list(communityId);
  }

  /** The convention with its title as the live document has it. */
  async withLiveTitle(c: Convention): Promise<Convention> {
    const title = await this.docs.read(c.docName, readTitle);
    return title ? { ...c, title } : c;
  }

  /** Clauses with plain text and text hash, from the live document. */
  clauses(c: Convention): Promise<Clause[]> {
    return this.docs.read(c.docName, readClauses);
  }

  /** For the consensus map and ballots: a convention's clauses by id, or null when it does not exist. */
  async clauseReader(conventionId: string): Promise<{ communityId: string; title: string; clauses: Clause[] } | null> {
    const c = await this.repo.get(conventionId);
    if (!c) return null;
    const { title, clauses } = await this.docs.read(c.docName, (doc) => ({ title: readTitle(doc) || c.title, clauses: readClauses(doc) }));
    return { communityId: c.communityId, title, clauses };
  }

  /** Clauses with their blocks (for export). */
  contents(c: Convention): Promise<{ title: string; clauses: ClauseContent[] }> {
    return this.docs.read(c.docName, (doc) => ({ title: readTitle(doc) || c.title, clauses: readClauseContents(doc) }));
  }

  // ---- versions ----------------------------------------------------------------------------

  async createVersion(c: Convention, name: string, by: string): Promise<ConventionVersion> {
    const { update, count } = await this.docs.read(c.docName, (doc) => ({
      update: Y.encodeStateAsUpdate(doc),
      count: readClauses(doc).length,
    }));
    const v: ConventionVersion = { id: newId(), conventionId: c.id, name, createdAt: Date.now(), createdBy: by, clauseCount: count };
    await this.repo.addVersion(v, update);
    this.#announce(c.id, v);
    return v;
  }

  versions(c: Convention): Promise<ConventionVersion[]> {
    return this.repo.versions(c.id);
  }

  async #versionDoc(c: Convention, vid: string): Promise<{ version: ConventionVersion; doc: Y.Doc }> {
    const found = await this.repo.version(c.id, vid);
    if (!found) throw new DomainError('not_found', 'No such version. 版本不存在。');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, found.update);
    return { version: found.version, doc };
  }

  /** Clause contents of a version id, or of the live document for `live`/`current`. */
  async clausesAt(c: Convention, ref: string): Promise<ClauseContent[]> {
    if (ref === 'live' || ref === 'current') return (await this.contents(c)).clauses;
    const { doc } = await this.#versionDoc(c, ref);
    try {
      return readClauseContents(doc);
    } finally {
      doc.destroy();
    }
  }

  /** Clauses with text hash as version `vid` has them (written consultations bind questions to them). */
  async versionClauses(c: Convention, vid: string): Promise<Clause[]> {
    const { doc } = await this.#versionDoc(c, vid);
    try {
      return readClauses(doc);
    } finally {
      doc.destroy();
    }
  }

  /** Makes the live document read as the version did, as one new edit everyone sees live. */
  async restore(c: Convention, vid: string): Promise<ConventionVersion> {
    const { version, doc } = await this.#versionDoc(c, vid);
    try {
      await this.docs.edit(c.docName, (live) => restoreFrom(live, doc));
    } finally {
      doc.destroy();
    }
    return version;
  }

  /**
   * The passed ballots that approved version `vid`: for each clause of the version with text, the
   * latest passed ballot bound to that clause whose text hash at opening equals the version's
   * text of it. Ballots whose clause changed while they were open are left out (what they
   * approved is for the facilitator to decide, not for this record). Clauses with no such ballot
   * are listed in `missing` (by number in the version).
   */
  async approvals(c: Convention, vid: string): Promise<VersionApprovals> {
    const { version, doc } = await this.#versionDoc(c, vid);
    let clauses: Clause[];
    try {
      clauses = readClauses(doc);
    } finally {
      doc.destroy();
    }
    const items = await this.approvalReader.get()(c.communityId);
    const ballots: AdoptionBallot[] = [];
    const missing: number[] = [];
    for (const clause of clauses) {
      if (!clause.text.trim()) continue;
      const match = items
        .filter((i) => i.conventionId === c.id && i.clauseId === clause.id && i.textHash === clause.textHash && !i.clauseChanged)
        .sort((x, y) => y.at - x.at)[0];
      if (match)
        ballots.push({
          ballotId: match.ballotId,
          meetingId: match.meetingId,
          title: match.title,
          clauseId: clause.id,
          number: clause.number,
          textHash: match.textHash,
          decidedAt: match.at,
        });
      else missing.push(clause.number);
    }
    return { version, ballots, missing };
  }

  /**
   * Marks a version as the one a vote adopted (one adopted version per convention), recording the
   * passed ballots that approved it. Refused when any clause of the version lacks one, or when
   * `ballotId` is named and is not among them.
   */
  async adopt(c: Convention, vid: string, by: string, ballotId?: string): Promise<{ convention: Convention; version: ConventionVersion }> {
    const { ballots, missing } = await this.approvals(c, vid);
    if (ballots.length === 0 && missing.length === 0) {
      throw new DomainError('conflict', 'This version has no clause text to adopt. 该版本没有条款内容，无法标记为通过。');
    }
    if (missing.length > 0) {
      throw new DomainError(
        'not_approved',
        `No passed ballot approved this version's text of clause ${missing.join(', ')}. 第${missing.join('、')}条的此版本文本尚无通过的表决，不能标记为已通过。`,
        { status: 409 },
      );
    }
    if (ballotId && !ballots.some((b) => b.ballotId === ballotId)) {
      throw new DomainError('not_approved', 'That ballot did not approve this version. 该表决并未通过此版本。', { status: 409 });
    }
    const all = await this.repo.versions(c.id);
    const at = Date.now();
    const adoption = { at, by, ballots };
    const next = all.map((v) =>
      v.id === vid
        ? { ...v, adopted: true, adoptedAt: at, adoption }
        : { ...v, adopted: undefined, adoptedAt: undefined, adoption: undefined },
    );
    const convention = { ...c, adoptedVersionId: vid };
    await this.repo.adopt(convention, next);
    // The newly adopted version, and the one that was adopted before (it loses its mark).
    for (const v of next) if (v.id === vid || all.find((o) => o.id === v.id)?.adopted) this.#announce(c.id, v);
    return { convention, version: next.find((v) => v.id === vid)! };
  }

  async adoptedVersion(c: Convention): Promise<ConventionVersion | null> {
    if (!c.adoptedVersionId) return null;
    return (await this.repo.versions(c.id)).find((v) => v.id === c.adoptedVersionId) ?? null;
  }
}

/** A clause id like the web editor makes ('c' + 14 base-36 characters). */
export function newClauseId(): string {
  return (
    'c' +
    newId()
      .replace(/[^A-Za-z0-9]/g, '')
      .toLowerCase()
      .slice(0, 14)
  );
}
