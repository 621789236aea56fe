/** Collection RPCs: Create/Describe/Has/Show/Drop/Rename/Alter collection and statistics. */
import { ConsistencyLevel } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { Engine } from '../engine/engine.js';
import { physicalMs } from '../engine/clock.js';
import { buildCollectionSchema, validateName } from '../schema/build.js';
import { redactExternalSpec } from '../schema/external.js';
import { dbNameOf, findCollection, requireCollection, requireDatabase } from './resolve.js';
import type * as T from './types.js';
import { checkMmapProperty, checkMmapValue, refuseWhileLoaded } from './mmap.js';
import { checkTimezoneProperty, withTimezone } from './timezone.js';

export async function createCollection(engine: Engine, req: T.CreateCollectionRequest): Promise<void> {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  validateName('collection', req.collectionName);
  checkMmapProperty(req.properties);
  checkTimezoneProperty(req.properties);
  for (const f of req.fields) checkMmapProperty(f.typeParams);
  const schema = buildCollectionSchema({
    name: req.collectionName,
    description: req.description ?? '',
    fields: req.fields,
    enableDynamicField: req.enableDynamicField ?? false,
    autoId: req.autoId ?? false,
    functions: req.functions ?? [],
    structFields: req.structFields ?? [],
    ...(req.externalSource !== undefined ? { externalSource: req.externalSource } : {}),
    ...(req.externalSpec !== undefined ? { externalSpec: req.externalSpec } : {}),
  });
  if (engine.aliases.some((a) => a.dbName === db && a.alias === req.collectionName)) {
    throw errors.aliasCollectionNameConflict(req.collectionName);
  }
  const existing = engine.findCollection(db, req.collectionName);
  if (existing) {
    // Milvus answers success for an identical re-create and refuses a different one.
    if (sameSchema(existing.meta.schema, schema)) return;
    throw errors.unexpected(`create duplicate collection with different parameters, collection: ${req.collectionName}`);
  }
  const hasPartitionKey = schema.fields.some((f) => f.isPartitionKey);
  let numPartitions = 0;
  if (hasPartitionKey) {
    numPartitions = req.numPartitions && req.numPartitions > 0 ? req.numPartitions : limits.defaultNumPartitionsPartitionKey;
    if (!Number.isInteger(numPartitions) || numPartitions > limits.maxNumPartitionsPartitionKey) {
      throw errors.invalidParameter('the specified partitions should be greater than 0 if partition key is used', {
        expected: `[1, ${limits.maxNumPartitionsPartitionKey}]`, actual: numPartitions,
      });
    }
  } else if (req.numPartitions && req.numPartitions > 0) {
    throw errors.invalidParameter('num_partitions should only be specified with partition key field enabled');
  }
  const shardsNum = req.shardsNum && req.shardsNum > 0 ? req.shardsNum : 1;
  if (shardsNum > limits.maxShards) {
    throw errors.invalidParameter('shards_num', { expected: `[1, ${limits.maxShards}]`, actual: shardsNum });
  }
  const level = req.consistencyLevel ?? ConsistencyLevel.Bounded;
  await engine.createCollection({
    dbName: db,
    schema,
    properties: withTimezone({ ...(req.properties ?? {}) }, engine.databases.get(db)?.properties),
    consistencyLevel: level,
    shardsNum,
    numPartitions,
  });
}

function sameSchema(a: unknown, b: unknown): boolean {
  const norm = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return norm(a) === norm(b);
}

export function describeCollection(engine: Engine, req: T.CollectionScoped): T.CollectionDescription {
  const db = dbNameOf(req);
  validateName('collection', req.collectionName); // before the lookup, as Milvus's proxy
  const c = engine.databases.has(db) ? findCollection(engine, db, req.collectionName) : undefined;
  if (!c) throw errors.cantFindCollection(req.collectionName, db);
  const m = c.meta;
  return {
    dbName: m.dbName,
    collectionName: m.name,
    collectionId: BigInt(m.id),
    // Every door shows external_spec with its secrets redacted; the stored schema keeps them (refreshes read it).
    schema: m.schema.externalSpec === undefined ? m.schema : { ...m.schema, externalSpec: redactExternalSpec(m.schema.externalSpec) },
    aliases: engine.aliases.filter((a) => a.collectionId === m.id).map((a) => a.alias),
    createdTimestamp: m.createdTs,
    createdUtcMs: physicalMs(m.createdTs),
    shardsNum: m.shardsNum,
    // Milvus reports how many partitions the collection has (1 with only `_default`).
    numPartitions: c.partitions.size,
    consistencyLevel: m.consistencyLevel,
    properties: { ...m.properties },
    updateTimestamp: m.updateTs,
  };
}

export function hasCollection(engine: Engine, req: T.CollectionScoped): boolean {
  const db = dbNameOf(req);
  validateName('collection', req.collectionName);
  requireDatabase(engine, db);
  return findCollection(engine, db, req.collectionName) !== undefined;
}

export function listCollections(engine: Engine, req: T.DbScoped): T.CollectionListEntry[] {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  return engine.collectionsOf(db).map((c) => ({
    name: c.meta.name,
    collectionId: BigInt(c.meta.id),
    createdTimestamp: c.meta.createdTs,
    createdUtcMs: physicalMs(c.meta.createdTs),
    loadedPercent: c.isLoaded ? 100 : 0,
  }));
}

export async function dropCollection(engine: Engine, req: T.CollectionScoped): Promise<void> {
  const db = dbNameOf(req);
  validateName('collection', req.collectionName);
  requireDatabase(engine, db);
  const c = engine.findCollection(db, req.collectionName);
  if (!c) return; // dropping a missing collection succeeds
  const aliases = engine.aliases.filter((a) => a.collectionId === c.id).map((a) => a.alias);
  if (aliases.length > 0) {
    throw errors.unexpected(`unable to drop the collection [${c.name}] because it has associated aliases [${aliases.join(', ')}], please remove all aliases before dropping the collection`);
  }
  await engine.dropCollection(c);
}

/** TruncateCollection (2.6): every row goes; schema, indexes, aliases and load state stay. */
export async function truncateCollection(engine: Engine, req: T.CollectionScoped): Promise<void> {
  await engine.truncateCollection(requireCollection(engine, req));
}

/**
 * BatchDescribeCollection (2.6): one answer per name, in the order given. A name that does not
 * resolve fails the call (the Node SDK formats every entry's schema, so an entry without one is not
 * an answer it can take).
 */
export function batchDescribeCollection(engine: Engine, req: { dbName?: string; collectionNames: string[] }): T.CollectionDescription[] {
  if (req.collectionNames.length === 0) throw errors.invalidParameter('collection names is empty');
  return req.collectionNames.map((collectionName) => describeCollection(engine, { ...(req.dbName !== undefined ? { dbName: req.dbName } : {}), collectionName }));
}

export async function renameCollection(engine: Engine, req: T.RenameCollectionRequest): Promise<void> {
  const db = dbNameOf(req);
  const c = requireCollection(engine, { dbName: db, collectionName: req.oldName });
  if (engine.findCollection(db, req.oldName) === undefined) {
    throw errors.invalidParameter(`unsupported use an alias to rename collection, alias:${req.oldName}`);
  }
  const newDb = req.newDbName && req.newDbName.length > 0 ? req.newDbName : db;
  requireDatabase(engine, newDb);
  validateName('collection', req.newName);
  if (findCollection(engine, newDb, req.newName)) {
    throw errors.invalidParameter(`duplicated new collection name ${newDb}:${req.newName} with other collection name or alias`);
  }
  if (newDb !== db && engine.aliases.some((a) => a.collectionId === c.id)) {
    throw errors.invalidParameter('fail to rename collection to different database, must drop all aliases of collection before rename');
  }
  await engine.renameCollection(c, newDb, req.newName);
}

export async function alterCollection(engine: Engine, req: T.AlterCollectionRequest): Promise<void> {
  const c = requireCollection(engine, req);
  checkTimezoneProperty(req.properties);
  const props = { ...c.meta.properties, ...(req.properties ?? {}) };
  if (Object.prototype.hasOwnProperty.call(req.properties ?? {}, 'mmap.enabled') || (req.deleteKeys ?? []).includes('mmap.enabled')) {
    refuseWhileLoaded(c, 'can not alter mmap properties if collection loaded');
  }
  if (Object.keys(req.properties ?? {}).includes('lazyload.enabled')) refuseWhileLoaded(c, 'can not alter lazyload properties if collection loaded');
  if (req.properties !== undefined && 'mmap.enabled' in req.properties) props['mmap.enabled'] = checkMmapValue(req.properties['mmap.enabled']);
  for (const k of req.deleteKeys ?? []) delete props[k];
  await engine.alterCollection(c, props);
}

export function getCollectionStatistics(engine: Engine, req: T.CollectionScoped): T.Statistics {
  const c = requireCollection(engine, req);
  // Like Milvus' row_count, this counts deleted rows until compaction removes them.
  return { rowCount: c.numRowsTotal };
}
