/** What the console shows of a collection, read through REST v2 and /metrics. */
import { v2 } from './api.js';
import { arr, bool, num, obj, str, type Json, type JsonObject } from './json.js';
import { sampleValue, type Samples } from './prom.js';

export interface FieldInfo {
  name: string;
  type: string;
  elementType: string;
  primaryKey: boolean;
  partitionKey: boolean;
  autoId: boolean;
  nullable: boolean;
  params: string;
}

export interface FunctionInfo { name: string; type: string; input: string[]; output: string[] }

export interface IndexInfo {
  indexName: string;
  fieldName: string;
  indexType: string;
  metricType: string;
  state: string;
  indexedRows: number;
  totalRows: number;
  failReason: string;
}

export interface PartitionInfo { name: string; rowCount: number; loadState: string; loadedBytes: number; growingBytes: number }

export interface CollectionSummary {
  name: string;
  rowCount: number;
  loadState: string;
  loadProgress: number;
  loadedBytes: number;
  growingBytes: number;
  fields: FieldInfo[];
  functions: FunctionInfo[];
  indexNames: string[];
  consistencyLevel: string;
  enableDynamicField: boolean;
}

export interface CollectionDetail { partitions: PartitionInfo[]; indexes: IndexInfo[] }

export const STATE_LABEL: Readonly<Record<string, string>> = {
  LoadStateLoaded: 'loaded', LoadStateNotLoad: 'released', LoadStateLoading: 'loading', LoadStateNotExist: 'missing',
};

export function stateLabel(state: string): string {
  return STATE_LABEL[state] ?? state;
}

function fieldOf(f: JsonObject): FieldInfo {
  const params = arr(f['params']).map((p) => `${str(obj(p)['key'])}=${str(obj(p)['value'])}`).join(', ');
  return {
    name: str(f['name']), type: str(f['type']), elementType: str(f['elementType']), primaryKey: bool(f['primaryKey']),
    partitionKey: bool(f['partitionKey']), autoId: bool(f['autoId']), nullable: bool(f['nullable']), params,
  };
}

function functionOf(f: JsonObject): FunctionInfo {
  const names = (v: Json | undefined): string[] => arr(v).map((x) => str(x));
  return { name: str(f['name']), type: str(f['type']), input: names(f['inputFieldNames']), output: names(f['outputFieldNames']) };
}

/** One collection of `dbName`: describe + row count + load state, memory from the metrics samples. */
export async function collectionSummary(dbName: string, name: string, samples: Samples): Promise<CollectionSummary> {
  const body = { dbName, collectionName: name };
  const [d, stats, load] = await Promise.all([
    v2('collections/describe', body), v2('collections/get_stats', body), v2('collections/get_load_state', body),
  ]);
  const desc = obj(d);
  const labels = { db: dbName, collection: name };
  return {
    name,
    rowCount: num(obj(stats)['rowCount']),
    loadState: str(obj(load)['loadState']),
    loadProgress: num(obj(load)['loadProgress']),
    loadedBytes: sampleValue(samples, 'sextant_collection_loaded_bytes', labels) ?? 0,
    growingBytes: sampleValue(samples, 'sextant_collection_growing_bytes', labels) ?? 0,
    fields: arr(desc['fields']).map((f) => fieldOf(obj(f))),
    functions: arr(desc['functions']).map((f) => functionOf(obj(f))),
    indexNames: arr(desc['indexes']).map((i) => str(obj(i)['indexName'])),
    consistencyLevel: str(desc['consistencyLevel']),
    enableDynamicField: bool(desc['enableDynamicField']),
  };
}

async function partitionInfo(dbName: string, collectionName: string, name: string, samples: Samples): Promise<PartitionInfo> {
  const body = { dbName, collectionName };
  const [stats, load] = await Promise.all([
    v2('partitions/get_stats', { ...body, partitionName: name }),
    v2('collections/get_load_state', { ...body, partitionNames: [name] }),
  ]);
  const labels = { db: dbName, collection: collectionName, partition: name };
  return {
    name, rowCount: num(obj(stats)['rowCount']), loadState: str(obj(load)['loadState']),
    loadedBytes: sampleValue(samples, 'sextant_partition_loaded_bytes', labels) ?? 0,
    growingBytes: sampleValue(samples, 'sextant_partition_growing_bytes', labels) ?? 0,
  };
}

function indexOf(i: JsonObject): IndexInfo {
  return {
    indexName: str(i['indexName']), fieldName: str(i['fieldName']), indexType: str(i['indexType']), metricType: str(i['metricType']),
    state: str(i['indexState']), indexedRows: num(i['indexedRows']), totalRows: num(i['totalRows']), failReason: str(i['failReason']),
  };
}

/** Partitions (rows, load state, memory) and indexes (build progress) of one collection. */
export async function collectionDetail(dbName: string, c: CollectionSummary, samples: Samples): Promise<CollectionDetail> {
  const body = { dbName, collectionName: c.name };
  const names = arr(await v2('partitions/list', body)).map((p) => str(p));
  const partitions = await Promise.all(names.map((p) => partitionInfo(dbName, c.name, p, samples)));
  const described = await Promise.all(c.indexNames.map((indexName) => v2('indexes/describe', { ...body, indexName })));
  const indexes = described.flatMap((list) => arr(list).map((i) => indexOf(obj(i))));
  return { partitions, indexes };
}

export async function databaseNames(): Promise<string[]> {
  return arr(await v2('databases/list', {})).map((d) => str(d));
}

export async function collectionNames(dbName: string): Promise<string[]> {
  return arr(await v2('collections/list', { dbName })).map((c) => str(c)).sort();
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i] ?? ''}`;
}

export function primaryField(c: CollectionSummary): FieldInfo | undefined {
  return c.fields.find((f) => f.primaryKey);
}

const VECTOR_TYPES = new Set(['FloatVector', 'BinaryVector', 'Float16Vector', 'BFloat16Vector', 'SparseFloatVector', 'Int8Vector']);

export function vectorFields(c: CollectionSummary): FieldInfo[] {
  return c.fields.filter((f) => VECTOR_TYPES.has(f.type));
}

/** Sparse fields a BM25 function writes: search them with text. */
export function textSearchFields(c: CollectionSummary): string[] {
  return c.functions.filter((f) => f.type.toUpperCase() === 'BM25' || f.type === '1').flatMap((f) => f.output);
}
