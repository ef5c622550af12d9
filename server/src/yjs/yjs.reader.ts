/**
 * One blocking XREAD per process over the logs of every loaded document: how edits made through
 * other server processes arrive here. When the set of documents changes, the blocked read is cut
 * short with CLIENT UNBLOCK (and BLOCK never exceeds a second, in case the unblock raced the read),
 * then re-issued with the new set. Each document has its own cursor, so nothing between two reads
 * is missed; a document re-added gets a new generation so answers for the old one are ignored.
 *
 * On a Redis Cluster one XREAD cannot span slots (every document has its own `{name}` tag, so its
 * own slot) and a blocked read would hold the cluster client's one connection to that master: the
 * reader instead reads per slot, one non-blocking XREAD per document, all at once (the client
 * pipelines them per master), and waits LINLI_YJS_CLUSTER_POLL_MS (25) between empty rounds.
 *
 * A failed read, or (on a cluster) a new master serving a document's slot, is reported as a gap:
 * entries may have been trimmed meanwhile, or a failover may have lost entries this process had
 * already read and applied (replication is asynchronous); the caller re-reads and puts back what
 * the store lost (DocRooms' recovery).
 */
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis/connection.ts';
import { isCluster, whenReady } from '../redis/connection.ts';
import { calculateSlot } from '../redis/cluster-safe.ts';
import { docKeys, docNameOfKey, type LogEntry } from './yjs.repository.ts';

interface Cursor {
  id: string;
  gen: number;
}

export interface ReaderHooks {
  /** New entries of a document, in stream order (own entries included: the caller skips those it applied). */
  onEntries(name: string, entries: LogEntry[]): void;
  /**
   * The read failed (Redis away), or another master now serves the document's slot: entries may
   * have been trimmed meanwhile, or lost in a failover; re-read from the store and repair it.
   */
  onGap(name: string): void;
}

export class DocReader {
  readonly #cursors = new Map<string, Cursor>();
  /** Cluster: the master (host:port) last seen serving each document's slot. */
  readonly #masters = new Map<string, string>();
  #gen = 0;
  #conn: Redis | null = null;
  #clientId: string | null = null;
  #inFlight = false;
  #stopped = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  /** XREAD calls issued (for the stats and the benchmark). */
  reads = 0;

  constructor(
    private readonly cmd: Redis,
    private readonly open: () => Promise<Redis>,
    private readonly hooks: ReaderHooks,
    private readonly logger: Logger,
    private readonly blockMs: number,
  ) {}

  async start(): Promise<void> {
    this.#conn = await this.open();
    if (isCluster(this.#conn)) {
      this.#loop = this.#runPerSlot();
      return;
    }
    this.#clientId = String(await this.#conn.call('CLIENT', 'ID'));
    this.#conn.on('ready', () => {
      // A reconnect gets a new client id (for CLIENT UNBLOCK).
      void this.#conn
        ?.call('CLIENT', 'ID')
        .then((id) => (this.#clientId = String(id)))
        .catch(() => {});
    });
    this.#loop = this.#run();
  }

  /** Starts following `name` after stream id `cursor`. */
  add(name: string, cursor: string): void {
    this.#cursors.set(name, { id: cursor, gen: ++this.#gen });
    this.#interrupt();
  }

  remove(name: string): void {
    this.#cursors.delete(name);
    this.#masters.delete(name);
  }

  /** Moves a document's cursor forward (after a re-read from the store). */
  advance(name: string, id: string): void {
    const c = this.#cursors.get(name);
    if (c) this.#cursors.set(name, { id, gen: ++this.#gen });
    this.#interrupt();
  }

  get size(): number {
    return this.#cursors.size;
  }

  #interrupt(): void {
    if (this.#wake) {
      const w = this.#wake;
      this.#wake = null;
      w();
      return;
    }
    if (this.#inFlight && this.#clientId) {
      this.cmd.call('CLIENT', 'UNBLOCK', this.#clientId).catch(() => {});
    }
  }

  async #run(): Promise<void> {
    const conn = this.#conn!;
    while (!this.#stopped) {
      if (this.#cursors.size === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const asked = [...this.#cursors.entries()];
      const keys = asked.map(([name]) => docKeys.log(name));
      const ids = asked.map(([, c]) => c.id);
      let res: [Buffer, [Buffer, Buffer[]][]][] | null;
      this.#inFlight = true;
      this.reads++;
      try {
        res = (await conn.xreadBuffer('COUNT', 500, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...ids)) as typeof res;
      } catch (err) {
        this.#inFlight = false;
        if (this.#stopped) return;
        this.logger.warn({ err: (err as Error).message }, 'document stream read failed; re-reading after reconnect');
        await whenReady(conn, 60_000).catch(() => new Promise((r) => setTimeout(r, 1000)));
        for (const [name] of asked) if (this.#cursors.has(name)) this.hooks.onGap(name);
        continue;
      }
      this.#inFlight = false;
      if (!res) continue;
      this.#deliver(asked, res);
    }
  }

  /** Hands each document's new entries to the hooks, unless the document changed meanwhile. */
  #deliver(asked: [string, Cursor][], res: [Buffer, [Buffer, Buffer[]][]][]): void {
    const askedGen = new Map(asked.map(([name, c]) => [name, c.gen]));
    for (const [keyBuf, items] of res) {
      const name = docNameOfKey(keyBuf.toString());
      if (!name) continue;
      const cur = this.#cursors.get(name);
      // Removed, or re-added since this read was issued: the answer is stale.
      if (!cur || cur.gen !== askedGen.get(name) || items.length === 0) continue;
      const entries: LogEntry[] = items.map(([id, fields]) => {
        let update = new Uint8Array(0);
        let writer = '';
        for (let i = 0; i + 1 < fields.length; i += 2) {
          const f = fields[i]!.toString();
          if (f === 'u') update = new Uint8Array(fields[i + 1]!);
          else if (f === 'p') writer = fields[i + 1]!.toString();
        }
        return { id: id.toString(), update, writer };
      });
      this.#cursors.set(name, { id: entries[entries.length - 1]!.id, gen: cur.gen });
      try {
        this.hooks.onEntries(name, entries);
      } catch (err) {
        this.logger.error({ err, doc: name }, 'applying document entries failed');
      }
    }
  }

  /** The cluster loop: one XREAD per document (per slot), then a short wait when nothing came. */
  async #runPerSlot(): Promise<void> {
    const conn = this.#conn!;
    const pollMs = Number(process.env.LINLI_YJS_CLUSTER_POLL_MS ?? 25);
    while (!this.#stopped) {
      if (this.#cursors.size === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const asked = [...this.#cursors.entries()];
      this.#noticeFailovers(conn, asked);
      this.reads += asked.length;
      const answers = await Promise.all(
        asked.map(async ([name, c]) => {
          try {
            const r = (await conn.xreadBuffer('COUNT', 500, 'STREAMS', docKeys.log(name), c.id)) as [Buffer, [Buffer, Buffer[]][]][] | null;
            return { name, r, failed: false };
          } catch {
            return { name, r: null, failed: true };
          }
        }),
      );
      if (this.#stopped) return;
      let got = false;
      for (const a of answers) {
        if (a.failed) {
          if (this.#cursors.has(a.name)) this.hooks.onGap(a.name);
          continue;
        }
        if (a.r && a.r.some(([, items]) => items.length > 0)) got = true;
        if (a.r) this.#deliver(asked, a.r);
      }
      if (answers.some((a) => a.failed)) await new Promise((r) => setTimeout(r, 500));
      else if (!got)
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            this.#wake = null;
            resolve();
          }, pollMs);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
    }
  }

  /**
   * A document whose slot is now served by another master than at the last round had a failover:
   * the promoted replica may lack the last entries of the old master, which this process may have
   * read and applied already. Reported as a gap, so the caller re-reads and repairs the store.
   */
  #noticeFailovers(conn: Redis, asked: [string, Cursor][]): void {
    const slots = (conn as unknown as { slots?: (string[] | undefined)[] }).slots;
    if (!slots) return;
    for (const [name] of asked) {
      const master = slots[calculateSlot(docKeys.log(name))]?.[0];
      if (!master) continue;
      const before = this.#masters.get(name);
      this.#masters.set(name, master);
      if (before && before !== master) {
        this.logger.warn({ doc: name, from: before, to: master }, 'document shard has a new master; re-reading and repairing');
        this.hooks.onGap(name);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#interrupt();
    this.#conn?.disconnect();
    await this.#loop?.catch(() => {});
  }
}
