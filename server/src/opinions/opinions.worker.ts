/**
 * The opinion map worker thread: runs the PCA, k-means and silhouette of a round off the main event
 * loop (a 2,000 × 300 round takes a good part of a second). Started by opinions.compute.ts through
 * opinions.worker.mjs; one job at a time.
 */
import { parentPort } from 'node:worker_threads';
import { analyseOpinions, type OpinionAnalysis, type OpinionMatrix } from '@linli/shared/opinions/clustering';

export interface MapJob {
  id: number;
  matrix: OpinionMatrix;
}

export type MapReply = { id: number; ok: true; analysis: OpinionAnalysis; ms: number } | { id: number; ok: false; message: string };

parentPort!.on('message', (job: MapJob) => {
  const t0 = performance.now();
  let reply: MapReply;
  try {
    reply = { id: job.id, ok: true, analysis: analyseOpinions(job.matrix), ms: performance.now() - t0 };
  } catch (err) {
    reply = { id: job.id, ok: false, message: (err as Error).message };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true });
