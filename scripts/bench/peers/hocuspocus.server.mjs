// The peer of the documents rows in `npm run bench -- peers`: stock Hocuspocus 4.7 (@hocuspocus/server,
// a devDependency), default configuration, no extensions, so no persistence. It runs in its own
// process, as Linli's server does, so the bench can read both servers' CPU and RSS from /proc.
// Prints "listening <port>" once it accepts connections.
import { Server } from '@hocuspocus/server';

const server = new Server({ port: Number(process.argv[2] ?? 0), address: '127.0.0.1', quiet: true, stopOnSignals: true });
await server.listen();
console.log(`listening ${server.address.port}`);
