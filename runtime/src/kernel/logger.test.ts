import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

describe('logger', () => {
  it('redacts passwords, tokens, API keys and authorization headers wherever they appear', () => {
    const { lines, log } = capture();
    log.info(
      {
        password: 'hunter2-password',
        body: { password: 'nested-password', apiKey: 'sk-live-123' },
        req: { headers: { authorization: 'Bearer eyJsecret' } },
        token: 'refresh-abc',
      },
      'signup',
    );
    const line = lines.join('');
    for (const secret of ['hunter2-password', 'nested-password', 'sk-live-123', 'eyJsecret', 'refresh-abc']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
    expect(JSON.parse(line).msg).toBe('signup');
  });
});

describe('request ids in logs', () => {
  it('stamps every line written inside a request with its id', async () => {
    const { requestContext } = await import('./request-context.js');
    const { lines, log } = capture();
    await requestContext.run({ requestId: 'req-123' }, async () => {
      await Promise.resolve();
      log.child({ component: 'auth' }).warn('deep inside a service');
    });
    log.info('outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-123', component: 'auth' });
    expect(JSON.parse(lines[1]!).requestId).toBeUndefined();
  });
});
