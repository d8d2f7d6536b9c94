import type { Context, MiddlewareHandler } from 'hono';
import { VrmError } from '../../errors.js';

/**
 * A fixed-window counter per key, in process memory. Each process limits on its own, so N
 * processes allow up to N times the limit; that bounds abuse without a shared store on the
 * request path.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #windowMs: number;
  #lastSweep = 0;

  constructor(windowMs = 60_000) {
    this.#windowMs = windowMs;
  }

  /** Counts one hit; returns the seconds to wait when the limit is exceeded, else 0. */
  hit(key: string, limit: number, now = Date.now()): number {
    this.#sweep(now);
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.#windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000));
  }

  #sweep(now: number) {
    if (now - this.#lastSweep < this.#windowMs) return;
    this.#lastSweep = now;
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.#windowMs) this.#windows.delete(key);
    }
  }
}

export interface RateLimitOptions {
  limiter: RateLimiter;
  limit: number;
  /** What is being limited; `null` skips the request. */
  key: (c: Context) => string | null;
}

export function rateLimit({ limiter, limit, key }: RateLimitOptions): MiddlewareHandler {
  return async function rateLimitMiddleware(c, next) {
    const k = key(c);
    if (k !== null) {
      const retryAfterSeconds = limiter.hit(k, limit);
      if (retryAfterSeconds > 0) {
        throw new VrmError('rate_limited', `Too many requests; retry in ${retryAfterSeconds} s`, {
          status: 429,
          details: { retryAfterSeconds },
        });
      }
    }
    await next();
  };
}
