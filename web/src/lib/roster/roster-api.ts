/** Roster calls the generic JSON helper cannot make: uploading a CSV/.xlsx file as its raw bytes. */
import type { ImportResult } from '@linli/shared';
import { ApiError } from '$lib/api';
import { m } from '$lib/paraglide/messages.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The content type the server reads a roster file by (it also sniffs the bytes). */
export function rosterFileType(file: { name: string; type: string }): string {
  return /\.xlsx$/i.test(file.name) || file.type === XLSX_TYPE ? XLSX_TYPE : 'text/csv';
}

/**
 * `POST /api/communities/:cid/households[?dryRun=1]` with the file's bytes: the server detects
 * UTF-8 / GBK and .xlsx itself. Resolves with the counts and rejected rows; rejects with ApiError.
 */
export async function importRosterFile(cid: string, file: File, dryRun: boolean): Promise<ImportResult> {
  let res: Response;
  try {
    res = await fetch(`/api/communities/${encodeURIComponent(cid)}/households${dryRun ? '?dryRun=1' : ''}`, {
      method: 'POST',
      headers: { 'content-type': rosterFileType(file) },
      body: file,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', m.err_network());
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; issues?: { path: string; message: string }[] } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? m.err_generic(), undefined, err?.issues ?? []);
  }
  return data as ImportResult;
}
