import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '../auth/totp.js';
import type { Database } from '../db/client.js';
import { secrets, users } from '../db/schema.js';
import { deriveKey } from '../kernel/secret-box.js';
import {
  client,
  createTestApp,
  openTestDatabase,
  signup,
  type TestApp,
  testDrivers,
} from '../testing/harness.js';

function b64url(value: unknown) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe.each(testDrivers())('authentication on %s', (driver) => {
  let db: Database;
  let vrm: TestApp;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    db = await openTestDatabase(driver);
    vrm = await createTestApp(db, { SUPABASE_JWT_SECRET: 'supabase-test-secret-with-enough-length' });
    api = client(vrm.app);
  });
  afterAll(async () => {
    await vrm?.close();
    await db?.close();
  });

  it('signs up a user with an organization they own, and logs them in', async () => {
    const session = await signup(vrm.app, 'Acme Plumbing');
    expect(session.organization.name).toBe('Acme Plumbing');
    const me = await api.get('/v1/auth/me', session.token);
    expect(me.status).toBe(200);
    expect(me.body.principal.role).toBe('owner');
    const login = await api.post('/v1/auth/login', {
      email: session.email.toUpperCase(),
      password: session.password,
    });
    expect(login.status).toBe(200);
    expect(login.body.organization.id).toBe(session.organization.id);
  });

  it('refuses a second account with the same email with 409', async () => {
    const session = await signup(vrm.app);
    const again = await api.post('/v1/auth/signup', {
      email: session.email,
      password: 'another long password',
      organization: 'X',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
  });

  it('stores a password only as a memory-hard hash', async () => {
    const session = await signup(vrm.app);
    const [row] = await db.system((tx) => tx.select().from(users).where(eq(users.id, session.user.id)));
    expect(row!.passwordHash).toMatch(/^scrypt\$/);
    expect(row!.passwordHash).not.toContain(session.password);
  });

  it('answers 400 naming the field for an invalid body, and for malformed JSON', async () => {
    const bad = await api.post('/v1/auth/signup', {
      email: 'not-an-email',
      password: 'correct horse battery',
      organization: 'A',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('email');
    expect(bad.body.error.details[0].path).toBe('email');
    const unknown = await api.post('/v1/auth/login', { email: 'a@b.co', password: 'x', admin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('admin');
    const malformed = await api.call('POST', '/v1/auth/login', '{"email":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/JSON/);
  });

  it('answers 413 for a body over the limit', async () => {
    const huge = { email: 'a@b.co', password: 'x'.repeat(2_000_000), organization: 'A' };
    const res = await api.post('/v1/auth/signup', huge);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('rejects tampered, expired, alg:none and wrong-key tokens with 401', async () => {
    const session = await signup(vrm.app);
    const [header, payload, signature] = session.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());

    const tampered = `${header}.${b64url({ ...claims, role: 'owner', org: randomBytes(16).toString('hex') })}.${signature}`;
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const wrongKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(randomBytes(32));
    // Same key and claims as a real token, but its expiry is in the past.
    const expired = await new SignJWT({ org: claims.org, role: 'owner', typ: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer('vrm')
      .setAudience('vrm-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(deriveKey(Buffer.from(vrm.config.VRM_SECRET_KEY!, 'base64'), 'access tokens'));

    for (const [name, token] of Object.entries({ tampered, none, wrongKey, expired, garbage: 'abc.def' })) {
      const res = await api.get('/v1/members', token);
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe('unauthorized');
    }
    expect((await api.get('/v1/members', session.token)).status).toBe(200);
    expect((await api.get('/v1/members')).status).toBe(401);
  });

  it('locks an account after repeated failures and answers 429 with Retry-After', async () => {
    const session = await signup(vrm.app);
    for (let i = 0; i < 5; i++) {
      const res = await api.post('/v1/auth/login', { email: session.email, password: 'wrong password' });
      expect(res.status).toBe(401);
    }
    const locked = await api.post('/v1/auth/login', { email: session.email, password: session.password });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('account_locked');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const log = await api.get('/v1/audit-log?limit=20', session.token);
    const actions = log.body.entries.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === 'auth.login_failed')).toHaveLength(5);
    expect(actions).toContain('auth.locked');
  });

  it('rotates refresh tokens and revokes the family when one is reused', async () => {
    const session = await signup(vrm.app);
    const first = await api.post('/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(session.refreshToken);
    const reused = await api.post('/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(reused.status).toBe(401);
    const descendant = await api.post('/v1/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(descendant.status).toBe(401);
  });

  it('requires a TOTP code at login once two-factor authentication is on', async () => {
    const session = await signup(vrm.app);
    const setup = await api.post('/v1/auth/mfa/setup', {}, session.token);
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect((await api.post('/v1/auth/mfa/enable', { code: '000000' }, session.token)).status).toBe(400);
    const enabled = await api.post(
      '/v1/auth/mfa/enable',
      { code: currentTotp(setup.body.secret) },
      session.token,
    );
    expect(enabled.status).toBe(200);

    const withoutCode = await api.post('/v1/auth/login', {
      email: session.email,
      password: session.password,
    });
    expect(withoutCode.status).toBe(401);
    expect(withoutCode.body.error.code).toBe('mfa_required');
    const withCode = await api.post('/v1/auth/login', {
      email: session.email,
      password: session.password,
      totp: currentTotp(setup.body.secret),
    });
    expect(withCode.status).toBe(200);
    const [row] = await db.system((tx) => tx.select().from(users).where(eq(users.id, session.user.id)));
    expect(row!.mfaSecret).not.toContain(setup.body.secret);
  });

  it('authenticates API keys, shows them once and honours revocation', async () => {
    const session = await signup(vrm.app);
    const created = await api.post('/v1/api-keys', { name: 'ci', role: 'viewer' }, session.token);
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^vrm_/);
    const listed = await api.get('/v1/api-keys', session.token);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    expect((await api.get('/v1/members', created.body.key)).status).toBe(200);
    expect((await api.delete(`/v1/api-keys/${created.body.id}`, session.token)).status).toBe(204);
    expect((await api.get('/v1/members', created.body.key)).status).toBe(401);
  });

  it('keeps secrets encrypted at rest and never returns them', async () => {
    const session = await signup(vrm.app);
    const value = `sk-${randomBytes(12).toString('hex')}`;
    expect((await api.put('/v1/secrets/OPENAI_API_KEY', { value }, session.token)).status).toBe(200);
    const listed = await api.get('/v1/secrets', session.token);
    expect(listed.body.secrets.map((s: { name: string }) => s.name)).toEqual(['OPENAI_API_KEY']);
    expect(listed.text).not.toContain(value);
    const stored = await db.system((tx) =>
      tx.select().from(secrets).where(eq(secrets.organizationId, session.organization.id)),
    );
    expect(stored[0]!.ciphertext).not.toContain(value);
    expect(
      vrm.services.secretBox.decrypt(
        stored[0]!.ciphertext,
        `secret:${session.organization.id}:OPENAI_API_KEY`,
      ),
    ).toBe(value);
    const audit = await api.get('/v1/audit-log', session.token);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toContain('secret.set');
    expect(audit.text).not.toContain(value);
  });

  it('accepts Supabase-issued tokens and maps them to a user and organization', async () => {
    const token = await new SignJWT({ email: 'supa@example.com', role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(crypto.randomUUID())
      .setAudience('authenticated')
      .setIssuer('https://project.supabase.co/auth/v1')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('supabase-test-secret-with-enough-length'));
    const me = await api.get('/v1/auth/me', token);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('supa@example.com');
    expect(me.body.principal.role).toBe('owner');
    const again = await api.get('/v1/auth/me', token);
    expect(again.body.organization.id).toBe(me.body.organization.id);
    const forged = await new SignJWT({ email: 'supa@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(crypto.randomUUID())
      .setAudience('authenticated')
      .setExpirationTime('5m')
      .sign(randomBytes(32));
    expect((await api.get('/v1/auth/me', forged)).status).toBe(401);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a client exceeds the auth limit', async () => {
    const db = await openTestDatabase('pglite');
    const vrm = await createTestApp(db, { VRM_AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    const api = client(vrm.app);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await api.post('/v1/auth/login', { email: 'nobody@example.com', password: 'x' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const limited = await api.post('/v1/auth/login', { email: 'nobody@example.com', password: 'x' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await vrm.close();
    await db.close();
  });
});

describe('Supabase Auth without a local JWT secret', () => {
  it('asks Supabase (supabase-js auth.getUser) to check the token', async () => {
    const { createServer } = await import('node:http');
    // A JWT-shaped Supabase session token; only the fake Supabase knows whether it is good.
    const session = (sub: string) =>
      `${b64url({ alg: 'ES256', typ: 'JWT' })}.${b64url({ iss: 'https://x.supabase.co/auth/v1', sub })}.c2ln`;
    const good = session('good');
    const seen: Array<{ path: string; apikey: string | undefined }> = [];
    const gotrue = createServer((req, res) => {
      seen.push({ path: req.url ?? '', apikey: req.headers.apikey as string | undefined });
      if (req.url === '/auth/v1/user' && req.headers.authorization === `Bearer ${good}`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: '6a1c1f0e-8f0e-4d2b-9d55-0f5a0e1e2b3c',
            aud: 'authenticated',
            role: 'authenticated',
            email: 'remote@example.com',
            app_metadata: {},
            user_metadata: {},
            created_at: new Date().toISOString(),
          }),
        );
        return;
      }
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 401, error_code: 'bad_jwt', msg: 'invalid JWT' }));
    });
    await new Promise<void>((resolve) => gotrue.listen(0, '127.0.0.1', resolve));
    const port = (gotrue.address() as { port: number }).port;
    const db = await openTestDatabase('pglite');
    const vrm = await createTestApp(db, {
      SUPABASE_URL: `http://127.0.0.1:${port}`,
      SUPABASE_ANON_KEY: 'anon-key',
    });
    const api = client(vrm.app);

    const me = await api.get('/v1/auth/me', good);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe('remote@example.com');
    expect(seen.some((s) => s.path === '/auth/v1/user' && s.apikey === 'anon-key')).toBe(true);
    expect((await api.get('/v1/auth/me', session('forged'))).status).toBe(401);

    await vrm.close();
    await db.close();
    gotrue.close();
  });
});
