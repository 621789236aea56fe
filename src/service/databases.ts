/** Database RPCs: CreateDatabase, DropDatabase, ListDatabases, DescribeDatabase, AlterDatabase. */
import { errors } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { DEFAULT_DB } from '../engine/engine.js';
import { validateName } from '../schema/build.js';
import { checkTimezoneProperty } from './timezone.js';
import type { CreateDatabaseRequest, DatabaseInfo, Properties } from './types.js';

export async function createDatabase(engine: Engine, req: CreateDatabaseRequest): Promise<void> {
  validateName('database', req.dbName);
  if (engine.databases.has(req.dbName)) throw errors.invalidDatabaseName(`database already exist: ${req.dbName}`);
  checkTimezoneProperty(req.properties);
  await engine.createDatabase(req.dbName, { ...(req.properties ?? {}) });
}

export async function dropDatabase(engine: Engine, req: { dbName: string }): Promise<void> {
  if (req.dbName === DEFAULT_DB) throw errors.invalidParameter('can not drop default database');
  if (!engine.databases.has(req.dbName)) return;
  if (engine.collectionsOf(req.dbName).length > 0) {
    throw errors.invalidParameter(`can not drop database ${req.dbName} with collections, please drop all collections first`);
  }
  await engine.dropDatabase(req.dbName);
}

export function listDatabases(engine: Engine): DatabaseInfo[] {
  return [...engine.databases.values()].map((d) => ({ dbName: d.name, dbId: BigInt(d.id), createdTimestamp: d.createdTs, properties: { ...d.properties } }));
}

export function describeDatabase(engine: Engine, req: { dbName: string }): DatabaseInfo {
  const d = engine.databases.get(req.dbName || DEFAULT_DB);
  if (!d) throw errors.databaseNotFound(req.dbName);
  return { dbName: d.name, dbId: BigInt(d.id), createdTimestamp: d.createdTs, properties: { ...d.properties } };
}

export async function alterDatabase(engine: Engine, req: { dbName: string; properties?: Properties; deleteKeys?: string[] }): Promise<void> {
  const name = req.dbName || DEFAULT_DB;
  const d = engine.databases.get(name);
  if (!d) throw errors.databaseNotFound(name);
  checkTimezoneProperty(req.properties);
  const props = { ...d.properties, ...(req.properties ?? {}) };
  for (const k of req.deleteKeys ?? []) delete props[k];
  await engine.alterDatabase(name, props);
}
