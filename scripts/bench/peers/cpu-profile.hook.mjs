// Preloaded into the Linli server by the peers bench (NODE_OPTIONS=--import …) when BENCH_CPU_PROF
// names a folder: Node refuses --cpu-prof in NODE_OPTIONS, so this starts V8's sampling profiler
// through the inspector and writes linli-<pid>.cpuprofile there on SIGUSR2 (and the garbage
// collections seen, linli-<pid>.gc.json).
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const dir = process.env.BENCH_CPU_PROF;
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable', () =>
  session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
);
// Garbage collections with their kind and time on the monotonic clock (µs), beside the profile.
const gcs = [];
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const hr0 = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    gcs.push({ kind: KINDS[e.detail?.kind] ?? String(e.detail?.kind), at: Math.round(hr0 + e.startTime * 1000), ms: e.duration });
}).observe({ entryTypes: ['gc'] });
// SIGURG (sent before the first storm): sample allocations from then on, the collected ones too.
let sampling = false;
process.on('SIGURG', () => {
  if (sampling) return;
  sampling = true;
  session.post('HeapProfiler.enable', () =>
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    }),
  );
});
process.on('SIGUSR2', () => {
  if (sampling) {
    session.post('HeapProfiler.stopSampling', (err, res) => {
      if (!err) fs.writeFileSync(path.join(dir, `linli-${process.pid}.heapprofile`), JSON.stringify(res.profile));
    });
  }
  fs.writeFileSync(path.join(dir, `linli-${process.pid}.gc.json`), JSON.stringify(gcs));
  session.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(path.join(dir, `linli-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
  });
});
