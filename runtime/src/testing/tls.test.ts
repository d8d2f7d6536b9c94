import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { setupTestTls, TEST_TLS_CERT_ENV, TEST_TLS_KEY_ENV } from './tls.js';

const keys = ['NODE_EXTRA_CA_CERTS', TEST_TLS_CERT_ENV, TEST_TLS_KEY_ENV] as const;
const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of keys) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('setupTestTls (vitest globalSetup)', () => {
  it('writes a certificate, points NODE_EXTRA_CA_CERTS at it and removes it on teardown', () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    const teardown = setupTestTls();
    const certPath = process.env[TEST_TLS_CERT_ENV]!;
    expect(process.env.NODE_EXTRA_CA_CERTS).toBe(certPath);
    expect(readFileSync(certPath, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(readFileSync(process.env[TEST_TLS_KEY_ENV]!, 'utf8')).toContain('PRIVATE KEY');
    teardown();
    expect(existsSync(certPath)).toBe(false);
  });

  it('keeps certificates the developer already trusts in the bundle', () => {
    const first = setupTestTls();
    const earlier = process.env.NODE_EXTRA_CA_CERTS!;
    const second = setupTestTls();
    const bundle = readFileSync(process.env.NODE_EXTRA_CA_CERTS!, 'utf8');
    expect(bundle).toContain(readFileSync(earlier, 'utf8').trim());
    expect(bundle).toContain(readFileSync(process.env[TEST_TLS_CERT_ENV]!, 'utf8').trim());
    second();
    first();
  });
});
