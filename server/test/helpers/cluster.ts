/**
 * A real Redis Cluster for tests, without Docker: six redis-server processes in cluster mode
 * (three masters, three replicas, a short node timeout), created with `redis-cli --cluster create`.
 * `masterOfKey` names the process holding a key's slot, so a test can kill exactly that one.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { freePort, pingRedis } from '../../src/redis/managed-redis.ts';
import { tmpDir } from './processes.ts';

export interface ClusterNode {
  port: number;
  proc: ChildProcess;
  dir: string;
}

export interface TestCluster {
  nodes: ClusterNode[];
  /** REDIS_CLUSTER_NODES for Linli. */
  seeds: string;
  /** The node currently master of `key`'s slot. */
  masterOfKey(key: string): ClusterNode;
  /** Waits (without blocking the event loop) until a node other than `old` is master of `key`'s slot. */
  waitForNewMaster(old: ClusterNode, key: string, ms?: number): Promise<void>;
  /** Starts a killed node again on its port and data (it rejoins, as a replica if it was replaced). */
  restart(node: ClusterNode): Promise<void>;
  /** Waits until every slot is served and every master has a connected replica. */
  waitHealthy(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

const cliAsync = async (port: number, ...args: string[]): Promise<string> =>
  (await promisify(execFile)('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 })).stdout;
const cli = (port: number, ...args: string[]): string =>
  execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 });

async function until(test: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await test()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startCluster(opts: { nodeTimeoutMs?: number } = {}): Promise<TestCluster> {
  const nodes: ClusterNode[] = [];
  const spawnNode = (port: number, dir: string): ChildProcess =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, 'nodes.conf'),
        '--cluster-node-timeout',
        String(opts.nodeTimeoutMs ?? 2000),
        // A replica may take over even when it lagged: the test measures what WAIT protects.
        '--cluster-replica-validity-factor',
        '0',
      ],
      { stdio: 'ignore' },
    );
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    const dir = tmpDir(`linli-cluster-${i}-`);
    nodes.push({ port, dir, proc: spawnNode(port, dir) });
  }
  for (const n of nodes) await until(() => pingRedis(n.port), 10_000, `redis-server :${n.port}`);
  execFileSync(
    'redis-cli',
    ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'],
    {
      stdio: 'ignore',
      timeout: 30_000,
    },
  );
  let stopping = false;
  const alive = () => nodes.filter((n) => n.proc.exitCode === null && n.proc.signalCode === null);
  const c: TestCluster = {
    nodes,
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    masterOfKey(key) {
      const from = alive()[0]!;
      const slot = Number(cli(from.port, 'CLUSTER', 'KEYSLOT', key).trim());
      for (const line of cli(from.port, 'CLUSTER', 'NODES').split('\n')) {
        const f = line.split(' ');
        if (!f[2]?.includes('master') || f[2].includes('fail')) continue;
        const port = Number(f[1]!.split('@')[0]!.split(':')[1]);
        for (const range of f.slice(8)) {
          const [a, b] = range.split('-').map(Number);
          if (slot >= a! && slot <= (b ?? a!)) return nodes.find((n) => n.port === port)!;
        }
      }
      throw new Error(`no master for slot ${slot}`);
    },
    async waitForNewMaster(old, key, ms = 60_000) {
      await until(
        async () => {
          const from = alive().find((n) => n !== old)!;
          const slot = Number((await cliAsync(from.port, 'CLUSTER', 'KEYSLOT', key)).trim());
          for (const line of (await cliAsync(from.port, 'CLUSTER', 'NODES')).split('\n')) {
            const f = line.split(' ');
            if (!f[2]?.includes('master') || f[2].includes('fail')) continue;
            const port = Number(f[1]!.split('@')[0]!.split(':')[1]);
            if (port === old.port) continue;
            for (const range of f.slice(8)) {
              const [a, b] = range.split('-').map(Number);
              if (slot >= a! && slot <= (b ?? a!)) return true;
            }
          }
          return false;
        },
        ms,
        `a new master for ${key}`,
      );
    },
    async restart(node) {
      // The killed process must be gone (its port and nodes.conf lock free) before its successor.
      const old = node.proc;
      if (old.exitCode === null && old.signalCode === null) await new Promise((r) => old.once('exit', r));
      node.proc = spawnNode(node.port, node.dir);
      // Generous: on a loaded machine the test process itself answers slowly (1,000 sockets).
      await until(
        () => {
          if (stopping) return true;
          if (node.proc.exitCode !== null) node.proc = spawnNode(node.port, node.dir);
          return pingRedis(node.port, 3000);
        },
        60_000,
        `redis-server :${node.port} again`,
      );
    },
    async waitHealthy(ms = 30_000) {
      await until(
        () => {
          for (const n of alive()) {
            if (!cli(n.port, 'CLUSTER', 'INFO').includes('cluster_state:ok')) return false;
            const info = cli(n.port, 'INFO', 'replication');
            if (info.includes('role:master') && !/connected_slaves:[1-9]/.test(info)) return false;
            if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
          }
          return true;
        },
        ms,
        'a healthy cluster',
      );
    },
    async stop() {
      stopping = true;
      await Promise.all(
        alive().map(
          (n) =>
            new Promise<void>((res) => {
              n.proc.once('exit', () => res());
              n.proc.kill('SIGKILL');
            }),
        ),
      );
    },
  };
  await c.waitHealthy();
  return c;
}
