/**
 * Roster files are decoded and checked off the event loop, in one worker thread (started on the first upload,
 * kept for the next ones): meetings, votes and /healthz stay responsive while a large .xlsx is
 * read. Jobs run one at a time; a job that runs too long or exhausts the worker's memory is
 * answered with an error and the worker is replaced.
 */
import { Worker } from 'node:worker_threads';
import { DomainError, type RosterCheckOptions, type RosterParse } from '@linli/shared';
import type { RosterFileKind } from './roster.files.ts';
import type { ParseJob, ParseReply } from './roster.worker.ts';
import type { UnzipLimits } from './xlsx-unzip.ts';

export interface RosterParserOptions {
  /** Longest one file may take to decode (default 30 s). */
  timeoutMs?: number;
  /** Heap of the worker in MB (default 512): a bad file cannot take the server's memory. */
  maxHeapMb?: number;
  limits?: UnzipLimits;
  /** Row checks (the area above which a row is imported with a warning). */
  checks?: RosterCheckOptions;
}

interface Pending {
  job: ParseJob;
  resolve: (parsed: RosterParse) => void;
  reject: (err: Error) => void;
  /** The worker the job was posted to: only that worker's failure fails it. */
  worker?: Worker;
}

const failed = () =>
  new DomainError(
    'validation_failed',
    'The file could not be read in time or was too complex; nothing was written. 文件无法在规定时间内读取（可能过大或已损坏），什么都没有写入。',
  );

export class RosterParser {
  #worker: Worker | null = null;
  #ready: Promise<Worker> | null = null;
  #queue: Pending[] = [];
  #current: Pending | null = null;
  #timer: NodeJS.Timeout | null = null;
  #nextId = 1;
  #closed = false;

  constructor(private readonly opts: RosterParserOptions = {}) {}

  /** Decodes a roster file (CSV in any supported encoding, or .xlsx) and checks its rows, in the worker. */
  parse(bytes: Buffer, opts: { kind?: RosterFileKind; charset?: string } = {}): Promise<RosterParse> {
    if (this.#closed) return Promise.reject(new DomainError('unavailable', 'The server is stopping. 服务器正在停止。'));
    // A copy the worker owns (the request's buffer may be a slice of a shared pool).
    const own = new Uint8Array(bytes.byteLength);
    own.set(bytes);
    const job: ParseJob = {
      id: this.#nextId++,
      bytes: own,
      kind: opts.kind,
      charset: opts.charset,
      limits: this.opts.limits,
      checks: this.opts.checks,
    };
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      void this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new DomainError('unavailable', 'The server is stopping. 服务器正在停止。'));
    await this.#kill();
  }

  async #pump(): Promise<void> {
    if (this.#current || this.#queue.length === 0) return;
    const p = this.#queue.shift()!;
    this.#current = p;
    let w: Worker;
    try {
      w = await this.#start();
    } catch (err) {
      this.#current = null;
      p.reject(err as Error);
      return void this.#pump();
    }
    this.#timer = setTimeout(() => {
      const killed = this.#kill(); // forgets the worker at once: the next job gets a fresh one
      this.#finish(p, null, failed());
      void killed;
    }, this.opts.timeoutMs ?? 30_000);
    p.worker = w;
    w.ref();
    w.postMessage(p.job, [p.job.bytes.buffer as ArrayBuffer]);
  }

  #finish(p: Pending, parsed: RosterParse | null, err: Error | null): void {
    if (this.#current !== p) return;
    // An idle worker does not keep the process alive.
    if (this.#queue.length === 0) this.#worker?.unref();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#current = null;
    if (err) p.reject(err);
    else p.resolve(parsed!);
    void this.#pump();
  }

  #start(): Promise<Worker> {
    if (this.#ready) return this.#ready;
    const w = new Worker(new URL('./roster.worker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 512 },
    });
    this.#worker = w;
    this.#ready = new Promise<Worker>((resolve, reject) => {
      w.once('message', () => resolve(w)); // { ready: true }
      w.once('error', reject);
    });
    w.on('message', (msg: ParseReply | { ready: true }) => {
      if (!('id' in msg)) return;
      const p = this.#current;
      if (!p || p.job.id !== msg.id) return;
      if (msg.ok) this.#finish(p, msg.parsed, null);
      else
        this.#finish(p, null, new DomainError(msg.error.code, msg.error.message, { status: msg.error.status, issues: msg.error.issues }));
    });
    // Out of memory or a crash: the job on that worker fails, the next upload gets a fresh worker.
    const lost = () => {
      if (this.#worker === w) {
        this.#worker = null;
        this.#ready = null;
      }
      if (this.#current?.worker === w) this.#finish(this.#current, null, failed());
    };
    w.on('error', lost);
    w.on('exit', lost);
    return this.#ready;
  }

  async #kill(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    this.#ready = null;
    if (w) await w.terminate();
  }
}
