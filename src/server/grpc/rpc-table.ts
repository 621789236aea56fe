/**
 * The table of contents of the gRPC server: one entry per supported RPC = decode (wire -> service
 * types), one service call, encode (service types -> wire). Responses are returned without their
 * `status`; the wrapper in server.ts adds it (or answers the error status).
 */
import { errors } from '../../core/errors.js';
import type { MilvusApi } from '../../service/api.js';
import { calcDistance } from './calc-distance.js';
import { analyzerResultsToWire, runAnalyzerFromWire } from './codec/analyzer.js';
import { decodeChecked } from './codec/checked.js';
import { importFromWire, importStateToWire, importTaskOf, listImportsFromWire } from './codec/imports.js';
import { dbNameOf, type CallContext } from './codec/context.js';
import * as R from './codec/requests.js';
import * as out from './codec/results.js';
import {
  addCollectionFieldFromWire, addCollectionFunctionFromWire, addCollectionStructFieldFromWire, alterCollectionFunctionFromWire, alterSchemaAddFromWire,
  createCollectionFromWire, describeCollectionToWire,
} from './codec/schema.js';
import { hybridSearchFromWire, queryFromWire, queryResultsToWire, searchFromWire, searchResultsToWire } from './codec/search.js';
import { int64, keyValues, list, str, strings, num, type Wire } from './codec/wire.js';
import { getReplicas } from './replicas.js';
import { externalRpcs } from './external-rpcs.js';
import { snapshotRpcs } from './snapshot-rpcs.js';
import { successStatus } from './codec/status.js';

export type RpcHandler = (api: MilvusApi, req: Wire, ctx: CallContext) => Promise<Wire>;

const none: Wire = {};
const dbOf = (req: Wire, ctx: CallContext): string => dbNameOf(req, ctx) ?? 'default';

export const serviceRpcs: Record<string, RpcHandler> = {
  // databases
  CreateDatabase: async (api, req) => { await api.createDatabase({ dbName: str(req['db_name'], 'db_name'), properties: R.propertiesOf(req) }); return none; },
  DropDatabase: async (api, req) => { await api.dropDatabase({ dbName: str(req['db_name'], 'db_name') }); return none; },
  ListDatabases: async (api) => out.listDatabasesToWire(await api.listDatabases()),
  DescribeDatabase: async (api, req, ctx) => out.describeDatabaseToWire(await api.describeDatabase({ dbName: dbOf(req, ctx) })),
  AlterDatabase: async (api, req, ctx) => {
    await api.alterDatabase({ dbName: dbOf(req, ctx), properties: R.propertiesOf(req), deleteKeys: strings(req['delete_keys'], 'delete_keys') });
    return none;
  },

  // collections
  CreateCollection: async (api, req, ctx) => { await api.createCollection(decodeChecked(api, 'createCollection', req, ctx, createCollectionFromWire)); return none; },
  DescribeCollection: async (api, req, ctx) => describeCollectionToWire(await api.describeCollection(R.collectionScoped(req, ctx))),
  HasCollection: async (api, req, ctx) => ({ value: await api.hasCollection(R.collectionScoped(req, ctx)) }),
  ShowCollections: async (api, req, ctx) => {
    const names = new Set(strings(req['collection_names'], 'collection_names'));
    const inMemoryOnly = num(req['type'], 'type') === 1;
    const all = await api.listCollections({ dbName: dbNameOf(req, ctx) });
    return out.showCollectionsToWire(all.filter((c) => (names.size === 0 || names.has(c.name)) && (!inMemoryOnly || c.loadedPercent > 0)));
  },
  DropCollection: async (api, req, ctx) => { await api.dropCollection(R.collectionScoped(req, ctx)); return none; },
  TruncateCollection: async (api, req, ctx) => { await api.truncateCollection(R.collectionScoped(req, ctx)); return none; },
  BatchDescribeCollection: async (api, req, ctx) => {
    const answers = await api.batchDescribeCollection({ dbName: dbOf(req, ctx), collectionNames: strings(req['collection_name'], 'collection_name') });
    return { responses: answers.map((a) => ({ status: successStatus(), ...describeCollectionToWire(a) })) };
  },
  RenameCollection: async (api, req, ctx) => {
    const newDbName = str(req['newDBName'], 'newDBName');
    await api.renameCollection({
      dbName: dbNameOf(req, ctx), oldName: str(req['oldName'], 'oldName'), newName: str(req['newName'], 'newName'),
      ...(newDbName !== '' ? { newDbName } : {}),
    });
    return none;
  },
  AlterCollection: async (api, req, ctx) => {
    await api.alterCollection({ ...R.collectionScoped(req, ctx), properties: R.propertiesOf(req), deleteKeys: strings(req['delete_keys'], 'delete_keys') });
    return none;
  },
  AddCollectionField: async (api, req, ctx) => { await api.addCollectionField(decodeChecked(api, 'addCollectionField', req, ctx, addCollectionFieldFromWire)); return none; },
  AddCollectionStructField: async (api, req, ctx) => { await api.addCollectionStructField(decodeChecked(api, 'addCollectionStructField', req, ctx, addCollectionStructFieldFromWire)); return none; },
  AlterCollectionSchema: async (api, req, ctx) => {
    for (const add of alterSchemaAddFromWire(req, ctx)) await api.addCollectionField(add);
    return none;
  },
  AlterCollectionField: async (api, req, ctx) => {
    await api.alterCollectionField({
      ...R.collectionScoped(req, ctx), fieldName: str(req['field_name'], 'field_name'),
      properties: R.propertiesOf(req), deleteKeys: strings(req['delete_keys'], 'delete_keys'),
    });
    return none;
  },
  AddCollectionFunction: async (api, req, ctx) => {
    await api.addCollectionFunction(decodeChecked(api, 'addCollectionFunction', req, ctx, addCollectionFunctionFromWire));
    return none;
  },
  AlterCollectionFunction: async (api, req, ctx) => {
    await api.alterCollectionFunction(decodeChecked(api, 'alterCollectionFunction', req, ctx, alterCollectionFunctionFromWire));
    return none;
  },
  DropCollectionFunction: async (api, req, ctx) => {
    await api.dropCollectionFunction({ ...R.collectionScoped(req, ctx), functionName: str(req['function_name'], 'function_name') });
    return none;
  },
  GetCollectionStatistics: async (api, req, ctx) => out.statisticsToWire(await api.getCollectionStatistics(R.collectionScoped(req, ctx))),

  // partitions
  CreatePartition: async (api, req, ctx) => { await api.createPartition(R.partitionRequest(req, ctx)); return none; },
  DropPartition: async (api, req, ctx) => { await api.dropPartition(R.partitionRequest(req, ctx)); return none; },
  HasPartition: async (api, req, ctx) => ({ value: await api.hasPartition(R.partitionRequest(req, ctx)) }),
  ShowPartitions: async (api, req, ctx) => {
    const names = new Set(R.partitionNames(req));
    const inMemoryOnly = num(req['type'], 'type') === 1; // ShowType.InMemory
    const all = await api.listPartitions(R.collectionScoped(req, ctx));
    return out.showPartitionsToWire(all.filter((p) => (names.size === 0 || names.has(p.name)) && (!inMemoryOnly || p.loadedPercent > 0)));
  },
  GetPartitionStatistics: async (api, req, ctx) => out.statisticsToWire(await api.getPartitionStatistics(R.partitionRequest(req, ctx))),

  // aliases
  CreateAlias: async (api, req, ctx) => { await api.createAlias(R.aliasRequest(req, ctx)); return none; },
  AlterAlias: async (api, req, ctx) => { await api.alterAlias(R.aliasRequest(req, ctx)); return none; },
  DropAlias: async (api, req, ctx) => { await api.dropAlias({ dbName: dbNameOf(req, ctx), alias: str(req['alias'], 'alias') }); return none; },
  DescribeAlias: async (api, req, ctx) => out.describeAliasToWire(await api.describeAlias({ dbName: dbNameOf(req, ctx), alias: str(req['alias'], 'alias') })),
  ListAliases: async (api, req, ctx) => {
    const collectionName = str(req['collection_name'], 'collection_name');
    const list = await api.listAliases({ dbName: dbNameOf(req, ctx), ...(collectionName !== '' ? { collectionName } : {}) });
    return out.listAliasesToWire(list, dbOf(req, ctx), collectionName);
  },

  // indexes
  CreateIndex: async (api, req, ctx) => { await api.createIndex(R.createIndexRequest(req, ctx)); return none; },
  DescribeIndex: async (api, req, ctx) => out.describeIndexToWire(await api.describeIndex(R.indexRequest(req, ctx))),
  DropIndex: async (api, req, ctx) => { await api.dropIndex(R.indexRequest(req, ctx)); return none; },
  AlterIndex: async (api, req, ctx) => {
    await api.alterIndex({
      ...R.collectionScoped(req, ctx), indexName: str(req['index_name'], 'index_name'),
      properties: keyValues(req['extra_params'], 'extra_params'), deleteKeys: strings(req['delete_keys'], 'delete_keys'),
    });
    return none;
  },
  GetIndexStatistics: async (api, req, ctx) => out.describeIndexToWire(await api.describeIndex(R.indexRequest(req, ctx))),
  GetIndexState: async (api, req, ctx) => {
    const [first] = await api.describeIndex(R.indexRequest(req, ctx));
    if (first === undefined) throw errors.indexNotFound({ collection: str(req['collection_name'], 'collection_name') });
    return { state: out.IndexState[first.state], fail_reason: first.failReason };
  },
  GetIndexBuildProgress: async (api, req, ctx) => {
    const [first] = await api.describeIndex(R.indexRequest(req, ctx));
    if (first === undefined) throw errors.indexNotFound({ collection: str(req['collection_name'], 'collection_name') });
    return { indexed_rows: String(first.indexedRows), total_rows: String(first.totalRows) };
  },

  // writes
  Insert: async (api, req, ctx) => out.mutationResultToWire(await api.insert(decodeChecked(api, 'insert', req, ctx, R.insertRequest))),
  Upsert: async (api, req, ctx) => out.mutationResultToWire(await api.upsert(decodeChecked(api, 'upsert', req, ctx, R.insertRequest))),
  Delete: async (api, req, ctx) => out.mutationResultToWire(await api.delete(decodeChecked(api, 'delete', req, ctx, R.deleteRequest))),

  // reads
  RunAnalyzer: async (api, req, ctx) => analyzerResultsToWire(await api.runAnalyzer(runAnalyzerFromWire(req, ctx))),
  Search: async (api, req, ctx) => {
    const r = decodeChecked(api, 'search', req, ctx, searchFromWire);
    return searchResultsToWire(await api.search(r), r.collectionName);
  },
  HybridSearch: async (api, req, ctx) => {
    const r = decodeChecked(api, 'hybridSearch', req, ctx, hybridSearchFromWire);
    return searchResultsToWire(await api.hybridSearch(r), r.collectionName);
  },
  Query: async (api, req, ctx) => {
    const r = decodeChecked(api, 'query', req, ctx, queryFromWire);
    return queryResultsToWire(await api.query(r), r.collectionName);
  },
  CalcDistance: (_api, req) => calcDistance(req),

  // load / release
  LoadCollection: async (api, req, ctx) => { await api.loadCollection(R.loadRequest(req, ctx)); return none; },
  ReleaseCollection: async (api, req, ctx) => { await api.releaseCollection(R.collectionScoped(req, ctx)); return none; },
  LoadPartitions: async (api, req, ctx) => { await api.loadPartitions({ ...R.loadRequest(req, ctx), partitionNames: R.partitionNames(req) }); return none; },
  ReleasePartitions: async (api, req, ctx) => {
    await api.releasePartitions({ ...R.collectionScoped(req, ctx), partitionNames: R.partitionNames(req) });
    return none;
  },
  GetLoadState: async (api, req, ctx) => out.loadStateToWire(await api.getLoadState({ ...R.collectionScoped(req, ctx), partitionNames: R.partitionNames(req) })),
  GetLoadingProgress: async (api, req, ctx) =>
    out.loadingProgressToWire(await api.getLoadingProgress({ ...R.collectionScoped(req, ctx), partitionNames: R.partitionNames(req) })),
  GetReplicas: getReplicas,

  // flush / compaction / segments
  Flush: async (api, req, ctx) => out.flushToWire(await api.flush({ dbName: dbNameOf(req, ctx), collectionNames: strings(req['collection_names'], 'collection_names') })),
  FlushAll: async (api, req, ctx) => ({ flush_all_ts: String((await api.flushAll({ dbName: dbOf(req, ctx) })).flushAllTs) }),
  GetFlushAllState: async (api) => ({ flushed: await api.getFlushAllState({}) }),
  GetFlushState: async (api, req, ctx) => ({ flushed: await api.getFlushState(R.flushStateRequest(req, ctx)) }),
  // bulk import
  Import: async (api, req, ctx) => ({ tasks: [(await api.importData(importFromWire(req, ctx))).jobId] }),
  GetImportState: async (api, req) => importStateToWire(await api.getImportState({ jobId: importTaskOf(req) })),
  ListImportTasks: async (api, req, ctx) => ({ tasks: (await api.listImportTasks(listImportsFromWire(req, ctx))).map((j) => ({ status: successStatus(), ...importStateToWire(j) })) }),


  ManualCompaction: async (api, req, ctx) => out.compactionToWire(await api.compact({ ...R.collectionScoped(req, ctx), targetSizeMb: int64(req['target_size'], 'target_size') })),
  LoadBalance: async (api, req, ctx) => {
    await api.loadBalance({
      dbName: dbOf(req, ctx), collectionName: str(req['collectionName'], 'collectionName'), srcNodeId: int64(req['src_nodeID'], 'src_nodeID'),
      dstNodeIds: list(req['dst_nodeIDs'], 'dst_nodeIDs').map((x) => int64(x, 'dst_nodeIDs')), segmentIds: list(req['sealed_segmentIDs'], 'sealed_segmentIDs').map((x) => int64(x, 'sealed_segmentIDs')),
    });
    return none;
  },
  GetCompactionState: async (api, req) => out.compactionStateToWire(await api.getCompactionState({ compactionId: int64(req['compactionID'], 'compactionID') })),
  GetCompactionStateWithPlans: async (api, req) => out.compactionPlansToWire(await api.getCompactionState({ compactionId: int64(req['compactionID'], 'compactionID') })),
  GetPersistentSegmentInfo: async (api, req, ctx) => out.persistentSegmentsToWire(await api.getPersistentSegmentInfo(R.segmentInfoRequest(req, ctx))),
  GetQuerySegmentInfo: async (api, req, ctx) => out.querySegmentsToWire(await api.getQuerySegmentInfo(R.segmentInfoRequest(req, ctx))),

  ...snapshotRpcs,
  ...externalRpcs,

  // server
  CheckHealth: async (api) => out.healthToWire(api.checkHealth()),
  /** Milvus' public AllocTimestampRequest has no count: one timestamp, as the proxy asks its TSO for. */
  AllocTimestamp: async (api) => ({ timestamp: String(api.allocTimestamp(1)) }),
};
