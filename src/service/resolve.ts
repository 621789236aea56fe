/** Name resolution shared by every RPC family: database, collection (or alias), partitions. */
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { Engine } from '../engine/engine.js';
import { DEFAULT_DB } from '../engine/engine.js';
import type { PartitionRuntime } from '../engine/partition.js';
import { validateName } from '../schema/build.js';
import type { DbScoped } from './types.js';

export function dbNameOf(req: DbScoped): string {
  return req.dbName && req.dbName.length > 0 ? req.dbName : DEFAULT_DB;
}

export function requireDatabase(engine: Engine, dbName: string): void {
  if (!engine.databases.has(dbName)) throw errors.databaseNotFound(dbName);
}

/** The collection a name refers to in a database, directly or through an alias. */
export function findCollection(engine: Engine, dbName: string, name: string): CollectionRuntime | undefined {
  const direct = engine.findCollection(dbName, name);
  if (direct) return direct;
  const alias = engine.aliases.find((a) => a.dbName === dbName && a.alias === name);
  return alias ? engine.collections.get(alias.collectionId) : undefined;
}

export function requireCollection(engine: Engine, req: DbScoped & { collectionName: string }): CollectionRuntime {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  if (typeof req.collectionName !== 'string' || req.collectionName.length === 0) {
    throw errors.invalidParameter('collection name should not be empty');
  }
  // Milvus's proxy validates a name before it looks it up: `load_collection("12-s")` answers 1100
  // "Invalid collection name: 12-s. ...", not 100 "collection not found". Aliases follow the same rules.
  validateName('collection', req.collectionName);
  const c = findCollection(engine, db, req.collectionName);
  if (!c) throw errors.collectionNotFound(req.collectionName, db);
  return c;
}

export function requirePartition(c: CollectionRuntime, name: string): PartitionRuntime {
  validateName('partition', name);
  const p = c.partitionByName(name);
  if (!p) throw errors.partitionNotFound(name);
  return p;
}

export function isPartitionKeyMode(c: CollectionRuntime): boolean {
  return c.meta.schema.fields.some((f) => f.isPartitionKey);
}
