import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `vrm start` as an operator would, on a free port, and waits for it to listen. */
async function startVrm(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/vrm.mjs'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', VRM_LOG_LEVEL: 'info', VRM_PASSWORD_COST: '10', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = out.split('\n').find((l) => l.includes('VRM is listening'));
      if (line) {
        clearInterval(timer);
        resolve(JSON.parse(line).url);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`vrm start exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out, exited };
}

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...init?.headers },
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('vrm start', () => {
  it('serves /health on PGlite, keeps data across a restart and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-start-'));
    dirs.push(dataDir);
    const first = await startVrm({ VRM_DATA_DIR: dataDir });
    const health = await json(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', database: 'pglite' });
    expect(health.headers.get('x-request-id')).toBeTruthy();

    const password = 'correct horse battery staple';
    const signup = await json(`${first.url}/v1/auth/signup`, {
      method: 'POST',
      body: JSON.stringify({ email: 'restart@example.com', password, organization: 'Restart Co' }),
    });
    expect(signup.status).toBe(201);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).not.toContain(password);
    expect(first.output()).toContain('"requestId"');

    const second = await startVrm({ VRM_DATA_DIR: dataDir });
    const login = await json(`${second.url}/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ email: 'restart@example.com', password }),
    });
    expect(login.status).toBe(200);
    expect(login.body.organization.name).toBe('Restart Co');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('finishes a request in flight when SIGTERM arrives', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-drain-'));
    dirs.push(dataDir);
    // A costly password hash keeps the signup in flight long enough to overlap the signal.
    const vrm = await startVrm({ VRM_DATA_DIR: dataDir, VRM_PASSWORD_COST: '16' });
    const inFlight = json(`${vrm.url}/v1/auth/signup`, {
      method: 'POST',
      body: JSON.stringify({
        email: 'drain@example.com',
        password: 'correct horse battery',
        organization: 'Drain',
      }),
    });
    await new Promise((r) => setTimeout(r, 100));
    vrm.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(201);
    expect(await vrm.exited).toBe(0);
  });

  it.runIf(process.env.TEST_DATABASE_URL)('reports "postgres" when DATABASE_URL is set', async () => {
    const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    const name = `vrm_start_${randomBytes(4).toString('hex')}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-pg-'));
    dirs.push(dataDir);
    try {
      const vrm = await startVrm({ DATABASE_URL: url.toString(), VRM_DATA_DIR: dataDir });
      const health = await json(`${vrm.url}/health`);
      expect(health.body).toMatchObject({ status: 'ok', database: 'postgres' });
      vrm.child.kill('SIGTERM');
      expect(await vrm.exited).toBe(0);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
