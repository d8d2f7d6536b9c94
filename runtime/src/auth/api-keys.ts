import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'vrm_';

/**
 * API keys are 32 random bytes, so a fast hash is enough to store them (nothing to brute-force);
 * the plaintext is returned once, at creation.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, PREFIX.length + 6), hash: hashToken(key) };
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(PREFIX);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
