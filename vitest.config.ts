import { defineConfig } from 'vitest/config';

// One run, three kinds of test: pure logic (shared), real Redis + real sockets (server),
// real Chromium against a real server (web e2e). See docs/ARCHITECTURE.md "Tests".
//
// Unit and integration files run side by side (group 0; the server files mostly wait on Redis and
// sockets, so two at a time, one per core), then the browser files one at a time (group 1).
// Without the groups, the e2e project's single worker held every project to one file at a time.
const SIDE_BY_SIDE = { maxWorkers: 2, sequence: { groupOrder: 0 } };
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'shared', root: './shared', include: ['src/**/*.test.ts'], ...SIDE_BY_SIDE } },
      { test: { name: 'web', root: './web', include: ['src/**/*.test.ts'], ...SIDE_BY_SIDE } },
      {
        test: {
          name: 'server',
          root: './server',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          // Side by side, a test that starts processes (the CLI, a second server) waits longer for a core.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          expect: { poll: { timeout: 10_000 } },
          ...SIDE_BY_SIDE,
        },
      },
      // `npm run test:cluster` only (LINLI_TEST_CLUSTER=1; not in `npm test`): six redis-servers, three processes, nginx.
      ...(process.env.LINLI_TEST_CLUSTER
        ? [
            {
              test: {
                name: 'cluster',
                root: './server',
                include: ['test/cluster/**/*.cluster.ts'],
                testTimeout: 300_000,
                hookTimeout: 300_000,
                fileParallelism: false,
                sequence: { groupOrder: 2 },
              },
            },
          ]
        : []),
      {
        test: {
          name: 'e2e',
          root: './web',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // expect.poll gives up after 1 s by default: a page that renders 30 QR codes or a list
          // after hydration takes longer than that on a loaded CI machine (people.test failed so).
          expect: { poll: { timeout: 10_000 } },
          // One file at a time: tried two (each file has its own Redis, server and Chromium), the run
          // took longer on 2 cores (vitest 1,097 s against 1,018 s), and two timing-sensitive phone
          // tests failed at load 12–15. LINLI_E2E_WORKERS=2 on a bigger machine.
          maxWorkers: Number(process.env.LINLI_E2E_WORKERS ?? 1),
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
