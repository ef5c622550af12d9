/** Roster uploads: a CSV/.xlsx file as its raw bytes, with the content type the server reads it by. */
import type { ImportResult } from '@linli/shared';
import { api } from '$lib/api';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The content type the server reads a roster file by (it also sniffs the bytes). */
export function rosterFileType(file: { name: string; type: string }): string {
  return /\.xlsx$/i.test(file.name) || file.type === XLSX_TYPE ? XLSX_TYPE : 'text/csv';
}

/**
 * `POST /api/communities/:cid/households[?dryRun=1]` with the file's bytes: the server detects
 * UTF-8 / GBK and .xlsx itself. Resolves with the counts and rejected rows; rejects with ApiError.
 */
export function importRosterFile(cid: string, file: File, dryRun: boolean): Promise<ImportResult> {
  return api<ImportResult>(
    'POST',
    `/communities/${encodeURIComponent(cid)}/households${dryRun ? '?dryRun=1' : ''}`,
    file,
    fetch,
    rosterFileType(file),
  );
}
