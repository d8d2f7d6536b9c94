import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { ROLES } from '../db/schema.js';
import { VrmError } from '../errors.js';

const ISSUER = 'vrm';
const AUDIENCE = 'vrm-api';

const AccessClaimsSchema = z.object({
  sub: z.string().uuid(),
  org: z.string().uuid(),
  role: z.enum(ROLES),
  typ: z.literal('access'),
});

export type AccessClaims = z.infer<typeof AccessClaimsSchema>;

/** Short-lived access tokens: HS256 with a key derived from the master key; nothing else accepted. */
export class AccessTokens {
  readonly #key: Uint8Array;
  readonly #ttlSeconds: number;

  constructor(key: Uint8Array, ttlSeconds: number) {
    this.#key = key;
    this.#ttlSeconds = ttlSeconds;
  }

  get ttlSeconds(): number {
    return this.#ttlSeconds;
  }

  sign(claims: Omit<AccessClaims, 'typ'>): Promise<string> {
    return new SignJWT({ org: claims.org, role: claims.role, typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.#ttlSeconds}s`)
      .sign(this.#key);
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      return AccessClaimsSchema.parse(payload);
    } catch (error) {
      const message = error instanceof errors.JWTExpired ? 'Access token expired' : 'Invalid access token';
      throw new VrmError('unauthorized', message, { status: 401, cause: error });
    }
  }
}
