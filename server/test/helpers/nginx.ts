/**
 * nginx for tests: the repository's deploy/nginx.conf, pointed at local Linli processes and a free
 * port instead of the compose service names, run in the foreground and stopped after the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../src/redis/managed-redis.ts';
import { ROOT, tmpDir } from './processes.ts';

export interface TestNginx {
  url: string;
  port: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startNginx(appPorts: number[]): Promise<TestNginx> {
  if (appPorts.length !== 3) throw new Error('deploy/nginx.conf names three app processes');
  const port = await freePort();
  const dir = tmpDir('linli-nginx-');
  let conf = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  appPorts.forEach((p, i) => (conf = conf.replaceAll(`app${i + 1}:3000`, `127.0.0.1:${p}`)));
  conf = conf
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('pid /tmp/linli-nginx.pid;', `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;`)
    .replace('worker_processes auto;', 'worker_processes 1;\nworker_rlimit_nofile 16384;')
    .replace('http {', `http {\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;`);
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, conf);
  const nginx = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  const proc = spawn(nginx, ['-p', dir, '-c', file, '-e', `${dir}/error.log`, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const end = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    const up = await new Promise<boolean>((res) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), res(true)));
      s.on('error', () => res(false));
    });
    if (up) break;
    if (Date.now() > end) throw new Error(`nginx did not listen: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      // Graceful (SIGQUIT) waits for open WebSockets for ever; then fast shutdown (SIGTERM).
      proc.kill('SIGQUIT');
      const t = setTimeout(() => proc.kill('SIGTERM'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
