/** REST v2 `indexes/*`: index params are `{fieldName, indexName, metricType, params: {index_type, ...}}`. */
import type { Args } from '../args.js';
import { collectionOf, empty, ok, type RestCall, type V2Table } from '../route.js';
import { indexesOf } from './collections.js';
import { describeIndexData } from './describe.js';

/** One `indexParams` entry -> the service's flattened string params. */
function indexParamsOf(p: Args): Record<string, string> {
  const params = p.stringRecord('params');
  const out: Record<string, string> = { ...params };
  const indexType = p.optStr('indexType') ?? params['index_type'] ?? params['indexType'];
  delete out['indexType'];
  out['index_type'] = indexType ?? 'AUTOINDEX';
  const metric = p.optStr('metricType') ?? params['metric_type'] ?? params['metricType'];
  delete out['metricType'];
  if (metric !== undefined) out['metric_type'] = metric;
  return out;
}

export async function createIndexes(call: RestCall, collectionName: string, list: readonly Args[]): Promise<void> {
  for (const p of list) {
    const indexName = p.optStr('indexName');
    await call.api.createIndex({
      dbName: call.dbName, collectionName, fieldName: p.str('fieldName'), params: indexParamsOf(p), ...(indexName ? { indexName } : {}),
    });
  }
}

export const indexRoutes: V2Table = {
  'indexes/create': async (call) => {
    await createIndexes(call, call.args.str('collectionName'), call.args.objects('indexParams', true));
    return empty();
  },
  'indexes/list': async (call) => ok((await indexesOf(call.api, collectionOf(call))).map((i) => i.indexName)),
  'indexes/describe': async (call) => {
    const list = await call.api.describeIndex({ ...collectionOf(call), indexName: call.args.str('indexName') });
    return ok(list.map(describeIndexData));
  },
  'indexes/drop': async (call) => {
    await call.api.dropIndex({ ...collectionOf(call), indexName: call.args.str('indexName') });
    return empty();
  },
  'indexes/alter_properties': async (call) => {
    await call.api.alterIndex({ ...collectionOf(call), indexName: call.args.str('indexName'), properties: call.args.stringRecord('properties'), deleteKeys: [] });
    return empty();
  },
  'indexes/drop_properties': async (call) => {
    await call.api.alterIndex({ ...collectionOf(call), indexName: call.args.str('indexName'), properties: {}, deleteKeys: call.args.requiredStrList('propertyKeys') });
    return empty();
  },
};
