/** Database methods, plus `use` (which only changes this client's default database). */
import type { AlterDatabaseRequest, CreateDatabaseRequest, DescribeDatabaseRequest, DropDatabasesRequest } from '@zilliz/milvus2-sdk-node';
import { type ClientContext } from './context.js';
import { DEFAULT_DB } from './enums.js';
import { stringifyValues, toKeyValues } from './format.js';
import { answer, type ResStatus, statusOf } from './status.js';
import type { DescribeDatabaseResponse, ListDatabasesResponse } from './types.js';

export async function createDatabase(ctx: ClientContext, req: CreateDatabaseRequest): Promise<ResStatus> {
  return statusOf(() => ctx.service.createDatabase({ dbName: req.db_name, properties: stringifyValues(req.properties) }));
}

export async function listDatabases(ctx: ClientContext): Promise<ListDatabasesResponse> {
  return answer(async () => {
    const list = await ctx.service.listDatabases();
    return {
      db_names: list.map((d) => d.dbName),
      created_timestamp: list.map((d) => String(d.createdTimestamp)),
      db_ids: list.map((d) => String(d.dbId)),
    };
  }, () => ({ db_names: [], created_timestamp: [], db_ids: [] }));
}

export async function describeDatabase(ctx: ClientContext, req: DescribeDatabaseRequest): Promise<DescribeDatabaseResponse> {
  return answer(async () => {
    const d = await ctx.service.describeDatabase({ dbName: req.db_name });
    return { db_name: d.dbName, dbID: String(d.dbId), created_timestamp: String(d.createdTimestamp), properties: toKeyValues(d.properties) };
  }, () => ({ db_name: '', dbID: '0', created_timestamp: '0', properties: [] }));
}

export async function dropDatabase(ctx: ClientContext, req: DropDatabasesRequest): Promise<ResStatus> {
  return statusOf(() => ctx.service.dropDatabase({ dbName: req.db_name }));
}

export async function alterDatabase(ctx: ClientContext, req: AlterDatabaseRequest): Promise<ResStatus> {
  return statusOf(() => ctx.service.alterDatabase({ dbName: req.db_name, properties: stringifyValues(req.properties), deleteKeys: req.delete_keys ?? [] }));
}

/** The SDK's `use`: later requests without `db_name` go to this database. */
export function use(ctx: ClientContext, req?: { db_name?: string }): { error_code: string; reason: string } {
  ctx.database = req?.db_name ? req.db_name : DEFAULT_DB;
  if (ctx.scope !== undefined) ctx.service = ctx.scope(ctx.database);
  return { error_code: 'Success', reason: '' };
}
