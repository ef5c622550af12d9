/**
 * The deployment files: docker-compose.yml (default and the `cluster` profile) validates with
 * `docker compose config` (no Docker engine is needed for that; skipped, saying so, where the
 * compose plugin is missing), and deploy/nginx.conf upgrades WebSockets on /socket.io and /yjs and
 * keeps stickiness to the Socket.IO upstream only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/processes.ts';

const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
if (!hasCompose)
  console.warn(
    'deploy-config: `docker compose` is not installed here; the compose files are checked where it is (CI image, a developer machine)',
  );

describe('docker compose', () => {
  it.skipIf(!hasCompose)('the default file validates', () => {
    const out = execFileSync('docker', ['compose', 'config', '--services'], { cwd: ROOT, encoding: 'utf8' });
    expect(out.split('\n').filter(Boolean).sort()).toEqual(['app', 'redis']);
  });
  it.skipIf(!hasCompose)('the cluster profile validates: six Redis nodes, the init job, three apps, nginx', () => {
    const out = execFileSync('docker', ['compose', '--profile', 'cluster', 'config', '--services'], { cwd: ROOT, encoding: 'utf8' });
    const services = out.split('\n').filter(Boolean);
    for (const s of [
      'redis-c1',
      'redis-c2',
      'redis-c3',
      'redis-c4',
      'redis-c5',
      'redis-c6',
      'redis-cluster-init',
      'app1',
      'app2',
      'app3',
      'nginx',
    ])
      expect(services).toContain(s);
    const full = execFileSync('docker', ['compose', '--profile', 'cluster', 'config'], { cwd: ROOT, encoding: 'utf8' });
    expect(full).toContain('REDIS_CLUSTER_NODES');
    expect(full).toContain('--cluster-replicas 1');
  });
});

describe('nginx.conf', () => {
  const conf = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  const block = (loc: string) => {
    const i = conf.indexOf(`location ${loc}`);
    expect(i).toBeGreaterThan(0);
    return conf.slice(i, conf.indexOf('}', i));
  };
  it('upgrades WebSockets on /socket.io and /yjs', () => {
    for (const loc of ['/socket.io/', '/yjs/']) {
      const b = block(loc);
      expect(b).toContain('proxy_set_header Upgrade $http_upgrade');
      expect(b).toContain('proxy_set_header Connection $connection_upgrade');
    }
    expect(conf).toContain('proxy_http_version 1.1');
  });
  it('is sticky only for Socket.IO (polling), and spreads the rest', () => {
    expect(block('/socket.io/')).toContain('linli_socketio');
    expect(block('/yjs/')).toContain('linli_app');
    expect(block('/ ')).toContain('linli_app');
    const app = conf.slice(conf.indexOf('upstream linli_app'), conf.indexOf('}', conf.indexOf('upstream linli_app')));
    expect(app).not.toMatch(/hash|ip_hash|sticky/);
    expect(conf.slice(conf.indexOf('upstream linli_socketio'))).toMatch(/hash \$socketio_affinity/);
    // Sticky by address only for polling (and its upgrade); a fresh WebSocket is spread.
    expect(conf).toMatch(/map "\$arg_transport:\$arg_sid" \$socketio_affinity \{ "websocket:" \$request_id; default \$remote_addr; \}/);
  });
});
