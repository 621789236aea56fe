/** What every method family needs: the service and the database chosen with `use()`. */
import type { MilvusApi } from '../service/api.js';
import { clientError } from './status.js';
import { ERROR_REASONS } from './enums.js';

export interface ClientContext {
  /** The service as the caller in `database` (`use()` rescopes it). */
  service: MilvusApi;
  /** The database for requests without `db_name` (`use({db_name})` changes it). */
  database: string;
  /** With `actAs`: the service as that user in a database. */
  readonly scope?: (database: string) => MilvusApi;
}

export function dbOf(ctx: ClientContext, req: { db_name?: string | undefined } | undefined): string {
  return req?.db_name ? req.db_name : ctx.database;
}

/** The SDK's checkCollectionName: a missing name throws before any call. */
export function requireCollectionName(req: { collection_name?: string } | undefined): string {
  if (!req || !req.collection_name) throw clientError(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
  return req.collection_name;
}

export function scoped(ctx: ClientContext, req: { collection_name?: string; db_name?: string | undefined }): { dbName: string; collectionName: string } {
  return { dbName: dbOf(ctx, req), collectionName: requireCollectionName(req) };
}
