/**
 * The one error type VRM throws. `code` is stable and machine-readable; `status` is the HTTP
 * status it maps to at the API edge; `retryable` tells callers (fallbacks, reconnects) whether
 * trying again can help.
 */
export class VrmError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(
    code: string,
    message: string,
    options: { status?: number; retryable?: boolean; details?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VrmError';
    this.code = code;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new VrmError('validation_failed', message, { status: 400, details });
export const unauthorized = (message = 'Authentication required') =>
  new VrmError('unauthorized', message, { status: 401 });
export const forbidden = (message = 'You do not have permission to do this') =>
  new VrmError('forbidden', message, { status: 403 });
export const notFound = (what: string) => new VrmError('not_found', `${what} not found`, { status: 404 });
export const conflict = (message: string, details?: unknown) =>
  new VrmError('conflict', message, { status: 409, details });
