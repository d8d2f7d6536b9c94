import 'reflect-metadata';
import { type DependencyContainer, container as rootContainer } from 'tsyringe';
import { AuthService } from '../auth/auth-service.js';
import { Authenticator } from '../auth/authenticator.js';
import { SupabaseIdentity } from '../auth/supabase.js';
import { AccessTokens } from '../auth/tokens.js';
import { CallRunner } from '../calls/call-runner.js';
import { type Database, openDatabase } from '../db/client.js';
import { RateLimiter } from '../http/middleware/rate-limit.js';
import { LiveHub } from '../traces/live-hub.js';
import { TraceStore } from '../traces/trace-store.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { McpRegistry } from './mcp-registry.js';
import { Metrics } from './metrics.js';
import { deriveKey, loadMasterKey, SecretBox } from './secret-box.js';
import { Signer } from './signer.js';
import { TOKENS } from './tokens.js';

/** What the HTTP layer and the voice loop get from the kernel. */
export interface Services {
  container: DependencyContainer;
  config: Config;
  log: Logger;
  db: Database;
  secretBox: SecretBox;
  tokens: AccessTokens;
  auth: AuthService;
  authenticator: Authenticator;
  limiter: RateLimiter;
  metrics: Metrics;
  traces: TraceStore;
  liveHub: LiveHub;
  mcp: McpRegistry;
  /** Signs values VRM hands out and checks them when they come back (telephony stream parameters). */
  signer: Signer;
  /** Runs voice calls and text sessions. */
  calls: CallRunner;
  /** Flushes traces and stops background work; the database stays open for the caller to close. */
  shutdown(): Promise<void>;
}

export interface CreateServicesOptions {
  config: Config;
  log: Logger;
  /** An already-open database (tests share one); otherwise opened from the config. */
  db?: Database;
  /** Collect Node's default process metrics (off in tests, where many apps share a process). */
  defaultMetrics?: boolean;
}

/**
 * Builds the kernel's object graph in a child container. Provider adapters and other parts
 * register themselves on `services.container` under the tokens in ./tokens.ts.
 */
export async function createServices(options: CreateServicesOptions): Promise<Services> {
  const { config, log } = options;
  const db =
    options.db ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATABASE_URL ? undefined : config.dataDir,
    }));
  const masterKey = loadMasterKey({ envValue: config.VRM_SECRET_KEY, dataDir: config.dataDir, log });
  const secretBox = new SecretBox(masterKey);
  const tokens = new AccessTokens(deriveKey(masterKey, 'access tokens'), config.VRM_ACCESS_TOKEN_TTL_SECONDS);
  const auth = new AuthService({
    db,
    tokens,
    secretBox,
    passwordCost: config.VRM_PASSWORD_COST,
    refreshTtlSeconds: config.VRM_REFRESH_TOKEN_TTL_SECONDS,
  });
  const supabase =
    config.SUPABASE_JWT_SECRET || (config.SUPABASE_URL && config.SUPABASE_ANON_KEY)
      ? new SupabaseIdentity({
          db,
          url: config.SUPABASE_URL,
          anonKey: config.SUPABASE_ANON_KEY,
          jwtSecret: config.SUPABASE_JWT_SECRET,
        })
      : undefined;
  const authenticator = new Authenticator({ db, tokens, supabase });
  const signer = new Signer(deriveKey(masterKey, 'signed values'));
  const limiter = new RateLimiter();
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? true });
  const traces = new TraceStore({ db, log: log.child({ component: 'traces' }) });
  const liveHub = new LiveHub(db, log.child({ component: 'live' }));
  await liveHub.start();
  const mcp = new McpRegistry(db, secretBox, config, log.child({ component: 'mcp' }));
  await mcp.loadAll();

  const container = rootContainer.createChildContainer();
  container.register(TOKENS.Config, { useValue: config });
  container.register(TOKENS.Logger, { useValue: log });
  container.register(TOKENS.Database, { useValue: db });
  container.register(TOKENS.SecretBox, { useValue: secretBox });
  container.register(TOKENS.AccessTokens, { useValue: tokens });
  container.register(TOKENS.AuthService, { useValue: auth });
  container.register(TOKENS.Authenticator, { useValue: authenticator });
  container.register(TOKENS.RateLimiter, { useValue: limiter });
  container.register(TOKENS.Metrics, { useValue: metrics });
  container.register(TOKENS.TraceStore, { useValue: traces });
  container.register(TOKENS.LiveHub, { useValue: liveHub });
  container.register(TOKENS.McpRegistry, { useValue: mcp });

  const shutdown = async () => {
    await services.calls.shutdown();
    await mcp.shutdown();
    await traces.close();
    await liveHub.stop();
  };
  const services: Services = {
    container,
    config,
    log,
    db,
    secretBox,
    tokens,
    auth,
    authenticator,
    limiter,
    metrics,
    traces,
    liveHub,
    mcp,
    signer,
    calls: undefined as unknown as CallRunner,
    shutdown,
  };
  services.calls = new CallRunner(services);
  container.register(TOKENS.CallRunner, { useValue: services.calls });
  return services;
}
