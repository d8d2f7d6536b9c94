import { Secret, TOTP } from 'otpauth';

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), the parameters every authenticator app supports. */
function totp(secretBase32: string, label = 'VRM'): TOTP {
  return new TOTP({
    issuer: 'VRM',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secretBase32: string, account: string): string {
  return totp(secretBase32, account).toString();
}

/** Accepts the current code and one period either side, for clock drift. */
export function verifyTotp(secretBase32: string, code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totp(secretBase32).validate({ token: code, window: 1 }) !== null;
}

export function currentTotp(secretBase32: string, timestamp = Date.now()): string {
  return totp(secretBase32).generate({ timestamp });
}
