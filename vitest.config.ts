import { defineConfig } from 'vitest/config';

// One run, three kinds of test: pure logic (shared), real Redis + real sockets (server),
// real Chromium against a real server (web e2e). See STYLE.md "Tests".
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'shared', root: './shared', include: ['src/**/*.test.ts'] } },
      { test: { name: 'web', root: './web', include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'server',
          root: './server',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // `npm run test:cluster` only (LINLI_TEST_CLUSTER=1; not in `npm test`): six redis-servers, three processes, nginx.
      ...(process.env.LINLI_TEST_CLUSTER ? [{
        test: {
          name: 'cluster',
          root: './server',
          include: ['test/cluster/**/*.cluster.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      }] : []),
      {
        test: {
          name: 'e2e',
          root: './web',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
