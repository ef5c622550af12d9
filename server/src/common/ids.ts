import { randomBytes } from 'node:crypto';

/** A new opaque id: 96 random bits, URL- and key-safe. */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

/** A session secret: 256 random bits. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
