/**
 * The hot RPCs of the gRPC door with their success replies encoded directly (codec/replies.ts):
 * the same decoders and service calls as their entries in rpc-table.ts (which /api/v1 uses too),
 * only the last step differs, and it writes the bytes protobufjs would write for that table's answer.
 */
import type { MilvusApi } from '../../service/api.js';
import { decodeChecked } from './codec/checked.js';
import type { CallContext } from './codec/context.js';
import { boolReply, mutationReply, queryReply, searchReply, type EncodedReply } from './codec/replies.js';
import * as R from './codec/requests.js';
import { hybridSearchFromWire, queryFromWire, searchFromWire } from './codec/search.js';
import type { Wire } from './codec/wire.js';

export type EncodedHandler = (api: MilvusApi, req: Wire, ctx: CallContext) => Promise<EncodedReply>;

export const encodedRpcs: Record<string, EncodedHandler> = {
  HasCollection: async (api, req, ctx) => boolReply(await api.hasCollection(R.collectionScoped(req, ctx))),
  HasPartition: async (api, req, ctx) => boolReply(await api.hasPartition(R.partitionRequest(req, ctx))),
  Insert: async (api, req, ctx) => mutationReply(await api.insert(decodeChecked(api, 'insert', req, ctx, R.insertRequest))),
  Upsert: async (api, req, ctx) => mutationReply(await api.upsert(decodeChecked(api, 'upsert', req, ctx, R.insertRequest))),
  Delete: async (api, req, ctx) => mutationReply(await api.delete(decodeChecked(api, 'delete', req, ctx, R.deleteRequest))),
  Search: async (api, req, ctx) => {
    const r = decodeChecked(api, 'search', req, ctx, searchFromWire);
    return searchReply(await api.search(r), r.collectionName);
  },
  Query: async (api, req, ctx) => {
    const r = decodeChecked(api, 'query', req, ctx, queryFromWire);
    return queryReply(await api.query(r), r.collectionName);
  },
  HybridSearch: async (api, req, ctx) => {
    const r = decodeChecked(api, 'hybridSearch', req, ctx, hybridSearchFromWire);
    return searchReply(await api.hybridSearch(r), r.collectionName);
  },
};
