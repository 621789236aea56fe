/**
 * Bounded retries with exponential backoff for calls to a remote store. Retried: network failures
 * (no HTTP status), timeouts, 5xx and 429 answers. Anything else (4xx: no such key, bad request,
 * denied) is the caller's error and is thrown at once. Past the budget: a retriable `remoteUnavailable`.
 */
import { errors, MilvusError } from '../../core/errors.js';

export interface RetryPolicy {
  budgetMs: number;
  /** Named in the error (`S3`, `etcd`). */
  store: string;
  firstBackoffMs?: number;
  maxBackoffMs?: number;
}

function httpStatus(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const meta = (e as { $metadata?: unknown }).$metadata;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const status = (meta as { httpStatusCode?: unknown }).httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function retriable(e: unknown): boolean {
  if (e instanceof MilvusError) return false;
  const status = httpStatus(e);
  return status === undefined || status >= 500 || status === 429 || status === 408;
}

export async function withRetry<T>(policy: RetryPolicy, what: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + policy.budgetMs;
  let backoffMs = policy.firstBackoffMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!retriable(e)) throw e;
      if (Date.now() + backoffMs > deadline) {
        const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        throw errors.remoteUnavailable(policy.store, `${what} failed ${attempt} times in ${policy.budgetMs} ms; last: ${why}`);
      }
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(policy.maxBackoffMs ?? 2000, backoffMs * 2);
    }
  }
}
