/**
 * The one authorization point: `guarded(api, ...)` is the MilvusApi a caller gets from
 * `SextantService.as(ctx)` when auth is on. Every operation first applies its rule from RULES (the
 * privilege table), with aliases resolved to their collection and the database taken from the
 * request (else the caller's), then runs as `ctx`; list operations are narrowed to what the caller
 * may see, and describing a collection or database the caller may not see answers 1401. Denial is
 * AccessError 7 with Milvus' message.
 */
import { accessErrors, rbacErrors } from '../../core/errors.js';
import type { MilvusApi } from '../api.js';
import type { CollectionListEntry, DatabaseInfo } from '../types.js';
import { isAllowed, isSuperuser, visibleCollections, visibleDatabases, type RequestObject } from './authorize.js';
import type { RbacCatalog } from './catalog.js';
import { RULES, type Operation, type Rule } from './rules.js';
import type { RequestContext } from './types.js';

/** The collection an (alias) name refers to in a database, or the name itself. */
export type NameResolver = (db: string, name: string) => string;

type OperationFn = (req: unknown, ctx?: RequestContext) => Promise<unknown>;

function member(req: unknown, key: string): unknown {
  return typeof req === 'object' && req !== null ? (req as Record<string, unknown>)[key] : undefined;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The names a rule checks: one (`*` when absent or empty) or each element of a list member. */
function namesOf(rule: Extract<Rule, { kind: 'check' }>, req: unknown): string[] {
  if (rule.nameFrom === undefined) return ['*'];
  const v = member(req, rule.nameFrom);
  if (Array.isArray(v)) return v.map(text);
  const s = text(v);
  return [s === '' ? '*' : s];
}

class Guard {
  constructor(
    private readonly catalog: RbacCatalog,
    private readonly ctx: RequestContext,
    private readonly resolve: NameResolver,
  ) {}

  get callerDb(): string { return this.ctx.dbName !== undefined && this.ctx.dbName !== '' ? this.ctx.dbName : 'default'; }

  dbOf(req: unknown): string {
    const own = text(member(req, 'dbName'));
    return own !== '' ? own : this.callerDb;
  }

  check(op: Operation, req: unknown): void {
    const rule = RULES[op];
    if (rule.kind !== 'check') return;
    const db = rule.contextDb === true ? this.callerDb : this.dbOf(req);
    const names = namesOf(rule, req);
    const deny = () => accessErrors.permissionDenied(rule.privilege, this.ctx.user, db);
    if (names.length === 0 && !isSuperuser(this.catalog, this.ctx.user)) throw deny();
    for (const raw of names) {
      const name = rule.object === 'Collection' && raw !== '*' ? this.resolve(db, raw) : raw;
      const obj: RequestObject = { objectType: rule.object, db, name };
      if (!isAllowed(this.catalog, this.ctx.user, obj, rule.privilege)) throw deny();
    }
    if (op === 'describeCollection') this.requireVisibleCollection(req);
    if (op === 'describeDatabase') this.requireVisibleDatabase(req);
  }

  /**
   * DescribeDatabase of a database the caller's grants do not name: 1401, as Milvus'
   * describe_db_task (checked before the database is looked up, so a missing one answers the same).
   */
  private requireVisibleDatabase(req: unknown): void {
    const db = this.dbOf(req);
    const visible = visibleDatabases(this.catalog, this.ctx.user);
    if (visible !== 'all' && !visible.has(db)) throw rbacErrors.notPermitted(`not allowed to access database, db name: ${db}`);
  }

  /** DescribeCollection of a collection the caller's grants do not name: 1401, as Milvus. */
  private requireVisibleCollection(req: unknown): void {
    const db = this.dbOf(req);
    const visible = visibleCollections(this.catalog, this.ctx.user, db);
    const name = this.resolve(db, text(member(req, 'collectionName')));
    if (visible !== 'all' && !visible.has(name)) {
      throw rbacErrors.notPermitted(`not allowed to access collection, collection name: ${text(member(req, 'collectionName'))}`);
    }
  }

  narrow(op: Operation, req: unknown, out: unknown): unknown {
    if (op === 'listDatabases') {
      const visible = visibleDatabases(this.catalog, this.ctx.user);
      return visible === 'all' ? out : (out as DatabaseInfo[]).filter((d) => visible.has(d.dbName));
    }
    if (op === 'listCollections') {
      const visible = visibleCollections(this.catalog, this.ctx.user, this.dbOf(req));
      return visible === 'all' ? out : (out as CollectionListEntry[]).filter((c) => visible.has(c.name));
    }
    return out;
  }
}

export function guarded(api: MilvusApi, catalog: RbacCatalog, ctx: RequestContext, resolve: NameResolver): MilvusApi {
  const guard = new Guard(catalog, ctx, resolve);
  const view: Record<string, unknown> = {
    version: () => api.version(),
    checkHealth: () => api.checkHealth(),
    allocTimestamp: (count?: number) => api.allocTimestamp(count),
    close: () => api.close(),
    authEnabled: () => api.authEnabled(),
    authenticate: (user: string, password: string, opts?: { fastOnly?: boolean }) => api.authenticate(user, password, opts),
    as: (other: RequestContext) => api.as(other),
    authorize: (op: keyof MilvusApi, target: unknown) => { if (op in RULES) guard.check(op as Operation, target); },
  };
  for (const op of Object.keys(RULES) as Operation[]) {
    const target = api[op] as unknown as OperationFn;
    view[op] = async (req: unknown): Promise<unknown> => {
      guard.check(op, req);
      return guard.narrow(op, req, await target.call(api, req, ctx));
    };
  }
  return view as unknown as MilvusApi;
}
