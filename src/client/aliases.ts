/** Alias methods. A missing `alias` throws, as in the SDK. */
import type { AlterAliasReq, CreateAliasReq, DescribeAliasReq, DropAliasReq, ListAliasesReq } from '@zilliz/milvus2-sdk-node';
import { type ClientContext, dbOf, scoped } from './context.js';
import { ERROR_REASONS } from './enums.js';
import { answer, clientError, type ResStatus, statusOf } from './status.js';
import type { DescribeAliasResponse, ListAliasesResponse } from './types.js';

function aliasOf(req: { alias?: string }): string {
  if (!req || !req.alias) throw clientError(ERROR_REASONS.ALIAS_NAME_IS_REQUIRED);
  return req.alias;
}

export async function createAlias(ctx: ClientContext, req: CreateAliasReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  const alias = aliasOf(req);
  return statusOf(() => ctx.service.createAlias({ ...s, alias }));
}

export async function alterAlias(ctx: ClientContext, req: AlterAliasReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  const alias = aliasOf(req);
  return statusOf(() => ctx.service.alterAlias({ ...s, alias }));
}

export async function dropAlias(ctx: ClientContext, req: DropAliasReq & { db_name?: string }): Promise<ResStatus> {
  const alias = aliasOf(req);
  return statusOf(() => ctx.service.dropAlias({ dbName: dbOf(ctx, req), alias }));
}

export async function describeAlias(ctx: ClientContext, req: DescribeAliasReq): Promise<DescribeAliasResponse> {
  const { dbName } = scoped(ctx, req);
  const alias = aliasOf(req);
  return answer(async () => {
    const d = await ctx.service.describeAlias({ dbName, alias });
    return { db_name: d.dbName, alias: d.alias, collection: d.collectionName };
  }, () => ({ db_name: '', alias: '', collection: '' }));
}

export async function listAliases(ctx: ClientContext, req: ListAliasesReq): Promise<ListAliasesResponse> {
  const s = scoped(ctx, req);
  return answer(async () => {
    const list = await ctx.service.listAliases(s);
    return { db_name: s.dbName, collection_name: s.collectionName, aliases: list.map((a) => a.alias) };
  }, () => ({ db_name: '', collection_name: '', aliases: [] }));
}
