/**
 * Consistency levels on a query node (issue #14), as Milvus' proxy turns them into a guarantee
 * timestamp (parseGuaranteeTsFromConsistency): Strong = now (the TSO's current time), Bounded = now
 * minus the graceful time (Milvus' default 5 s), Eventually = no wait, Session and Customized = the
 * request's `guarantee_timestamp` (the client's last write). A Session read without one waits as a
 * Strong read: the node cannot know the client's last write, and the tail of the log covers it.
 * The read is served once the follower's `safeTs` reaches that timestamp (follower.ts), or fails with
 * code 1 (retriable) after `waitMs`. A request without a level uses its collection's.
 */
import { ConsistencyLevel } from '../core/enums.js';
import { dbNameOf, findCollection } from '../service/resolve.js';
import type { MilvusApi } from '../service/api.js';
import type { SextantService } from '../service/service.js';
import type { RequestContext } from '../service/auth/types.js';
import { tsAt, type Follower } from './follower.js';

export interface ConsistencySettings {
  /** Bounded staleness (Milvus' common.gracefulTime, 5000 ms). */
  gracefulTimeMs: number;
  /** How long a read may wait for the log before it fails. */
  waitMs: number;
}

interface ReadTarget { dbName?: string; collectionName?: string; consistencyLevel?: number; guaranteeTimestamp?: bigint }

function readTarget(req: unknown): ReadTarget {
  if (typeof req !== 'object' || req === null) return {};
  const r = req as Record<string, unknown>;
  const out: ReadTarget = {};
  if (typeof r['dbName'] === 'string') out.dbName = r['dbName'];
  if (typeof r['collectionName'] === 'string') out.collectionName = r['collectionName'];
  if (typeof r['consistencyLevel'] === 'number') out.consistencyLevel = r['consistencyLevel'];
  if (typeof r['guaranteeTimestamp'] === 'bigint') out.guaranteeTimestamp = r['guaranteeTimestamp'];
  return out;
}

/** The timestamp a read must see applied, or null for none (Eventually). */
export function requiredTs(level: number, guarantee: bigint | undefined, nowMs: number, gracefulTimeMs: number): bigint | null {
  switch (level) {
    case ConsistencyLevel.Eventually: return null;
    case ConsistencyLevel.Bounded: return tsAt(nowMs - gracefulTimeMs);
    case ConsistencyLevel.Session:
    case ConsistencyLevel.Customized: return guarantee !== undefined && guarantee > 0n ? guarantee : tsAt(nowMs);
    default: return tsAt(nowMs);
  }
}

async function barrier(f: Follower, req: unknown, s: ConsistencySettings): Promise<void> {
  const t = readTarget(req);
  let level = t.consistencyLevel;
  if (level === undefined && t.collectionName !== undefined) {
    const engine = f.current.engine;
    const db = dbNameOf({ ...(t.dbName !== undefined ? { dbName: t.dbName } : {}) });
    level = engine.databases.has(db) ? findCollection(engine, db, t.collectionName)?.meta.consistencyLevel : undefined;
  }
  const ts = requiredTs(level ?? ConsistencyLevel.Bounded, t.guaranteeTimestamp, Date.now(), s.gracefulTimeMs);
  if (ts !== null) await f.waitFor(ts, s.waitMs);
}

const READS = new Set<string | symbol>(['search', 'query', 'hybridSearch']);

/** `api`'s reads wait for consistency first; the other members pass through. */
function withBarrier<A extends object>(current: () => A, f: Follower, s: ConsistencySettings, onAs: (ctx: RequestContext) => MilvusApi): A {
  return new Proxy(current(), {
    get: (_target, prop) => {
      const api = current();
      if (prop === 'as') return onAs;
      const member: unknown = Reflect.get(api, prop, api);
      if (typeof member !== 'function') return member;
      if (!READS.has(prop)) return (...args: unknown[]) => Reflect.apply(member, api, args);
      return async (...args: unknown[]) => {
        await barrier(f, args[0], s);
        const now = current();
        return Reflect.apply(Reflect.get(now, prop, now) as (...a: unknown[]) => unknown, now, args);
      };
    },
  });
}

/**
 * The service a query node serves: always the follower's current one (engines are replaced when
 * the catalog moves), reads behind the consistency barrier, also for authenticated callers' views.
 */
export function followingService(f: Follower, s: ConsistencySettings): SextantService {
  const asCaller = (ctx: RequestContext): MilvusApi => withBarrier(() => f.current.as(ctx), f, s, (inner) => f.current.as(inner));
  return withBarrier(() => f.current, f, s, asCaller);
}
