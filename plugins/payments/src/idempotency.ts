import { createHash } from 'node:crypto';
import { type Db, ToolError } from '@vrm/plugin-kit';
import { and, eq, isNull } from 'drizzle-orm';
import { idempotencyRecords } from './schema.js';

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` hash alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hash of the tool and its arguments (without the key): what "the same request" means. */
export function requestHash(tool: string, request: unknown): string {
  return createHash('sha256')
    .update(`${tool}\n${canonical(request)}`)
    .digest('hex');
}

/**
 * Makes every write safe to retry. The key is reserved before the write runs, so two concurrent
 * requests with one key cannot both charge; a finished request's result is stored and replayed.
 * The same key with a different request is refused rather than silently ignored.
 */
export class IdempotencyStore {
  constructor(private readonly db: Db) {}

  async run<T>(
    tool: string,
    key: string,
    request: unknown,
    execute: () => Promise<T>,
  ): Promise<{ result: T; replayed: boolean }> {
    const hash = requestHash(tool, request);
    const reserved = await this.db
      .insert(idempotencyRecords)
      .values({ key, tool, requestHash: hash })
      .onConflictDoNothing()
      .returning({ key: idempotencyRecords.key });
    if (reserved.length === 0) {
      const [existing] = await this.db
        .select()
        .from(idempotencyRecords)
        .where(eq(idempotencyRecords.key, key));
      if (!existing) return this.run(tool, key, request, execute);
      if (existing.requestHash !== hash || existing.tool !== tool) {
        throw new ToolError(
          `Idempotency key "${key}" was already used for a different ${existing.tool === tool ? 'request' : `tool (${existing.tool})`}. Use a new key for a new payment operation; reuse a key only to retry exactly the same request.`,
          'idempotency_key_reused',
        );
      }
      if (existing.response === null) {
        throw new ToolError(
          `A request with idempotency key "${key}" is still being processed. Wait a moment and retry with the same key.`,
          'idempotency_in_progress',
        );
      }
      return { result: existing.response as T, replayed: true };
    }
    let result: T;
    try {
      result = await execute();
    } catch (error) {
      // The write did not happen: free the key so a corrected retry can use it.
      await this.db
        .delete(idempotencyRecords)
        .where(and(eq(idempotencyRecords.key, key), isNull(idempotencyRecords.response)));
      throw error;
    }
    await this.db
      .update(idempotencyRecords)
      .set({ response: result as object })
      .where(eq(idempotencyRecords.key, key));
    return { result, replayed: false };
  }
}
