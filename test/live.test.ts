import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../runtime/src/kernel/config.js';
import { createLogger } from '../runtime/src/kernel/logger.js';
import { type RunningServer, startServer } from '../runtime/src/server.js';

const secretKey = randomBytes(32).toString('base64');
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function start(env: Record<string, string>): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-live-'));
  const running = await startServer({
    config: loadConfig({
      PORT: '0',
      VRM_DATA_DIR: dataDir,
      VRM_SECRET_KEY: secretKey,
      VRM_PASSWORD_COST: '10',
      ...env,
    }),
    log: createLogger('silent'),
  });
  cleanups.push(async () => {
    await running.stop(1000);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return running;
}

async function signup(url: string) {
  const res = await fetch(`${url}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `live-${randomBytes(4).toString('hex')}@example.com`,
      password: 'correct horse battery',
      organization: 'Live',
    }),
  });
  return (await res.json()) as { token: string; organization: { id: string } };
}

/** A /v1/live client that collects every message. */
async function liveClient(url: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/live`);
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waitFor = async (predicate: (m: any) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const found = messages.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no such message; got ${JSON.stringify(messages)}`);
  };
  return { ws, messages, closed, waitFor, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

function recordCall(server: RunningServer, organizationId: string, types: string[]) {
  const callId = server.services.traces.startCall({
    organizationId,
    agentId: null,
    agentVersion: null,
    channel: 'text',
  });
  for (const type of types)
    server.services.traces.recordEvent(callId, { type, turnId: 1, at: Date.now(), data: { type } });
  return callId;
}

describe('live call events on /v1/live', () => {
  it('streams a call’s events to a subscriber of its organization, and only to it', async () => {
    const server = await start({});
    const a = await signup(server.url);
    const b = await signup(server.url);
    const watcherA = await liveClient(server.url);
    const watcherB = await liveClient(server.url);
    watcherA.send({ type: 'auth', token: a.token });
    watcherB.send({ type: 'auth', token: b.token });
    await watcherA.waitFor((m) => m.type === 'ready');
    await watcherB.waitFor((m) => m.type === 'ready');
    watcherA.send({ type: 'subscribe' });
    watcherB.send({ type: 'subscribe' });
    await watcherA.waitFor((m) => m.type === 'subscribed');
    await watcherB.waitFor((m) => m.type === 'subscribed');

    const callId = recordCall(server, a.organization.id, [
      'call.started',
      'transcript.final',
      'llm.first_token',
    ]);
    await server.services.traces.flush();
    const batch = await watcherA.waitFor((m) => m.type === 'events');
    expect(batch.callId).toBe(callId);
    expect(batch.events.map((e: { type: string }) => e.type)).toEqual([
      'call.started',
      'transcript.final',
      'llm.first_token',
    ]);
    expect(batch.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 200));
    expect(watcherB.messages.filter((m) => m.type === 'events')).toEqual([]);

    watcherA.ws.close();
    watcherB.ws.close();
  });

  it('refuses a bad token and malformed messages with a clear error', async () => {
    const server = await start({});
    const client = await liveClient(server.url);
    client.send({ type: 'subscribe', callId: 'not-a-uuid' });
    const invalid = await client.waitFor((m) => m.type === 'error');
    expect(invalid.message).toContain('callId');
    client.send({ type: 'auth', token: 'garbage' });
    expect(await client.closed).toBe(4401);
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    'fans events out across processes sharing one PostgreSQL',
    async () => {
      const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
      const name = `vrm_live_${randomBytes(4).toString('hex')}`;
      await admin.unsafe(`create database ${name}`);
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      cleanups.push(async () => {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      });
      const one = await start({ DATABASE_URL: url.toString() });
      const two = await start({ DATABASE_URL: url.toString() });
      const org = await signup(one.url);
      const watcher = await liveClient(two.url);
      watcher.send({ type: 'auth', token: org.token });
      await watcher.waitFor((m) => m.type === 'ready');
      const callId = recordCall(one, org.organization.id, ['call.started']);
      watcher.send({ type: 'subscribe', callId });
      await watcher.waitFor((m) => m.type === 'subscribed');
      await one.services.traces.flush();
      const batch = await watcher.waitFor((m) => m.type === 'events');
      expect(batch.callId).toBe(callId);
      watcher.ws.close();
    },
  );
});
