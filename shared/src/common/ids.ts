/** Identifier schemas shared by every feature: opaque strings, URL- and key-safe. */
import { z } from 'zod';

export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id (letters, digits, _ or -)');
export type Id = z.infer<typeof Id>;
