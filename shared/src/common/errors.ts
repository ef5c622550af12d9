import { z } from 'zod';

/** Error codes of the public contract (API.md "Errors"), with their HTTP status. */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  bad_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  /** Changing the households one holds oneself (one household, one vote). */
  own_households: 403,
  not_found: 404,
  conflict: 409,
  /** A display name that looks like a staff member's in the same community. */
  name_taken: 409,
  already_voted: 409,
  ballot_not_open: 409,
  meeting_closed: 409,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS | (string & {});

export interface ErrorIssue {
  path: string;
  message: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  issues?: ErrorIssue[];
}

/** The one domain error class: services throw it, transports map it to a response or an ack. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly issues?: ErrorIssue[];
  /** For rate_limited: seconds until a retry may succeed (sent as Retry-After). */
  readonly retryAfter?: number;
  constructor(code: ErrorCode, message: string, opts: { status?: number; issues?: ErrorIssue[]; retryAfter?: number } = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.status = opts.status ?? (ERROR_STATUS as Record<string, number>)[code] ?? 400;
    this.issues = opts.issues;
    this.retryAfter = opts.retryAfter;
  }
  toBody(): ErrorBody {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message };
  }
}

/** Turns a zod error into the API's `validation_failed` error with one issue per field. */
export function validationError(err: z.ZodError, what = 'request'): DomainError {
  const issues = err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  const first = issues[0];
  return new DomainError('validation_failed', `Invalid ${what}: ${first ? `${first.path}: ${first.message}` : 'bad shape'}`, {
    issues,
  });
}

/** Parses `input` with `schema` or throws a `validation_failed` DomainError. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what?: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw validationError(r.error, what);
  return r.data;
}

/** Socket.IO ack shape (API.md): `{ok:true, ...data}` or `{ok:false, error}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorBody };
export type AckFn<T extends object = object> = (res: Ack<T>) => void;
