/**
 * One authenticator per server, shared by gRPC, REST v2 and /api/v1: credentials -> the caller's
 * view of the service (`api.as(ctx)`), with failed logins rate-limited per source address.
 * When auth is off, credentials are ignored entirely and callers get the service as it is.
 */
import type { MilvusApi } from '../../service/api.js';
import type { Credentials } from './credentials.js';
import { LoginLimiter, type LoginLimiterOptions } from './limiter.js';

export interface CallerFacts {
  /** Reads the credentials; throws the transport's AccessError when they are missing or malformed. */
  credentials: () => Credentials;
  /** The database the request names (gRPC `dbname`, REST `dbName` / `DB-Name`), '' = default. */
  dbName?: string | undefined;
  deadlineMs?: number | undefined;
  /** Remote address, the key of the failed-login limit. */
  source: string;
}

export class Authenticator {
  private readonly limiter: LoginLimiter;
  private readonly open: { api: MilvusApi };

  constructor(private readonly api: MilvusApi, limits: LoginLimiterOptions = {}) {
    this.limiter = new LoginLimiter(limits);
    this.open = { api };
  }

  get enabled(): boolean {
    return this.api.authEnabled() === true;
  }

  /** The service as it is when auth is off (a transport then reads nothing off the call), else null. */
  openScope(): { api: MilvusApi } | null {
    return this.enabled ? null : this.open;
  }

  /**
   * The API as the caller (in a holder: an API object is never a promise's value, since a proxy or
   * any object with `then` would be taken for a thenable); throws AccessError (16) when auth is on
   * and the credentials fail.
   */
  async scope(facts: CallerFacts): Promise<{ api: MilvusApi }> {
    if (!this.enabled) return this.open;
    const { user, password } = facts.credentials();
    const blocked = this.limiter.blocked(facts.source);
    try {
      await this.api.authenticate(user, password, { fastOnly: blocked });
    } catch (e) {
      if (!blocked) this.limiter.failed(facts.source);
      throw e;
    }
    return {
      api: this.api.as({
        user,
        ...(facts.dbName !== undefined ? { dbName: facts.dbName } : {}),
        ...(facts.deadlineMs !== undefined ? { deadlineMs: facts.deadlineMs } : {}),
      }),
    };
  }
}
