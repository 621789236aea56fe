/**
 * Decoding a request after the caller's privilege when the request is malformed: Milvus' privilege
 * interceptor runs before the proxy validates, so a caller without the privilege is denied (7) and
 * never learns what was wrong with a request it may not make. Well-formed requests are checked by
 * the service when the operation runs, as every other door's.
 */
import type { MilvusApi } from '../../../service/api.js';
import { dbNameOf, type CallContext } from './context.js';
import type { Wire } from './wire.js';

export function decodeChecked<T>(api: MilvusApi, op: keyof MilvusApi, req: Wire, ctx: CallContext, decode: (req: Wire, ctx: CallContext) => T): T {
  try {
    return decode(req, ctx);
  } catch (e) {
    const name = req['collection_name'];
    api.authorize(op, { dbName: dbNameOf(req, ctx), collectionName: typeof name === 'string' ? name : '' });
    throw e;
  }
}
