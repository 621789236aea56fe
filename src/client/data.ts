/** Writes and point reads: insert, upsert, delete, deleteEntities, query, get, count. */
import type { CountReq, DeleteEntitiesReq, DeleteReq, GetReq, InsertReq, QueryReq, UpsertReq } from '@zilliz/milvus2-sdk-node';
import { insertOptions, rowsToBatch, rowsToPartialBatch } from '../schema/rows.js';
import { fieldOpsFromWire } from '../service/partial-upsert.js';
import type * as T from '../service/types.js';
import { type ClientContext, requireCollectionName, scoped } from './context.js';
import { DEFAULT_COUNT_QUERY_STRING, DEFAULT_DYNAMIC_FIELD, ERROR_REASONS } from './enums.js';
import { idsFilter, templateValuesOf } from './exprs.js';
import { formatValue } from './format.js';
import { doorOutputColumns } from '../service/sdk-values.js';
import { orderByOf } from './search-request.js';
import { answer, clientError, errorStatus, StatusError } from './status.js';
import type { CountResult, IDsResult, MutationResult, QueryResults, RowResult } from './types.js';

/** The collection description the SDK fetches before a write; a failure is thrown (the SDK throws it too). */
async function describeOrThrow(ctx: ClientContext, s: T.CollectionScoped): Promise<T.CollectionDescription> {
  try {
    return await ctx.service.describeCollection(s);
  } catch (e) {
    throw new StatusError(errorStatus(e));
  }
}

function idsResult(ids: T.PrimaryKeys): IDsResult {
  return ids.kind === 'int64'
    ? { int_id: { data: Array.from(ids.data, String) }, id_field: 'int_id' }
    : { str_id: { data: [...ids.data] }, id_field: 'str_id' };
}

function mutationBody(r: T.MutationResult, succeeded: number): Omit<MutationResult, 'status'> {
  return {
    IDs: idsResult(r.ids),
    succ_index: Array.from({ length: succeeded }, (_, i) => i),
    err_index: [],
    acknowledged: false,
    insert_cnt: String(r.insertCount),
    delete_cnt: String(r.deleteCount),
    upsert_cnt: String(r.upsertCount),
    timestamp: String(r.timestamp),
  };
}

function emptyMutation(): Omit<MutationResult, 'status'> {
  return { IDs: { int_id: { data: [] }, id_field: 'int_id' }, succ_index: [], err_index: [], acknowledged: false, insert_cnt: '0', delete_cnt: '0', upsert_cnt: '0', timestamp: '0' };
}

async function write(ctx: ClientContext, req: InsertReq | UpsertReq, isUpsert: boolean): Promise<MutationResult> {
  const s = scoped(ctx, req);
  const rows = req.fields_data ?? req.data;
  if (!Array.isArray(rows) || rows.length === 0) throw clientError(ERROR_REASONS.INSERT_CHECK_FIELD_DATA_IS_REQUIRED);
  const desc = await describeOrThrow(ctx, s);
  return answer(async () => {
    const ops = isUpsert ? fieldOpsFromWire((req as UpsertReq).field_ops, 'field_name') : [];
    const partial = isUpsert && ((req as UpsertReq).partial_update === true || ops.some((o) => o.op !== 'REPLACE'));
    const opts = insertOptions(desc.properties, isUpsert);
    const batch = partial ? rowsToPartialBatch(desc.schema, rows, opts) : rowsToBatch(desc.schema, rows, opts);
    const w: T.InsertRequest = { ...s, numRows: batch.numRows, columns: batch.columns, ...(req.partition_name ? { partitionName: req.partition_name } : {}) };
    if (partial) w.partialUpdate = true;
    if (ops.length > 0) w.fieldOps = ops;
    const r = isUpsert ? await ctx.service.upsert(w) : await ctx.service.insert(w);
    return mutationBody(r, batch.numRows);
  }, emptyMutation);
}

export const insert = (ctx: ClientContext, req: InsertReq): Promise<MutationResult> => write(ctx, req, false);
export const upsert = (ctx: ClientContext, req: UpsertReq): Promise<MutationResult> => write(ctx, req, true);

export async function deleteEntities(ctx: ClientContext, req: DeleteEntitiesReq): Promise<MutationResult> {
  const s = scoped(ctx, req);
  const filter = req.filter || req.expr;
  if (!filter) throw clientError(ERROR_REASONS.FILTER_EXPR_REQUIRED);
  const templateValues = templateValuesOf(req.exprValues);
  return answer(async () => {
    const r = await ctx.service.delete({ ...s, filter, ...(templateValues ? { templateValues } : {}), ...(req.partition_name ? { partitionName: req.partition_name } : {}) });
    return mutationBody(r, 0);
  }, emptyMutation);
}

/** Delete by `ids` (turned into `pk in [...]`) or by `filter` (which wins when both are given). */
export async function deleteRows(ctx: ClientContext, req: DeleteReq): Promise<MutationResult> {
  const s = scoped(ctx, req);
  let expr = '';
  if ('ids' in req && req.ids) expr = idsFilter((await describeOrThrow(ctx, s)).schema, req.ids);
  if ('filter' in req && req.filter) expr = req.filter;
  const del: DeleteEntitiesReq = {
    collection_name: s.collectionName,
    expr,
    ...(req.db_name ? { db_name: req.db_name } : {}),
    ...(req.partition_name ? { partition_name: req.partition_name } : {}),
    ...(req.exprValues ? { exprValues: req.exprValues } : {}),
  };
  return deleteEntities(ctx, del);
}

/** Result columns -> SDK rows; the dynamic field comes back whole under `$meta`, as the SDK shows it. */
export function rowsOf(result: T.QueryResult): RowResult[] {
  const rows: RowResult[] = [];
  const columns = doorOutputColumns(result.columns);
  for (let i = 0; i < result.numRows; i++) {
    const row: RowResult = {};
    for (const { field, column } of columns) row[field.isDynamic ? DEFAULT_DYNAMIC_FIELD : field.name] = formatValue(column, i);
    rows.push(row);
  }
  return rows;
}

export async function query(ctx: ClientContext, req: QueryReq): Promise<QueryResults> {
  const s = scoped(ctx, req);
  let idsExpr = '';
  if (req.ids && req.ids.length > 0) idsExpr = idsFilter((await describeOrThrow(ctx, s)).schema, req.ids);
  const templateValues = templateValuesOf(req.exprValues);
  const q: T.QueryRequest = {
    ...s,
    filter: req.filter || req.expr || idsExpr,
    outputFields: req.output_fields ?? ['*'],
    partitionNames: req.partition_names ?? [],
    ...(typeof req.limit === 'number' ? { limit: req.limit } : {}),
    ...(typeof req.offset === 'number' ? { offset: req.offset } : {}),
    ...(templateValues ? { templateValues } : {}),
  };
  const loose = req as unknown as Record<string, unknown>;
  const orderBy = orderByOf(loose['order_by_fields'] ?? loose['order_by']);
  if (orderBy !== undefined) q.orderBy = orderBy;
  if (typeof loose['timezone'] === 'string') q.timezone = loose['timezone'];
  return answer(async () => ({ data: rowsOf(await ctx.service.query(q)) }), () => ({ data: [] }));
}

export function get(ctx: ClientContext, req: GetReq): Promise<QueryResults> {
  return query(ctx, req);
}

export async function count(ctx: ClientContext, req: CountReq): Promise<CountResult> {
  const collection_name = requireCollectionName(req);
  const res = await query(ctx, {
    collection_name, expr: req.filter || req.expr || '', output_fields: [DEFAULT_COUNT_QUERY_STRING], ...(req.db_name ? { db_name: req.db_name } : {}),
  });
  const n = res.data[0]?.[DEFAULT_COUNT_QUERY_STRING];
  return { status: res.status, data: n === undefined ? 0 : Number(n) };
}
