/** Collection methods: describe, has, show/list, drop, rename, alter, statistics. */
import type {
  AlterCollectionFieldPropertiesReq, AlterCollectionReq, DescribeCollectionReq, DropCollectionPropertiesReq, DropCollectionReq,
  FieldType, GetCollectionStatisticsReq, HasCollectionReq, RenameCollectionReq, ShowCollectionsReq,
} from '@zilliz/milvus2-sdk-node';
import { structFieldSpec } from './schema.js';
import { type ClientContext, dbOf, scoped } from './context.js';
import { describeResult, emptyDescribe } from './describe.js';
import { ShowCollectionsType } from './enums.js';
import { stringifyValues } from './format.js';
import { answer, type ResStatus, statusOf, successStatus } from './status.js';
import type { BoolResponse, DescribeCollectionResponse, KeyValuePair, ShowCollectionsResponse, StatisticsResponse } from './types.js';

export async function describeCollection(ctx: ClientContext, req: DescribeCollectionReq): Promise<DescribeCollectionResponse> {
  const s = scoped(ctx, req);
  return answer(async () => describeResult(await ctx.service.describeCollection(s)), () => emptyDescribe(s.collectionName));
}

/** Like the SDK: DescribeCollection, and `value: false` on any error (status stays Success). */
export async function hasCollection(ctx: ClientContext, req: HasCollectionReq): Promise<BoolResponse> {
  const s = scoped(ctx, req);
  try {
    await ctx.service.describeCollection(s);
    return { status: successStatus(), value: true };
  } catch {
    return { status: successStatus(), value: false };
  }
}

export async function showCollections(ctx: ClientContext, req?: ShowCollectionsReq): Promise<ShowCollectionsResponse> {
  return answer(async () => {
    let list = await ctx.service.listCollections({ dbName: dbOf(ctx, req) });
    const names = req?.collection_names ?? [];
    if (names.length > 0) list = list.filter((c) => names.includes(c.name));
    if (req?.type === ShowCollectionsType.Loaded) list = list.filter((c) => c.loadedPercent > 0);
    return {
      collection_names: list.map((c) => c.name),
      collection_ids: list.map((c) => String(c.collectionId)),
      created_timestamps: list.map((c) => String(c.createdTimestamp)),
      created_utc_timestamps: list.map((c) => String(c.createdUtcMs)),
      inMemory_percentages: list.map((c) => String(c.loadedPercent)),
      query_service_available: list.map((c) => c.loadedPercent === 100),
      shards_num: list.map(() => 1),
      data: list.map((c) => ({ name: c.name, id: String(c.collectionId), timestamp: String(c.createdUtcMs), loadedPercentage: String(c.loadedPercent) })),
    };
  }, () => ({
    collection_names: [], collection_ids: [], created_timestamps: [], created_utc_timestamps: [],
    inMemory_percentages: [], query_service_available: [], shards_num: [], data: [],
  }));
}

export async function dropCollection(ctx: ClientContext, req: DropCollectionReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.dropCollection(s));
}

/** TruncateCollection (2.6): the SDK answers `{ status }`. */
export async function truncateCollection(ctx: ClientContext, req: DropCollectionReq): Promise<{ status: ResStatus }> {
  const s = scoped(ctx, req);
  return { status: await statusOf(() => ctx.service.truncateCollection(s)) };
}

/** BatchDescribeCollection (2.6): one DescribeCollection-shaped answer per name, each with its own status. */
export async function batchDescribeCollections(ctx: ClientContext, req: { collection_names: string[]; db_name?: string }): Promise<{ status: ResStatus; responses: DescribeCollectionResponse[] }> {
  const dbName = dbOf(ctx, req);
  return answer(async () => {
    const answers = await ctx.service.batchDescribeCollection({ dbName, collectionNames: req.collection_names ?? [] });
    return {
      responses: answers.map((a) => ({ ...describeResult(a), status: successStatus() })),
    };
  }, () => ({ responses: [] }));
}

export async function renameCollection(ctx: ClientContext, req: RenameCollectionReq): Promise<ResStatus> {
  const dbName = dbOf(ctx, req);
  return statusOf(() => ctx.service.renameCollection({
    dbName, oldName: req.collection_name, newName: req.new_collection_name, ...(req.new_db_name ? { newDbName: req.new_db_name } : {}),
  }));
}

/** alterCollectionProperties / alterCollection; `delete_keys` removes properties as well. */
export async function alterCollectionProperties(ctx: ClientContext, req: AlterCollectionReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.alterCollection({ ...s, properties: stringifyValues(req.properties), deleteKeys: req.delete_keys ?? [] }));
}

export async function dropCollectionProperties(ctx: ClientContext, req: DropCollectionPropertiesReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.alterCollection({ ...s, properties: {}, deleteKeys: req.properties }));
}

/** alterCollectionFieldProperties: `mmap.enabled`, VarChar `max_length` (service/fields.ts). */
export async function alterCollectionFieldProperties(ctx: ClientContext, req: AlterCollectionFieldPropertiesReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.alterCollectionField({ ...s, fieldName: req.field_name, properties: stringifyValues(req.properties), deleteKeys: [] }));
}

export async function getCollectionStatistics(ctx: ClientContext, req: GetCollectionStatisticsReq): Promise<StatisticsResponse> {
  const s = scoped(ctx, req);
  return answer(async () => {
    const rowCount = String((await ctx.service.getCollectionStatistics(s)).rowCount);
    return { stats: [{ key: 'row_count', value: rowCount }], data: { row_count: rowCount } };
  }, (): { stats: KeyValuePair[]; data: Record<string, string> } => ({ stats: [], data: {} }));
}


/**
 * AddCollectionStructField (Milvus 2.6; pymilvus `add_collection_struct_field`): `field` declared as in
 * createCollection (`data_type: Array, element_type: Struct, max_capacity, nullable: true, fields`).
 */
export async function addCollectionStructField(ctx: ClientContext, req: { collection_name: string; db_name?: string; field: FieldType }): Promise<ResStatus> {
  const s = scoped(ctx, req);
  return statusOf(() => ctx.service.addCollectionStructField({ ...s, struct: structFieldSpec(req.field, { collection_name: req.collection_name, fields: [] }) }));
}
