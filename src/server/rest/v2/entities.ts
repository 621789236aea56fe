/** REST v2 `entities/*` writes and point reads: insert, upsert, delete, query, get. */
import { insertOptions, rowsToBatch, rowsToPartialBatch } from '../../../schema/rows.js';
import { fieldOpsFromWire } from '../../../service/partial-upsert.js';
import { idsFilter } from '../../../service/sdk-values.js';
import type { InsertRequest, TemplateValues } from '../../../service/types.js';
import { isJsonObject } from '../args.js';
import { restErrors } from '../errors.js';
import { collectionOf, ok, type RestCall, type V2Result, type V2Table } from '../route.js';
import { pkList, queryRows } from '../values.js';
import { consistencyOfName } from './levels.js';
import { hybridSearch, search } from './search.js';

const DEFAULT_QUERY_LIMIT = 100;

/** `data`: a list of row objects, or one row object. */
function rowsOf(call: RestCall): Record<string, unknown>[] {
  const data = call.args.raw('data');
  if (data === undefined || data === null) throw restErrors.missingRequired('data');
  const list = Array.isArray(data) ? data : [data];
  return list.map((r, i) => {
    if (!isJsonObject(r)) throw restErrors.notJson(`data[${i}]: expected an object`);
    return r;
  });
}

async function write(call: RestCall, isUpsert: boolean): Promise<V2Result> {
  const s = collectionOf(call);
  const rows = rowsOf(call);
  const desc = await call.api.describeCollection(s);
  const ops = isUpsert ? fieldOpsFromWire(call.args.raw('fieldOps'), 'fieldName') : [];
  const partial = isUpsert && (call.args.optBool('partialUpdate') === true || ops.some((o) => o.op !== 'REPLACE'));
  const opts = insertOptions(desc.properties, isUpsert);
  const batch = partial ? rowsToPartialBatch(desc.schema, rows, opts) : rowsToBatch(desc.schema, rows, opts);
  const partitionName = call.args.optStr('partitionName');
  const req: InsertRequest = { ...s, numRows: batch.numRows, columns: batch.columns, ...(partitionName ? { partitionName } : {}) };
  if (partial) req.partialUpdate = true;
  if (ops.length > 0) req.fieldOps = ops;
  if (isUpsert) {
    const r = await call.api.upsert(req);
    return ok({ upsertCount: r.upsertCount, upsertIds: pkList(r.ids) });
  }
  const r = await call.api.insert(req);
  return ok({ insertCount: r.insertCount, insertIds: pkList(r.ids) });
}

export function templateValuesOf(call: RestCall): TemplateValues | undefined {
  const o = call.args.optObject('exprParams');
  return o === undefined ? undefined : o.body;
}

/** `id`: one primary key or a list of them. */
async function idFilter(call: RestCall): Promise<string> {
  const raw = call.args.raw('id');
  const ids = Array.isArray(raw) ? raw : [raw];
  const list = ids.map((x, i) => {
    if (typeof x === 'bigint') return String(x);
    if (typeof x !== 'number' && typeof x !== 'string') throw restErrors.notJson(`id[${i}]: expected a number or a string`);
    return x;
  });
  const desc = await call.api.describeCollection(collectionOf(call));
  return idsFilter(desc.schema, list);
}

/** Query; `byIds` (get) has no default limit. */
async function query(call: RestCall, filter: string, byIds: boolean): Promise<V2Result> {
  const a = call.args;
  const outputFields = a.strList('outputFields');
  const fields = outputFields.length > 0 ? outputFields : ['*'];
  const isCount = fields.some((f) => f.trim().toLowerCase() === 'count(*)');
  const limit = a.optInt('limit') ?? (isCount || byIds ? undefined : DEFAULT_QUERY_LIMIT);
  const offset = a.optInt('offset');
  const templateValues = templateValuesOf(call);
  const level = consistencyOfName(a.optStr('consistencyLevel'));
  const r = await call.api.query({
    ...collectionOf(call),
    filter,
    outputFields: fields,
    partitionNames: a.strList('partitionNames'),
    ...(limit !== undefined ? { limit } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(templateValues ? { templateValues } : {}),
    ...(level !== undefined ? { consistencyLevel: level } : {}),
  });
  return ok(queryRows(r));
}

export const entityRoutes: V2Table = {
  'entities/insert': (call) => write(call, false),
  'entities/upsert': (call) => write(call, true),
  'entities/delete': async (call) => {
    const filter = call.args.optStr('filter') || (call.args.has('id') ? await idFilter(call) : '');
    if (filter === '') throw restErrors.missingRequired('filter');
    const partitionName = call.args.optStr('partitionName');
    const templateValues = templateValuesOf(call);
    const r = await call.api.delete({
      ...collectionOf(call), filter, ...(partitionName ? { partitionName } : {}), ...(templateValues ? { templateValues } : {}),
    });
    return ok({ deleteCount: r.deleteCount });
  },
  'entities/query': (call) => query(call, call.args.optStr('filter') ?? '', false),
  'entities/get': async (call) => {
    if (!call.args.has('id')) throw restErrors.missingRequired('id');
    return query(call, await idFilter(call), true);
  },
  'entities/search': search,
  'entities/hybrid_search': hybridSearch,
  // The name Milvus 2.4's REST v2 gave hybrid search; 2.5+ still routes it.
  'entities/advanced_search': hybridSearch,
};
