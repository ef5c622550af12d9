/**
 * WebSocket upgrades on one port: engine.io takes /socket.io/, the Yjs gateway takes
 * /yjs/<docName>, every other path is refused and its socket destroyed.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.ts';

export const YJS_PATH = /^\/yjs\/([A-Za-z0-9_.:-]{1,128})$/;

/** The document server plugs in here; it authenticates and answers the upgrade itself. */
export interface UpgradeGateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, docName: string): void | Promise<void>;
}

export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export function routeUpgrades(server: HttpServer, logger: Logger, getYjs: () => UpgradeGateway | null): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname.startsWith('/socket.io/')) return;
    const m = YJS_PATH.exec(pathname);
    const yjs = m ? getYjs() : null;
    if (m && yjs) {
      Promise.resolve(yjs.handleUpgrade(req, socket, head, m[1]!)).catch((err) => {
        logger.error({ err }, 'yjs upgrade failed');
        refuseUpgrade(socket, 500, 'Internal Server Error');
      });
      return;
    }
    refuseUpgrade(socket, 404, 'Not Found');
  });
}
