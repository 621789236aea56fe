/** What a REST v2 handler gets and returns; the tables in v2/*.ts are keyed by path under /v2/vectordb/. */
import type { MilvusApi } from '../../service/api.js';
import type { Args } from './args.js';

export interface RestCall {
  /** The service as the authenticated caller (unchecked when auth is off). */
  readonly api: MilvusApi;
  readonly args: Args;
  /** `dbName` from the body (absent or empty: the service's `default`). */
  readonly dbName: string | undefined;
}

/** `data` of the envelope, plus top-level extras some endpoints add (search: `topks`). */
export interface V2Result {
  data: unknown;
  topks?: number[];
}

export type V2Handler = (call: RestCall) => Promise<V2Result>;
export type V2Table = Readonly<Record<string, V2Handler>>;

export const ok = (data: unknown): V2Result => ({ data });
export const empty = (): V2Result => ({ data: {} });

/** `{dbName, collectionName}` for the service, collectionName required. */
export function collectionOf(call: RestCall): { dbName: string | undefined; collectionName: string } {
  return { dbName: call.dbName, collectionName: call.args.str('collectionName') };
}
