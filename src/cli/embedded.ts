/** The embedded backend: a data directory opened in this process through SextantService. */
import { ConsistencyLevel } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { configureWasm } from '../index/wasm/settings.js';
import { engineSettingsFromEnv } from '../server/options.js';
import { SextantService } from '../service/service.js';
import type * as T from '../service/types.js';
import type { Backend, CollectionInfo, CollectionSpec, Hit, IndexInfo, QuerySpec, Row, SearchSpec, WriteData } from './backend.js';
import { buildParams, roundFloat32, rowAt } from './values.js';

const CONSISTENCY_NAMES = Object.keys(ConsistencyLevel) as (keyof typeof ConsistencyLevel)[];

function consistencyOf(name: string | undefined): T.CreateCollectionRequest['consistencyLevel'] {
  if (name === undefined) return undefined;
  const key = CONSISTENCY_NAMES.find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw errors.invalidParameter(`unknown consistency level ${name}`, { expected: CONSISTENCY_NAMES.join('|') });
  return ConsistencyLevel[key];
}

function pkValues(ids: T.PrimaryKeys, i: number): bigint | string {
  return ids.kind === 'int64' ? ids.data[i] ?? 0n : ids.data[i] ?? '';
}

export class EmbeddedBackend implements Backend {
  readonly mode = 'embedded';
  database = 'default';
  private constructor(private readonly svc: SextantService) {}

  /** Engine settings come from the environment as for the server (SEXTANT_MEMORY_BUDGET_BYTES, ...). */
  static async open(dataDir: string): Promise<EmbeddedBackend> {
    const { wasm, ...engine } = engineSettingsFromEnv(process.env);
    if (wasm !== undefined) configureWasm(wasm);
    return new EmbeddedBackend(await SextantService.open({ dataDir, ...engine }));
  }

  private c(collectionName: string): T.CollectionScoped { return { dbName: this.database, collectionName }; }

  serverVersion = async () => this.svc.version();
  close = async () => this.svc.close();

  useDatabase = async (dbName: string) => {
    await this.svc.describeDatabase({ dbName });
    this.database = dbName;
  };
  listDatabases = async () => (await this.svc.listDatabases()).map((d) => d.dbName);
  createDatabase = async (dbName: string) => this.svc.createDatabase({ dbName });
  dropDatabase = async (dbName: string) => this.svc.dropDatabase({ dbName });
  describeDatabase = async (dbName: string) => {
    const d = await this.svc.describeDatabase({ dbName });
    return { name: d.dbName, id: String(d.dbId), properties: d.properties };
  };

  listCollections = async () => (await this.svc.listCollections({ dbName: this.database })).map((c) => c.name);
  createCollection = async (spec: CollectionSpec) => this.svc.createCollection({
    ...this.c(spec.name), fields: spec.fields, description: spec.description ?? '',
    enableDynamicField: spec.enableDynamicField ?? false,
    ...(spec.shardsNum !== undefined ? { shardsNum: spec.shardsNum } : {}),
    ...(spec.consistencyLevel !== undefined ? { consistencyLevel: consistencyOf(spec.consistencyLevel) } : {}),
  });
  describeCollection = async (name: string): Promise<CollectionInfo> => {
    const d = await this.svc.describeCollection(this.c(name));
    return {
      name: d.collectionName, id: String(d.collectionId), schema: d.schema, aliases: d.aliases,
      consistencyLevel: CONSISTENCY_NAMES[d.consistencyLevel] ?? String(d.consistencyLevel),
      shardsNum: d.shardsNum, properties: d.properties,
    };
  };
  dropCollection = async (name: string) => this.svc.dropCollection(this.c(name));
  renameCollection = async (oldName: string, newName: string) => this.svc.renameCollection({ dbName: this.database, oldName, newName });
  collectionRowCount = async (name: string) => (await this.svc.getCollectionStatistics(this.c(name))).rowCount;

  listPartitions = async (c: string) => (await this.svc.listPartitions(this.c(c))).map((p) => p.name);
  createPartition = async (c: string, partitionName: string) => this.svc.createPartition({ ...this.c(c), partitionName });
  dropPartition = async (c: string, partitionName: string) => this.svc.dropPartition({ ...this.c(c), partitionName });
  partitionRowCount = async (c: string, partitionName: string) =>
    (await this.svc.getPartitionStatistics({ ...this.c(c), partitionName })).rowCount;

  createAlias = async (c: string, alias: string, alter: boolean) =>
    alter ? this.svc.alterAlias({ ...this.c(c), alias }) : this.svc.createAlias({ ...this.c(c), alias });
  dropAlias = async (alias: string) => this.svc.dropAlias({ dbName: this.database, alias });
  listAliases = async (c: string | undefined) =>
    (await this.svc.listAliases({ dbName: this.database, ...(c !== undefined ? { collectionName: c } : {}) })).map((a) => a.alias);
  describeAlias = async (alias: string) => {
    const a = await this.svc.describeAlias({ dbName: this.database, alias });
    return { alias: a.alias, collection: a.collectionName };
  };

  createIndex = async (c: string, fieldName: string, indexName: string | undefined, params: Record<string, string>) =>
    this.svc.createIndex({ ...this.c(c), fieldName, ...(indexName !== undefined ? { indexName } : {}), params });
  describeIndexes = async (c: string, indexName?: string): Promise<IndexInfo[]> =>
    (await this.svc.describeIndex({ ...this.c(c), ...(indexName !== undefined ? { indexName } : {}) })).map((d) => ({
      indexName: d.indexName, fieldName: d.fieldName, indexType: d.indexType, metricType: d.metricType,
      params: buildParams(d.params), indexedRows: d.indexedRows, totalRows: d.totalRows, state: d.state,
    }));
  dropIndex = async (c: string, indexName: string) => this.svc.dropIndex({ ...this.c(c), indexName });

  private writeRequest(d: WriteData): T.InsertRequest {
    return {
      ...this.c(d.collection), numRows: d.batch.numRows, columns: d.batch.columns,
      ...(d.partition !== undefined ? { partitionName: d.partition } : {}),
    };
  }
  insert = async (d: WriteData) => (await this.svc.insert(this.writeRequest(d))).insertCount;
  upsert = async (d: WriteData) => (await this.svc.upsert(this.writeRequest(d))).upsertCount;
  delete = async (c: string, partition: string | undefined, filter: string) =>
    (await this.svc.delete({ ...this.c(c), filter, ...(partition !== undefined ? { partitionName: partition } : {}) })).deleteCount;

  query = async (q: QuerySpec): Promise<Row[]> => {
    const r = await this.svc.query({
      ...this.c(q.collection), filter: q.filter,
      ...(q.outputFields !== undefined ? { outputFields: q.outputFields } : {}),
      ...(q.partitions !== undefined ? { partitionNames: q.partitions } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.offset !== undefined ? { offset: q.offset } : {}),
    });
    const rows: Row[] = [];
    for (let i = 0; i < r.numRows; i++) rows.push(rowAt(r.columns, i));
    return rows;
  };

  search = async (s: SearchSpec): Promise<Hit[][]> => {
    const r = await this.svc.search({
      ...this.c(s.collection), data: s.vectors, topK: s.limit,
      ...(s.annsField !== undefined ? { annsField: s.annsField } : {}),
      ...(s.filter !== undefined ? { filter: s.filter } : {}),
      ...(s.outputFields !== undefined ? { outputFields: s.outputFields } : {}),
      ...(s.partitions !== undefined ? { partitionNames: s.partitions } : {}),
      ...(s.params !== undefined ? { params: s.params } : {}),
      ...(s.metricType !== undefined ? { metricType: s.metricType as T.SearchRequest['metricType'] & string } : {}),
      ...(s.roundDecimal !== undefined ? { roundDecimal: s.roundDecimal } : {}),
    });
    const out: Hit[][] = [];
    let at = 0;
    for (let q = 0; q < r.nq; q++) {
      const hits: Hit[] = [];
      const n = r.topks[q] ?? 0;
      for (let k = 0; k < n; k++, at++) hits.push({ id: pkValues(r.ids, at), score: roundFloat32(r.scores[at] ?? 0), fields: rowAt(r.columns, at) });
      out.push(hits);
    }
    return out;
  };

  load = async (c: string, partitionNames: string[]) =>
    partitionNames.length > 0 ? this.svc.loadPartitions({ ...this.c(c), partitionNames }) : this.svc.loadCollection(this.c(c));
  release = async (c: string, partitionNames: string[]) =>
    partitionNames.length > 0 ? this.svc.releasePartitions({ ...this.c(c), partitionNames }) : this.svc.releaseCollection(this.c(c));
  loadState = async (c: string, partitionNames: string[]) =>
    (await this.svc.getLoadState({ ...this.c(c), ...(partitionNames.length > 0 ? { partitionNames } : {}) })).state;
  loadingProgress = async (c: string, partitionNames: string[]) =>
    (await this.svc.getLoadingProgress({ ...this.c(c), ...(partitionNames.length > 0 ? { partitionNames } : {}) })).progress;

  flush = async (c: string) => { await this.svc.flush({ dbName: this.database, collectionNames: [c] }); };
  compact = async (c: string) => String((await this.svc.compact(this.c(c))).compactionId);
}
