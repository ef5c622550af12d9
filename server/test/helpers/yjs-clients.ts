/**
 * Yjs clients for tests and benchmarks: y-websocket's WebsocketProvider in Node (the `ws` package
 * as its WebSocket, the session cookie on the handshake), and a raw y-protocols socket for sending
 * exactly the bytes a test wants.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { readAuthMessage } from 'y-protocols/auth';
import type { DocsRepository } from '../../src/yjs/yjs.repository.ts';

// Each WebsocketProvider in Node adds a process 'exit' listener; tests and benchmarks open hundreds.
process.setMaxListeners(Math.max(process.getMaxListeners(), 2000));

/** A WebSocket class that sends `cookie` on the upgrade (what a browser does with linli_sid). */
export function cookieWebSocket(cookie: string): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: cookie ? { cookie } : {} });
    }
  } as unknown as typeof WebSocket;
}

export interface LiveClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Reasons of the permission-denied auth messages received (y-protocols/auth; `read-only`). */
  denied: string[];
  closes: { code: number; reason: string }[];
  destroy(): void;
}

/** y-websocket's `messageAuth` (y-protocols/auth: varUint 0 = permission denied, then the reason). */
export const MESSAGE_AUTH = 2;

/** Connects a y-websocket client to `/yjs/<docName>` on `baseUrl` (http://…). */
export function connectDoc(baseUrl: string, docName: string, cookie: string, doc = new Y.Doc()): LiveClient {
  const provider = new WebsocketProvider(baseUrl.replace(/^http/, 'ws') + '/yjs', docName, doc, {
    WebSocketPolyfill: cookieWebSocket(cookie) as never,
    disableBc: true,
    maxBackoffTime: 300,
  });
  const denied: string[] = [];
  const closes: { code: number; reason: string }[] = [];
  // Records permission denied, then lets y-websocket's own handler run: the client stays stock.
  const stockAuth = provider.messageHandlers[MESSAGE_AUTH]!;
  provider.messageHandlers[MESSAGE_AUTH] = (encoder, decoder, p, emitSynced, messageType) => {
    readAuthMessage(decoding.clone(decoder), doc, (_doc, reason) => denied.push(reason));
    stockAuth(encoder, decoder, p, emitSynced, messageType);
  };
  provider.on('connection-close', (ev) => {
    if (ev) closes.push({ code: ev.code, reason: String(ev.reason) });
  });
  return {
    doc,
    provider,
    denied,
    closes,
    destroy() {
      provider.destroy();
    },
  };
}

/** A document as a process loading it now would read it from the store: snapshot, then the log. */
export async function loadStored(repo: DocsRepository, name: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  let cursor: string | null = null;
  for (;;) {
    const page = await repo.loadPage(name, cursor);
    if (page.restarted) {
      if (page.snapshot) Y.applyUpdate(doc, page.snapshot);
      cursor = page.snapshotId ?? '0-0';
    }
    for (const e of page.entries) Y.applyUpdate(doc, e.update);
    if (page.entries.length) cursor = page.entries[page.entries.length - 1]!.id;
    if (page.entries.length < 1000) return doc;
  }
}

export function synced(c: LiveClient, ms = 10_000): Promise<void> {
  if (c.provider.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('not synced in time')), ms);
    c.provider.once('sync', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Polls until a state holds (shared with the other test files). */
export { until } from './wait.ts';

/** A raw y-protocols connection: send chosen messages, record what comes back. */
export interface RawClient {
  ws: WebSocket;
  messages: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
  send(bytes: Uint8Array): void;
  close(): void;
}

export async function rawConnect(baseUrl: string, docName: string, cookie: string): Promise<RawClient> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/yjs/' + docName, { headers: cookie ? { cookie } : {} });
  const messages: Uint8Array[] = [];
  ws.binaryType = 'nodebuffer';
  ws.on('message', (d: Buffer) => messages.push(new Uint8Array(d)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return { ws, messages, closed, send: (b) => ws.send(b), close: () => ws.close() };
}

/** Status code of a refused upgrade (or 101 when it was accepted). */
export function upgradeStatus(baseUrl: string, docName: string, cookie: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/yjs/' + docName, {
      headers: { ...(cookie ? { cookie } : {}), ...headers },
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}

export const msg = {
  syncStep1(doc: Y.Doc): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
    return encoding.toUint8Array(e);
  },
  syncStep2(update: Uint8Array): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, update);
    return encoding.toUint8Array(e);
  },
  update(update: Uint8Array): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, update);
    return encoding.toUint8Array(e);
  },
  awareness(update: Uint8Array): Uint8Array {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, update);
    return encoding.toUint8Array(e);
  },
};

/** Decodes a server message: type, and for sync its subtype and payload; for auth its subtype and reason. */
export function decodeServerMessage(data: Uint8Array): { type: number; sub?: number; payload?: Uint8Array; text?: string } {
  const d = decoding.createDecoder(data);
  const type = decoding.readVarUint(d);
  if (type === 0) {
    const sub = decoding.readVarUint(d);
    return { type, sub, payload: decoding.readVarUint8Array(d) };
  }
  if (type === 1) return { type, payload: decoding.readVarUint8Array(d) };
  if (type === MESSAGE_AUTH) {
    const sub = decoding.readVarUint(d);
    return { type, sub, text: decoding.readVarString(d) };
  }
  return { type };
}

/** Text of a clause body (paragraphs joined by newlines). */
export function clauseTexts(doc: Y.Doc): string[] {
  return doc
    .getArray<Y.Map<unknown>>('clauses')
    .toArray()
    .map((m) => {
      const body = m.get('body') as Y.XmlFragment;
      return body
        .toArray()
        .map((p) => ((p as Y.XmlElement).toArray() as Y.XmlText[]).map((t) => t.toString()).join(''))
        .join('\n');
    });
}
