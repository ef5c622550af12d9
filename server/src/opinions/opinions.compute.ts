/**
 * Computes opinion maps in one worker thread (started on first use, replaced if it dies or takes
 * too long) and keeps each round's last map. Recomputes are coalesced: votes arriving mark a round
 * dirty and its map is recomputed at most once per `minIntervalMs`, then announced.
 */
import { Worker } from 'node:worker_threads';
import { CELL, type OpinionAnalysis, type OpinionMatrix } from '@linli/shared/opinions/clustering';
import { DomainError, OPINION_ROLE_GROUPS, type OpinionRoleGroup } from '@linli/shared';
import type { OpinionsRepository } from './opinions.repository.ts';
import type { MapJob, MapReply } from './opinions.worker.ts';

export interface OpinionMapResult {
  rev: number;
  analysis: OpinionAnalysis;
  /** Worker time of the computation (ms). */
  ms: number;
}

/** One worker thread running map jobs one after the other. */
export class OpinionsWorker {
  #worker: Worker | null = null;
  #ready: Promise<Worker> | null = null;
  #chain: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #closed = false;
  constructor(private readonly timeoutMs = 30_000) {}

  run(matrix: OpinionMatrix): Promise<{ analysis: OpinionAnalysis; ms: number }> {
    const job = this.#chain.then(() => this.#run(matrix));
    this.#chain = job.catch(() => {});
    return job;
  }

  async #run(matrix: OpinionMatrix): Promise<{ analysis: OpinionAnalysis; ms: number }> {
    if (this.#closed) throw new DomainError('unavailable', 'The server is stopping. 服务器正在停止。');
    const w = await this.#start();
    const id = this.#nextId++;
    w.ref();
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          void this.#kill();
          reject(new DomainError('unavailable', 'The opinion map took too long. 意见地图计算超时。'));
        }, this.timeoutMs);
        const onMessage = (msg: MapReply | { ready: true }) => {
          if (!('id' in msg) || msg.id !== id) return;
          done();
          if (msg.ok) resolve({ analysis: msg.analysis, ms: msg.ms });
          else reject(new Error(msg.message));
        };
        const onExit = () => {
          done();
          reject(new DomainError('unavailable', 'The opinion map could not be computed. 意见地图计算失败。'));
        };
        const done = () => {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('exit', onExit);
        };
        w.on('message', onMessage);
        w.on('exit', onExit);
        const copy = new Int8Array(matrix.cells);
        w.postMessage({ id, matrix: { ...matrix, cells: copy } } satisfies MapJob, [copy.buffer]);
      });
    } finally {
      w.unref();
    }
  }

  #start(): Promise<Worker> {
    if (this.#ready) return this.#ready;
    const w = new Worker(new URL('./opinions.worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 512 } });
    this.#worker = w;
    const ready = new Promise<Worker>((resolve, reject) => {
      w.once('message', () => resolve(w));
      w.once('error', reject);
    });
    this.#ready = ready;
    const lost = () => {
      if (this.#worker === w) {
        this.#worker = null;
        this.#ready = null;
      }
    };
    w.on('error', lost);
    w.on('exit', lost);
    return ready;
  }

  async #kill(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    this.#ready = null;
    if (w) await w.terminate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#kill();
  }
}

/** Builds a round's vote matrix from Redis, page by page (no long stall on a large round). */
export async function loadMatrix(repo: OpinionsRepository, opinionId: string): Promise<OpinionMatrix> {
  const statements = await repo.acceptedOrder(opinionId);
  const people = await repo.people(opinionId);
  const ids = Object.keys(people).sort();
  const row = new Map(ids.map((id, i) => [id, i]));
  const col = new Map(statements.map((s, j) => [s, j]));
  const m = statements.length;
  const cells = new Int8Array(ids.length * m);
  const code = { a: CELL.agree, d: CELL.disagree, p: CELL.pass } as const;
  for await (const page of repo.allVotes(opinionId)) {
    for (const v of page) {
      const i = row.get(v.memberId),
        j = col.get(v.statementId);
      if (i !== undefined && j !== undefined) cells[i * m + j] = code[v.vote];
    }
    await new Promise((resolve) => setImmediate(resolve)); // let sockets and timers in between pages
  }
  const role = (r: string | undefined): OpinionRoleGroup =>
    (OPINION_ROLE_GROUPS as readonly string[]).includes(r ?? '') ? (r as OpinionRoleGroup) : 'other';
  return { participants: ids.map((id) => ({ id, role: role(people[id]) })), statements, cells };
}

/** The last map of each round, recomputed coalesced as votes arrive. */
export class OpinionMaps {
  readonly #cache = new Map<string, OpinionMapResult>();
  readonly #inflight = new Map<string, Promise<OpinionMapResult>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #lastRun = new Map<string, number>();
  #stopped = false;

  constructor(
    private readonly repo: OpinionsRepository,
    private readonly worker: OpinionsWorker,
    private readonly onMap: (opinionId: string, map: OpinionMapResult) => void,
    private readonly minIntervalMs = 1000,
  ) {}

  /** A vote or an acceptance changed the round: recompute soon (at most once per interval), then announce. */
  changed(opinionId: string): void {
    if (this.#stopped || this.#timers.has(opinionId)) return;
    const wait = Math.max(0, (this.#lastRun.get(opinionId) ?? 0) + this.minIntervalMs - Date.now());
    const t = setTimeout(() => {
      this.#timers.delete(opinionId);
      this.fresh(opinionId)
        .then((map) => this.onMap(opinionId, map))
        .catch(() => {}); // a failed recompute is retried by the next vote or GET
    }, wait);
    t.unref();
    this.#timers.set(opinionId, t);
  }

  /**
   * The map of the round as Redis holds it now (the cached one when nothing changed since). Readers
   * share recomputes: one runs at a time per round, and not sooner than `minIntervalMs` after the
   * last, so a hall refreshing its phones during a vote storm costs one recompute a second.
   */
  async fresh(opinionId: string): Promise<OpinionMapResult> {
    for (;;) {
      const rev = await this.repo.rev(opinionId);
      const cached = this.#cache.get(opinionId);
      if (cached && cached.rev >= rev) return cached;
      const running = this.#inflight.get(opinionId);
      if (running) {
        const r = await running;
        if (r.rev >= rev) return r;
        continue;
      }
      const wait = (this.#lastRun.get(opinionId) ?? 0) + this.minIntervalMs - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (this.#inflight.has(opinionId)) continue; // another reader woke first and started it
      }
      return this.#compute(opinionId);
    }
  }

  async #compute(opinionId: string): Promise<OpinionMapResult> {
    const job = (async () => {
      this.#lastRun.set(opinionId, Date.now());
      const at = await this.repo.rev(opinionId);
      const matrix = await loadMatrix(this.repo, opinionId);
      const { analysis, ms } = await this.worker.run(matrix);
      const result = { rev: at, analysis, ms };
      const prev = this.#cache.get(opinionId);
      if (!prev || prev.rev <= at) this.#cache.set(opinionId, result);
      return result;
    })();
    this.#inflight.set(opinionId, job);
    try {
      return await job;
    } finally {
      this.#inflight.delete(opinionId);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await this.worker.close();
  }
}
