/**
 * Failed logins cost the attacker, not everyone: each source address (IP) may fail
 * `maxFailures` times per `windowMs`; past that, logins from that source are refused for `lockMs`
 * without a bcrypt (with the same message as a wrong password), except credentials already verified
 * on this server, which pass on the fast path. Other sources are untouched. The table is bounded.
 */
export interface LoginLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  lockMs?: number;
  maxSources?: number;
}

interface SourceState { failures: number; windowStartMs: number; lockedUntilMs: number }

export class LoginLimiter {
  private readonly sources = new Map<string, SourceState>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockMs: number;
  private readonly maxSources: number;

  constructor(opts: LoginLimiterOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.lockMs = opts.lockMs ?? 60_000;
    this.maxSources = opts.maxSources ?? 10_000;
  }

  blocked(source: string, nowMs = Date.now()): boolean {
    const s = this.sources.get(source);
    return s !== undefined && s.lockedUntilMs > nowMs;
  }

  failed(source: string, nowMs = Date.now()): void {
    let s = this.sources.get(source);
    if (s === undefined || nowMs - s.windowStartMs > this.windowMs) {
      s = { failures: 0, windowStartMs: nowMs, lockedUntilMs: s?.lockedUntilMs ?? 0 };
      this.sources.delete(source);
      if (this.sources.size >= this.maxSources) {
        const oldest = this.sources.keys().next();
        if (oldest.done !== true) this.sources.delete(oldest.value);
      }
      this.sources.set(source, s);
    }
    s.failures++;
    if (s.failures >= this.maxFailures) s.lockedUntilMs = nowMs + this.lockMs;
  }
}
