/**
 * The roster worker thread: decodes uploaded roster files (CSV, .xlsx) and checks every row off
 * the main event loop, one job at a time. Started by roster.parser.ts through roster.worker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { DomainError } from '@linli/shared/common/errors';
import { parseRoster, type RosterCheckOptions, type RosterParse } from '@linli/shared/roster/roster';
import { rosterFileToRawRows, type RosterFileKind } from './roster.files.ts';
import type { UnzipLimits } from './xlsx-unzip.ts';

export interface ParseJob {
  id: number;
  bytes: Uint8Array;
  kind?: RosterFileKind;
  charset?: string;
  limits?: UnzipLimits;
  checks?: RosterCheckOptions;
}

export type ParseReply =
  | { id: number; ok: true; parsed: RosterParse }
  | { id: number; ok: false; error: { code: string; message: string; status?: number; issues?: { path: string; message: string }[] } };

parentPort!.on('message', async (job: ParseJob) => {
  let reply: ParseReply;
  try {
    const buf = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    const raws = await rosterFileToRawRows(buf, { kind: job.kind, charset: job.charset, limits: job.limits });
    reply = { id: job.id, ok: true, parsed: parseRoster(raws, job.checks) };
  } catch (err) {
    reply =
      err instanceof DomainError
        ? {
            id: job.id,
            ok: false,
            error: { code: err.code, message: err.message, status: err.status, ...(err.issues ? { issues: err.issues } : {}) },
          }
        : {
            id: job.id,
            ok: false,
            error: { code: 'validation_failed', message: `The file cannot be read: ${(err as Error).message}. 文件无法读取。` },
          };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true });
