/** Alias RPCs: Create/Alter/Drop/Describe/List aliases. */
import { errors } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { validateName } from '../schema/build.js';
import { dbNameOf, requireDatabase } from './resolve.js';
import type * as T from './types.js';

function target(engine: Engine, db: string, collectionName: string) {
  const c = engine.findCollection(db, collectionName);
  if (!c) throw errors.collectionNotFound(collectionName, db);
  return c;
}

export async function createAlias(engine: Engine, req: T.AliasRequest): Promise<void> {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  validateName('alias', req.alias);
  const c = target(engine, db, req.collectionName);
  if (engine.findCollection(db, req.alias)) throw errors.aliasCollectionNameConflict(req.alias);
  const existing = engine.aliases.find((a) => a.dbName === db && a.alias === req.alias);
  if (existing) {
    if (existing.collectionId === c.id) return;
    throw errors.aliasAlreadyExists(req.alias, engine.collections.get(existing.collectionId)?.name ?? '');
  }
  await engine.setAliases([...engine.aliases, { dbName: db, alias: req.alias, collectionId: c.id }]);
}

export async function alterAlias(engine: Engine, req: T.AliasRequest): Promise<void> {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  const c = target(engine, db, req.collectionName);
  const existing = engine.aliases.find((a) => a.dbName === db && a.alias === req.alias);
  if (!existing) throw errors.aliasNotFound(req.alias, db);
  await engine.setAliases(engine.aliases.map((a) => (a === existing ? { ...a, collectionId: c.id } : a)));
}

export async function dropAlias(engine: Engine, req: { dbName?: string; alias: string }): Promise<void> {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  const rest = engine.aliases.filter((a) => !(a.dbName === db && a.alias === req.alias));
  if (rest.length !== engine.aliases.length) await engine.setAliases(rest);
}

export function describeAlias(engine: Engine, req: { dbName?: string; alias: string }): T.AliasDescription {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  const a = engine.aliases.find((x) => x.dbName === db && x.alias === req.alias);
  if (!a) throw errors.aliasNotFound(req.alias, db);
  return { dbName: db, alias: a.alias, collectionName: engine.collections.get(a.collectionId)?.name ?? '' };
}

export function listAliases(engine: Engine, req: { dbName?: string; collectionName?: string }): T.AliasDescription[] {
  const db = dbNameOf(req);
  requireDatabase(engine, db);
  let list = engine.aliases.filter((a) => a.dbName === db);
  if (req.collectionName) {
    const c = target(engine, db, req.collectionName);
    list = list.filter((a) => a.collectionId === c.id);
  }
  return list.map((a) => ({ dbName: db, alias: a.alias, collectionName: engine.collections.get(a.collectionId)?.name ?? '' }));
}
