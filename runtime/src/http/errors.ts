import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { VrmError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorResponse(c: Context, status: number, code: string, message: string, details?: unknown) {
  const body: ErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
  return c.json(body, status as ContentfulStatusCode);
}

/**
 * The API's one error edge: VrmErrors keep their status and code; anything else is a 500 whose
 * detail goes to the log only (with the request id the client sees), never to the client.
 */
export function handleError(error: Error, c: Context) {
  if (error instanceof VrmError) {
    if (error.status >= 500) c.get('log')?.error({ err: error }, error.message);
    const retryAfter = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter));
    return errorResponse(
      c,
      error.status,
      error.code,
      error.message,
      error.status < 500 ? error.details : undefined,
    );
  }
  if (error instanceof HTTPException) {
    const code =
      error.status === 413 ? 'payload_too_large' : error.status === 401 ? 'unauthorized' : 'http_error';
    return errorResponse(c, error.status, code, error.message || 'Request failed');
  }
  c.get('log')?.error({ err: error }, 'unhandled error');
  return errorResponse(
    c,
    500,
    'internal_error',
    `Internal error (request ${c.get('requestId') ?? 'unknown'})`,
  );
}
