/**
 * The live document server's limits (LINLI_YJS_*) come through the validated configuration:
 * the defaults when unset or empty, the given numbers when set, and a bad value stops start-up
 * with a message naming the variable (the server process exits with code 2 before it opens Redis).
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ConfigError, loadConfig } from '../src/config.ts';
import { ROOT } from './helpers/processes.ts';

const DEFAULTS = {
  maxMessageBytes: 1024 * 1024,
  maxDocBytes: 8 * 1024 * 1024,
  updatesPerSecond: 60,
  updatesBurst: 240,
  maxClientsPerDoc: 500,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxQueuedBytes: 2 * 1024 * 1024,
  writeGapPerBroadcast: 5,
  maxWriteGapMs: 25,
  writesInFlight: 4,
  compactEvery: 500,
  compactQuietMs: 10_000,
  trimGraceMs: 60_000,
  unloadDelayMs: 5_000,
  awarenessFlushMs: 50,
  readBlockMs: 1000,
  keepaliveMs: 10_000,
  maxAwarenessBytes: 16 * 1024,
  revalidateMs: 60_000,
};

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('live document limits (LINLI_YJS_*)', () => {
  it('are the defaults when unset or empty', () => {
    expect(loadConfig({}).yjs).toEqual(DEFAULTS);
    expect(loadConfig({ LINLI_YJS_MAX_DOC_BYTES: '', LINLI_YJS_COMPACT_EVERY: '' }).yjs).toEqual(DEFAULTS);
  });

  it('take the numbers given, fractions and exponents included; the read block stays at most 1 s', () => {
    const yjs = loadConfig({
      LINLI_YJS_MAX_MESSAGE_BYTES: String(256 * 1024),
      LINLI_YJS_UPDATES_PER_SECOND: '0.5',
      LINLI_YJS_COMPACT_EVERY: '1e3',
      LINLI_YJS_UNLOAD_DELAY_MS: '0',
      LINLI_YJS_READ_BLOCK_MS: '5000',
    }).yjs;
    expect(yjs).toEqual({
      ...DEFAULTS,
      maxMessageBytes: 256 * 1024,
      updatesPerSecond: 0.5,
      compactEvery: 1000,
      unloadDelayMs: 0,
      readBlockMs: 1000,
    });
  });

  it('refuse a negative, non-numeric or infinite value, naming each bad variable', () => {
    expect(configError({ LINLI_YJS_MAX_DOC_BYTES: '-1' })).toContain('LINLI_YJS_MAX_DOC_BYTES="-1": must be a non-negative number');
    expect(configError({ LINLI_YJS_UPDATES_BURST: 'lots' })).toContain('LINLI_YJS_UPDATES_BURST="lots": must be a non-negative number');
    const both = configError({ LINLI_YJS_KEEPALIVE_MS: 'Infinity', LINLI_YJS_REVALIDATE_MS: '10s', LINLI_YJS_COMPACT_EVERY: '40' });
    expect(both).toContain('LINLI_YJS_KEEPALIVE_MS="Infinity"');
    expect(both).toContain('LINLI_YJS_REVALIDATE_MS="10s"');
    expect(both).not.toContain('LINLI_YJS_COMPACT_EVERY');
  });

  it('stop the server at start-up with exit code 2 and the variable named', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, LINLI_YJS_MAX_CLIENTS_PER_DOC: 'many', REDIS_URL: 'redis://127.0.0.1:1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Only a safety net should the server start anyway (it would wait for a Redis that is not there).
    const guard = setTimeout(() => proc.kill('SIGKILL'), 45_000);
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    clearTimeout(guard);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('LINLI_YJS_MAX_CLIENTS_PER_DOC="many": must be a non-negative number');
    expect(code).toBe(2);
  });
});
