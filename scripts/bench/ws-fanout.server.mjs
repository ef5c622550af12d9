// The ceiling for the documents benchmark: a bare `ws` server that relays every message to the
// other sockets of the same path (room), with no Yjs, no auth and no Redis. Started by
// docs.bench.ts as a child process; prints "listening <port>" once ready.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const server = http.createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
const rooms = new Map();
wss.on('connection', (ws, req) => {
  const room = req.url ?? '/';
  let set = rooms.get(room);
  if (!set) rooms.set(room, (set = new Set()));
  set.add(ws);
  ws.on('message', (data) => {
    for (const other of set) if (other !== ws && other.readyState === 1) other.send(data);
  });
  ws.on('close', () => set.delete(ws));
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
