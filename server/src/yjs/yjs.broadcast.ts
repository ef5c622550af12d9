/**
 * One message to every client of a document, framed once (issue 16). `ws.send` builds a frame
 * header and makes two stream writes per connection; a document with 1,000 clients and a merged
 * update every few milliseconds spends most of its CPU there. Here the WebSocket frame (binary,
 * final, unmasked as a server sends it) is built once and written to each socket as one buffer.
 *
 * That writes beside ws's Sender, which is safe only while the Sender holds nothing queued (it
 * queues only while compressing or reading a Blob; this server sends neither and has
 * permessage-deflate off). Otherwise, or if ws's internals ever differ, it falls back to `ws.send`.
 * ws 8's `bufferedAmount` counts the socket's pending bytes, so backpressure checks still see it.
 */
import type { WebSocket } from 'ws';

/** A final, unmasked binary frame holding `data`. */
export function binaryFrame(data: Uint8Array): Buffer {
  const n = data.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x82;
  if (n < 126) frame[1] = n;
  else if (n < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  frame.set(data, head);
  return frame;
}

interface WsInternals {
  _socket?: { write(b: Buffer): boolean; destroyed?: boolean };
  _sender?: { _state?: number; _queue?: unknown[] };
}

/** Writes a prepared frame to the client's socket; false when the caller must use `ws.send`. */
export function writeFrame(ws: WebSocket, frame: Buffer): boolean {
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  if (!socket || socket.destroyed || !sender || sender._state !== 0 || !Array.isArray(sender._queue) || sender._queue.length > 0)
    return false;
  socket.write(frame);
  return true;
}
