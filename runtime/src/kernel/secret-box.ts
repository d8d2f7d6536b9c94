import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VrmError } from '../errors.js';
import type { Logger } from './logger.js';

const VERSION = 'v1';

/**
 * AES-256-GCM for secrets at rest (provider keys, MCP credentials, TOTP seeds). Each value is
 * bound to its context (organization and name) as additional authenticated data, so a ciphertext
 * copied onto another row or tenant fails to decrypt instead of leaking.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('The secret key must be 32 bytes');
    this.#key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'vrm secrets v1', 32));
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      body.toString('base64'),
    ].join(':');
  }

  decrypt(sealed: string, context: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined) {
      throw new VrmError('secret_corrupt', 'Stored secret has an unknown format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new VrmError(
        'secret_undecryptable',
        'Stored secret cannot be decrypted with the current VRM_SECRET_KEY',
        {
          cause,
        },
      );
    }
  }
}

/** Derives a purpose-specific key (e.g. for signing JWTs) from the master key. */
export function deriveKey(masterKey: Buffer, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', masterKey, Buffer.alloc(0), `vrm ${purpose}`, 32));
}

/**
 * The master key: `VRM_SECRET_KEY` (32 bytes as base64 or hex, or any passphrase of 32+
 * characters, stretched by SHA-256), else a key generated once into the data directory.
 */
export function loadMasterKey(options: {
  envValue: string | undefined;
  dataDir: string;
  log: Logger;
}): Buffer {
  const { envValue, dataDir, log } = options;
  if (envValue) return parseKey(envValue);
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return parseKey(readFileSync(file, 'utf8').trim());
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  log.warn(
    { file },
    'VRM_SECRET_KEY is not set: generated a new secret key into the data directory. Back it up, and set VRM_SECRET_KEY to the same value on every process that shares this database.',
  );
  return key;
}

function parseKey(value: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  const b64 = Buffer.from(value, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(value)) return b64;
  if (value.length >= 32) return createHash('sha256').update(value).digest();
  throw new Error(
    'VRM_SECRET_KEY must be 32 bytes in base64 or hex, or a passphrase of at least 32 characters',
  );
}
