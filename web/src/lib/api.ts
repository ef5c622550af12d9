/** The browser's door to the REST API: JSON in, JSON out, errors as ApiError with the API.md code. */
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import type { ErrorBody, MeResponse } from '@linli/shared';
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
export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  fetchFn: typeof fetch = fetch,
  rawType?: string,
): Promise<T> {
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
  if (!res.ok) throw await apiErrorOf(res);
  const data: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  return data as T;
}

/** The one reading of a failed answer (API.md "Errors"): its code, message in the reader's language, issues and Retry-After. */
export async function apiErrorOf(res: Response): Promise<ApiError> {
  const body: { error?: Partial<ErrorBody> } | null = await res.json().catch(() => null);
  const err = body?.error;
  const retry = Number(res.headers.get('retry-after')) || undefined;
  return new ApiError(res.status, err?.code ?? 'error', err?.message ? localized(err.message) : m.err_generic(), retry, err?.issues ?? []);
}

/**
 * Who is signed in (null when nobody), for a load function: the app layout's, and the pages outside
 * it (the console, the evaluation page). Components take `me` from their page, never fetch it.
 */
export function loadMe(fetchFn: typeof fetch): Promise<MeResponse | null> {
  return api<MeResponse>('GET', '/me', undefined, fetchFn).catch(() => null);
}
