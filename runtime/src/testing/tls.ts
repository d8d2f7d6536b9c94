import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1/localhost and its private key, PEM-encoded. */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

/** Paths of a certificate written to disk by {@link writeTestCertificate}. */
export interface TestCertificateFiles {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** Env vars through which a parent process hands its certificate to the fakes in a child. */
export const TEST_TLS_CERT_ENV = 'VRM_TEST_TLS_CERT';
export const TEST_TLS_KEY_ENV = 'VRM_TEST_TLS_KEY';

let cached: TestCertificate | undefined;

/**
 * Generates a fresh self-signed certificate with the `openssl` CLI (present on the machines
 * this project targets; no package downloads a binary). EC P-256 keeps generation in the tens
 * of milliseconds. The certificate is its own CA, so trusting it (`ca` option or
 * NODE_EXTRA_CA_CERTS) makes `wss://127.0.0.1:PORT` verify normally.
 */
export function generateTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'vrm-tls-'));
  try {
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '7',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'pipe' },
    );
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } catch (error) {
    throw new Error('Could not generate a test TLS certificate: is the openssl CLI installed?', {
      cause: error,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The certificate the TLS fakes in this process serve. When {@link TEST_TLS_CERT_ENV} and
 * {@link TEST_TLS_KEY_ENV} name files (set by {@link setupTestTls} in a parent process, which
 * also put the cert in NODE_EXTRA_CA_CERTS), that pair is used so clients in this process trust
 * it with no extra option; otherwise one is generated once per process.
 */
export function getTestCertificate(): TestCertificate {
  if (cached) return cached;
  const certPath = process.env[TEST_TLS_CERT_ENV];
  const keyPath = process.env[TEST_TLS_KEY_ENV];
  if (certPath && keyPath && existsSync(certPath) && existsSync(keyPath)) {
    cached = { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } else {
    cached = generateTestCertificate();
  }
  return cached;
}

/** Writes a certificate (default: this process's) to a new temp directory. */
export function writeTestCertificate(certificate = getTestCertificate()): TestCertificateFiles {
  const dir = mkdtempSync(join(tmpdir(), 'vrm-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  writeFileSync(certPath, certificate.cert);
  writeFileSync(keyPath, certificate.key, { mode: 0o600 });
  return { dir, certPath, keyPath };
}

/**
 * Env for a child process (the runtime under test, a benchmark worker) whose TLS clients must
 * trust the fakes: NODE_EXTRA_CA_CERTS is read once at process start, so it only works for
 * processes started after it is set.
 */
export function testTlsEnv(files: TestCertificateFiles): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: files.certPath,
    [TEST_TLS_CERT_ENV]: files.certPath,
    [TEST_TLS_KEY_ENV]: files.keyPath,
  };
}

/**
 * Vitest `globalSetup` body: writes a certificate and sets the env vars in the main process
 * before Vitest forks its workers, so every worker starts with NODE_EXTRA_CA_CERTS and the
 * Cartesia fake in it serves the trusted certificate. Returns the teardown.
 * Used by `tls-global-setup.ts`.
 */
export function setupTestTls(): () => void {
  const files = writeTestCertificate(generateTestCertificate());
  const env = testTlsEnv(files);
  const previous = process.env.NODE_EXTRA_CA_CERTS;
  if (previous && existsSync(previous)) {
    // Keep whatever the developer already trusts (a corporate proxy CA, say).
    const bundle = join(files.dir, 'bundle.pem');
    writeFileSync(bundle, `${readFileSync(previous, 'utf8')}\n${readFileSync(files.certPath, 'utf8')}`);
    env.NODE_EXTRA_CA_CERTS = bundle;
  }
  Object.assign(process.env, env);
  return () => rmSync(files.dir, { recursive: true, force: true });
}
