/** Write RPCs: Insert, Upsert, Delete. */
import { DataType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { Engine } from '../engine/engine.js';
import { DEFAULT_PARTITION } from '../engine/engine.js';
import type { PartitionRuntime } from '../engine/partition.js';
import type { PrimaryKey } from '../engine/pk.js';
import { pksFromList } from '../engine/pk.js';
import { matchRows } from '../engine/read.js';
import { compileFilter, extractPkTerms } from '../expr/index.js';
import type { Column } from '../schema/column.js';
import { takeRows } from '../schema/ops.js';
import { insertOptions, validateBatch } from '../schema/rows.js';
import { isExternal } from '../schema/external.js';
import { isPartitionKeyMode, requireCollection, requirePartition } from './resolve.js';
import { computeFunctionOutputs } from '../schema/functions.js';
import { isPartialUpsert, mergePartialUpsert, resolveFieldOps } from './partial-upsert.js';
import type * as T from './types.js';

export interface PreparedWrite {
  c: CollectionRuntime;
  numRows: number;
  columns: Map<string, Column>;
  pks: T.PrimaryKeys;
  parts: { partitionId: number; numRows: number; columns: Map<string, Column> }[];
}

/** An external collection's rows come only from a refresh (schema/external.ts). */
export function refuseExternal(c: CollectionRuntime, operation: string): void {
  if (isExternal(c.meta.schema)) throw errors.invalidParameter(`${operation} is not supported on external collection ${c.name}: its rows come from its external source by RefreshExternalCollection`);
}

function prepare(engine: Engine, req: T.InsertRequest, isUpsert: boolean): PreparedWrite {
  const c = requireCollection(engine, req);
  refuseExternal(c, isUpsert ? 'upsert' : 'insert');
  const pkField = c.pkField;
  const batch = validateBatch(c.meta.schema, { numRows: req.numRows, columns: req.columns }, insertOptions(c.meta.properties, isUpsert));
  const columns = new Map(batch.columns);
  // Upsert on an autoID collection names the rows to replace by PK; the new rows get fresh IDs.
  if (isUpsert && pkField.autoId) columns.delete(pkField.name);
  return completeBatch(engine, c, batch.numRows, columns, req.partitionName);
}

/**
 * A validated batch made ready to write (insert, and bulk import's batches): function outputs,
 * auto IDs, and the partition of each row.
 */
export function completeBatch(engine: Engine, c: CollectionRuntime, n: number, columns: Map<string, Column>, partitionName: string | undefined): PreparedWrite {
  const pkField = c.pkField;
  if (n === 0) throw errors.invalidParameter('the num_rows should be greater than 0', { actual: 0 });
  // Function outputs (BM25 sparse rows) are computed here, before the WAL: replay reads them back.
  // A function type Sextant does not compute is refused before anything is logged.
  computeFunctionOutputs(c.meta.schema, columns, n);
  // Auto IDs come from the engine's clock: unique and increasing across restarts.
  if (!columns.has(pkField.name)) {
    const first = engine.clock.reserve(n);
    if (pkField.dataType === DataType.Int64) {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = first + BigInt(i);
      columns.set(pkField.name, { kind: 'int64', data, valid: null });
    } else {
      const data: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) data[i] = (first + BigInt(i)).toString();
      columns.set(pkField.name, { kind: 'varchar', data, valid: null });
    }
  }
  const pkCol = columns.get(pkField.name)!;
  const pks: T.PrimaryKeys = pkCol.kind === 'int64' ? { kind: 'int64', data: pkCol.data } : { kind: 'varchar', data: (pkCol as { data: string[] }).data };
  const parts = route(c, partitionName, n, columns);
  return { c, numRows: n, columns, pks, parts };
}

/** Which partition each row goes to: the named one, `_default`, or by partition-key hash. */
function route(c: CollectionRuntime, partitionName: string | undefined, n: number, columns: Map<string, Column>): PreparedWrite['parts'] {
  if (!isPartitionKeyMode(c)) {
    const p = requirePartition(c, partitionName && partitionName.length > 0 ? partitionName : DEFAULT_PARTITION);
    return [{ partitionId: p.meta.id, numRows: n, columns }];
  }
  if (partitionName && partitionName.length > 0 && partitionName !== DEFAULT_PARTITION) {
    throw errors.invalidParameter('not support manually specifying the partition names if partition key mode is used');
  }
  const keyField = c.meta.schema.fields.find((f) => f.isPartitionKey)!;
  const keyCol = columns.get(keyField.name);
  if (!keyCol) throw errors.invalidParameter(`partition key field ${keyField.name} is missing`);
  const ordered = [...c.partitions.values()].sort((a, b) => a.meta.id - b.meta.id);
  const rowsPer = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const h = hashKey(keyCol, i) % ordered.length;
    const pid = ordered[h]!.meta.id;
    let list = rowsPer.get(pid);
    if (!list) rowsPer.set(pid, (list = []));
    list.push(i);
  }
  const parts: PreparedWrite['parts'] = [];
  for (const [pid, rows] of rowsPer) {
    const cols = new Map<string, Column>();
    for (const [name, col] of columns) cols.set(name, takeRows(col, rows));
    parts.push({ partitionId: pid, numRows: rows.length, columns: cols });
  }
  return parts;
}

/** FNV-1a over the key's bytes; stable across runs so a key always lands in the same partition. */
function hashKey(col: Column, row: number): number {
  let h = 0x811c9dc5;
  const text = col.kind === 'int64' ? col.data[row]!.toString() : col.kind === 'varchar' ? col.data[row]! : '';
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export async function insert(engine: Engine, req: T.InsertRequest): Promise<T.MutationResult> {
  const w = prepare(engine, req, false);
  const ts = await engine.writer.write(w.c, { deletes: null, parts: w.parts });
  return { ids: w.pks, insertCount: w.numRows, upsertCount: 0, deleteCount: 0, timestamp: ts };
}

export async function upsert(engine: Engine, reqIn: T.InsertRequest): Promise<T.MutationResult> {
  const c = requireCollection(engine, reqIn);
  refuseExternal(c, 'upsert');
  // Merge mode reads the stored rows and writes whole rows, as an ordinary upsert of them.
  const req = isPartialUpsert(reqIn) ? mergePartialUpsert(c, reqIn) : (resolveFieldOps(c.meta.schema, reqIn), reqIn);
  const pkField = c.pkField;
  const given = req.columns.get(pkField.name);
  if (!given) throw errors.invalidParameter(`must assign pk when upsert, primary field: ${pkField.name}`);
  // The rows to replace are addressed by the given PKs; with autoID the new rows get fresh ones.
  const oldPks: T.PrimaryKeys = given.kind === 'int64' ? { kind: 'int64', data: given.data } : { kind: 'varchar', data: (given as { data: string[] }).data };
  const w = prepare(engine, req, true);
  const ts = await engine.writer.write(w.c, { deletes: { partitionId: -1, pks: oldPks }, parts: w.parts });
  return { ids: w.pks, insertCount: 0, upsertCount: w.numRows, deleteCount: 0, timestamp: ts };
}

export async function deleteRows(engine: Engine, req: T.DeleteRequest): Promise<T.MutationResult> {
  const c = requireCollection(engine, req);
  refuseExternal(c, 'delete');
  let scope: PartitionRuntime | null = null;
  if (req.partitionName && req.partitionName.length > 0) scope = requirePartition(c, req.partitionName);
  if (!req.filter || req.filter.trim().length === 0) throw errors.invalidParameter('delete expression should not be empty');
  const plan = compileFilter(req.filter, c.meta.schema, req.templateValues);
  const pkField = c.pkField;
  let pks: PrimaryKey[] | null = extractPkTerms(plan, c.meta.schema);
  if (pks === null) {
    // A general filter is evaluated over the data, which must be loaded (as in Milvus).
    const parts = scope ? [scope] : [...c.partitions.values()];
    if (!parts.every((p) => p.loaded)) throw errors.collectionNotLoaded(c.name);
    const chunks = c.chunksOf(parts);
    const refs = matchRows(chunks, plan);
    pks = [];
    for (let i = 0; i < refs.chunk.length; i++) pks.push(chunks[refs.chunk[i]!]!.chunk.pk(refs.row[i]!));
  }
  const kind = pkField.dataType === DataType.Int64 ? 'int64' : 'varchar';
  const list = pksFromList(kind, pks);
  const ts = pks.length === 0
    ? engine.clock.next()
    : await engine.writer.write(c, { deletes: { partitionId: scope ? scope.meta.id : -1, pks: list }, parts: [] });
  return { ids: list, insertCount: 0, upsertCount: 0, deleteCount: pks.length, timestamp: ts };
}
