/**
 * The HTTP core of the typed API client: JSON in and out, the API's error envelope turned into
 * an {@link ApiError}, and one transparent token refresh when an access token has expired.
 */

/** An error the API answered with (`{"error": {code, message, details?}}`), or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Seconds to wait before retrying, from `Retry-After` on a 429. */
  readonly retryAfterSeconds: number | undefined;
  readonly requestId: string | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: unknown;
    retryAfterSeconds?: number | undefined;
    requestId?: string | undefined;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.requestId = init.requestId;
  }
}

/** Where the client reads and stores the session's tokens. */
export interface TokenStore {
  accessToken(): string | undefined;
  refreshToken(): string | undefined;
  /** Called with the body of a successful `POST /v1/auth/refresh`. */
  refreshed(session: unknown): void;
  /** The refresh token was refused: the session is over. */
  expired(): void;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as `application/yaml` instead of JSON. */
  yaml?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Send no credential (sign-in, sign-up, refresh). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

export interface Http {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  delete<T = void>(path: string, options?: RequestOptions): Promise<T>;
  /** Absolute URL for a path (WebSockets need one). */
  url(path: string): string;
}

export interface HttpOptions {
  /** Origin the API lives on; empty for same-origin (the runtime serves the studio). */
  baseUrl: string;
  tokens: TokenStore;
  fetch?: typeof fetch;
}

async function toApiError(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const retryAfter = response.headers.get('retry-after');
  const retryAfterSeconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  let code = 'http_error';
  let message = `${response.status} ${response.statusText || 'Request failed'}`;
  let details: unknown;
  try {
    const body = (await response.json()) as {
      error?: { code?: unknown; message?: unknown; details?: unknown };
    };
    if (body.error && typeof body.error.message === 'string') {
      message = body.error.message;
      code = typeof body.error.code === 'string' ? body.error.code : code;
      details = body.error.details;
    }
  } catch {
    // Not the API's envelope (a proxy's HTML page, an empty body): keep the status line.
  }
  return new ApiError({ status: response.status, code, message, details, retryAfterSeconds, requestId });
}

/** Creates the HTTP core. Concurrent 401s share one refresh; a request is retried at most once. */
export function createHttp(options: HttpOptions): Http {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let refreshing: Promise<boolean> | undefined;

  const url = (path: string) => `${options.baseUrl.replace(/\/$/, '')}${path}`;

  async function refresh(): Promise<boolean> {
    const refreshToken = options.tokens.refreshToken();
    if (!refreshToken) return false;
    const response = await doFetch(url('/v1/auth/refresh'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
    if (!response?.ok) {
      // A network failure keeps the session (the user may be offline); a refusal ends it.
      if (response && (response.status === 401 || response.status === 400)) options.tokens.expired();
      return false;
    }
    options.tokens.refreshed(await response.json());
    return true;
  }

  async function send(
    method: string,
    path: string,
    opts: RequestOptions,
    retried: boolean,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (opts.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      body = opts.yaml;
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const token = opts.anonymous ? undefined : options.tokens.accessToken();
    if (token) headers.authorization = `Bearer ${token}`;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined && value !== '') query.set(key, String(value));
    }
    const target = url(path) + (query.size > 0 ? `?${query}` : '');
    let response: Response;
    try {
      response = await doFetch(target, { method, headers, body, signal: opts.signal ?? null });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError({
        status: 0,
        code: 'network_error',
        message: 'Cannot reach the VRM server. Check your connection and try again.',
      });
    }
    if (response.status === 401 && token && !retried) {
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      if (await refreshing) return send(method, path, opts, true);
    }
    return response;
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const response = await send(method, path, opts, false);
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }

  return {
    request,
    url: (path) => {
      const base = options.baseUrl || globalThis.location?.origin || '';
      return `${base.replace(/\/$/, '')}${path}`;
    },
    get: (path, opts) => request('GET', path, opts),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
    delete: (path, opts) => request('DELETE', path, opts),
  };
}
