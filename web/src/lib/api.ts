/** The browser's door to the REST API: JSON in, JSON out, errors as ApiError with the API.md code. */
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import { pickLanguage } from '$lib/server-message.ts';

/** The reader's half of a bilingual server message (see server-message.ts). */
export const localized = (message: string): string => pickLanguage(message, getLocale());

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
    /** For validation_failed: the fields at fault (API.md "Errors"). */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * Calls `/api${path}`; resolves with the parsed body, rejects with ApiError (network failures too).
 * A Blob or File body (a photo, a roster file) goes as its raw bytes with its own content type
 * (`rawType` overrides it); anything else as JSON.
 */
export async function api<T = unknown>(method: string, path: string, body?: unknown, fetchFn: typeof fetch = fetch, rawType?: string): Promise<T> {
  const raw = typeof Blob !== 'undefined' && body instanceof Blob;
  let res: Response;
  try {
    res = await fetchFn(`/api${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': raw ? rawType || (body as Blob).type : 'application/json' },
      body: body === undefined ? undefined : raw ? (body as Blob) : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', m.err_network());
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } } | null)?.error;
    const retry = Number(res.headers.get('retry-after')) || undefined;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ? localized(err.message) : m.err_generic(), retry, err?.issues ?? []);
  }
  return data as T;
}
