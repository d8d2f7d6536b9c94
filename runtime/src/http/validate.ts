import type { Context } from 'hono';
import type { z } from 'zod';
import { VrmError } from '../errors.js';

export interface FieldProblem {
  path: string;
  message: string;
}

/** Turns zod issues into `{path, message}` pairs and one sentence that names the first field. */
export function validationError(where: 'body' | 'query' | 'params', error: z.ZodError): VrmError {
  const details: FieldProblem[] = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || where,
    message: issue.message,
  }));
  const first = details[0];
  const message = first ? `Invalid ${where}: ${first.path}: ${first.message}` : `Invalid ${where}`;
  return new VrmError('validation_failed', message, { status: 400, details });
}

export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch (cause) {
    if (cause instanceof Error && cause.name === 'BodyLimitError') throw cause;
    throw new VrmError('validation_failed', 'Request body must be valid JSON', { status: 400, cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError('body', parsed.error);
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw validationError('query', parsed.error);
  return parsed.data;
}

export function parseParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.param());
  if (!parsed.success) throw validationError('params', parsed.error);
  return parsed.data;
}
