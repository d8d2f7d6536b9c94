import type { Context, Handler, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { can, type Permission } from '../auth/rbac.js';
import { forbidden, unauthorized } from '../errors.js';
import type { AppEnv, Principal } from './context.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** `public`: no credential; `authenticated`: any member; otherwise the permission required. */
export type Access = Permission | 'public' | 'authenticated';

export interface RouteSpec {
  method: Uppercase<Method>;
  path: string;
  access: Access;
}

export function principalOf(c: Context): Principal {
  const principal = c.get('principal');
  if (!principal) throw unauthorized();
  return principal;
}

/** Resolves the request's credential; throws 401 when it is missing or invalid. */
export type Authenticate = (c: Context<AppEnv>) => Promise<Principal>;

export function requireAccess(access: Access, authenticate: Authenticate): MiddlewareHandler<AppEnv> {
  return async function requireAccessMiddleware(c, next) {
    if (access !== 'public') {
      const principal = await authenticate(c);
      c.set('principal', principal);
      if (access !== 'authenticated' && !can(principal.role, access)) {
        throw forbidden(`Your role (${principal.role}) cannot do this: it needs "${access}"`);
      }
    }
    await next();
  };
}

/**
 * A Hono router whose every route declares its access up front. The declarations are kept in
 * `specs`, which the RBAC tests walk, so a route without a rule cannot be added.
 */
export class ApiRouter {
  readonly app = new Hono<AppEnv>();
  readonly specs: RouteSpec[] = [];
  readonly #authenticate: Authenticate;

  constructor(authenticate: Authenticate) {
    this.#authenticate = authenticate;
  }

  #add(method: Method, path: string, access: Access, handler: Handler<AppEnv>) {
    this.specs.push({ method: method.toUpperCase() as Uppercase<Method>, path, access });
    this.app.on(method.toUpperCase(), path, requireAccess(access, this.#authenticate), handler);
    return this;
  }

  get(path: string, access: Access, handler: Handler<AppEnv>) {
    return this.#add('get', path, access, handler);
  }
  post(path: string, access: Access, handler: Handler<AppEnv>) {
    return this.#add('post', path, access, handler);
  }
  put(path: string, access: Access, handler: Handler<AppEnv>) {
    return this.#add('put', path, access, handler);
  }
  patch(path: string, access: Access, handler: Handler<AppEnv>) {
    return this.#add('patch', path, access, handler);
  }
  delete(path: string, access: Access, handler: Handler<AppEnv>) {
    return this.#add('delete', path, access, handler);
  }
}
