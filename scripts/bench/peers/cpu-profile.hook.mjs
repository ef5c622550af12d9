// Preloaded into the Linli server by the peers bench (NODE_OPTIONS=--import …) when BENCH_CPU_PROF
// names a folder: Node refuses --cpu-prof in NODE_OPTIONS, so this starts V8's sampling profiler
// through the inspector and writes linli-<pid>.cpuprofile there on SIGUSR2.
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_CPU_PROF;
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
process.on('SIGUSR2', () => {
  session.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(path.join(dir, `linli-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
  });
});
