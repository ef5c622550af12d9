/**
 * Which store errors tell a phone `unavailable` (retry with the same key, counted once) and which
 * are bugs (`internal`, logged). The messages are ioredis' own, as seen in the cluster failover test.
 */
import { describe, expect, it } from 'vitest';
import { isRedisUnavailable } from '../src/http/errors.ts';

describe('isRedisUnavailable', () => {
  it.each([
    'Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down',
    'Too many Cluster redirections. Last error: ReplyError: MOVED 14131 127.0.0.1:39039',
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    "READONLY You can't write against a read only replica.",
    'LOADING Redis is loading the dataset in memory',
    'Failed to refresh slots cache.',
    'Connection is closed.',
    'Command timed out',
    'connect ECONNREFUSED 127.0.0.1:6379',
    'read ECONNRESET',
    "Stream isn't writeable and enableOfflineQueue options is false",
    'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
  ])('%s → unavailable', (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(true);
  });

  it.each([
    "ERR wrong number of arguments for 'hset' command",
    "Cannot read properties of undefined (reading 'id')",
    'WRONGTYPE Operation against a key holding the wrong kind of value',
  ])('%s → internal', (message) => {
    expect(isRedisUnavailable(new Error(message))).toBe(false);
  });

  it('only errors count', () => {
    expect(isRedisUnavailable('CLUSTERDOWN')).toBe(false);
  });
});
