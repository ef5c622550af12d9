// HTTP overhead of the app: GET /healthz (Express + one Redis PING) against a bare Node http
// server answering the same JSON, both driven by autocannon on loopback in the same run.
import http from 'node:http';
import autocannon from 'autocannon';
import { startServer } from '../../server/test/helpers/processes.ts';

const run = (url) =>
  new Promise((resolve, reject) => autocannon({ url, connections: 20, duration: 5 }, (err, res) => (err ? reject(err) : resolve(res))));

const bare = http.createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end('{"status":"ok","redis":"ok"}');
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));
const base = await run(`http://127.0.0.1:${bare.address().port}/`);
bare.close();

const server = await startServer();
const app = await run(`${server.url}/healthz`);
await server.stop();

const fmt = (r) => `${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms`;
console.log(`baseline (bare node http): ${fmt(base)}`);
console.log(`linli GET /healthz:        ${fmt(app)}`);
console.log(`ratio linli/baseline:      ${(app.requests.average / base.requests.average).toFixed(2)}`);
