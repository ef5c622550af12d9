/** The server's own base URL as the browser reached it (behind a proxy: its forwarded host and scheme, as trust proxy allows). */
import type { Request } from 'express';

export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.host}`;
}
