/**
 * Test harness for the platform: fresh databases on every driver the machine offers, and a VRM
 * app wired to one. PGlite always; PostgreSQL too when TEST_DATABASE_URL is set, each test file
 * on a database of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { type Database, openDatabase } from '../db/client.js';
import { createApp, type RouteModule, type VrmApp } from '../http/app.js';
import { type Config, loadConfig } from '../kernel/config.js';
import { createServices, type Services } from '../kernel/container.js';
import { createLogger } from '../kernel/logger.js';

export type DriverKind = 'pglite' | 'postgres';

/** The drivers to run database suites against, for `describe.each`. */
export function testDrivers(): DriverKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A new, migrated, empty database. `close()` also drops a PostgreSQL one. */
export async function openTestDatabase(kind: DriverKind): Promise<Database> {
  if (kind === 'pglite') return openDatabase({});
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `vrm_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), maxConnections: 4 });
  return {
    ...db,
    async close() {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export interface TestApp extends VrmApp {
  services: Services;
  config: Config;
  close(): Promise<void>;
}

/** A VRM app on `db` with test-friendly settings (cheap password hashing, quiet logs). */
export async function createTestApp(
  db: Database,
  env: Record<string, string> = {},
  routes: RouteModule[] = [],
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-test-'));
  const config = loadConfig({
    VRM_DATA_DIR: dataDir,
    VRM_SECRET_KEY: randomBytes(32).toString('base64'),
    VRM_PASSWORD_COST: '10',
    VRM_LOG_LEVEL: 'silent',
    VRM_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    ...env,
  });
  const services = await createServices({ config, log: createLogger('silent'), db, defaultMetrics: false });
  const vrm = createApp(services, routes);
  return {
    ...vrm,
    services,
    config,
    async close() {
      await services.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** JSON request helpers over `app.request()`. */
export function client(app: VrmApp['app']) {
  const call = async (
    method: string,
    url: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ) => {
    const res = await app.request(url, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json, text, headers: res.headers };
  };
  return {
    call,
    get: (url: string, token?: string) => call('GET', url, undefined, token),
    post: (url: string, body: unknown, token?: string) => call('POST', url, body, token),
    put: (url: string, body: unknown, token?: string) => call('PUT', url, body, token),
    patch: (url: string, body: unknown, token?: string) => call('PATCH', url, body, token),
    delete: (url: string, token?: string) => call('DELETE', url, undefined, token),
  };
}

let counter = 0;
/** Signs up a fresh user and organization; returns the session. */
export async function signup(app: VrmApp['app'], organization = 'Org') {
  counter += 1;
  const email = `user${counter}-${randomBytes(3).toString('hex')}@example.com`;
  const res = await client(app).post('/v1/auth/signup', {
    email,
    password: 'correct horse battery',
    organization,
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return { ...res.body, email, password: 'correct horse battery' } as {
    token: string;
    refreshToken: string;
    email: string;
    password: string;
    user: { id: string };
    organization: { id: string; name: string };
  };
}
