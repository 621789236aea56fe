/** Per-call facts taken from gRPC metadata, handed to every decoder. */
import { str, type Wire } from './wire.js';

export interface CallContext {
  /** The `dbname` header, used when the request's `db_name` is empty. */
  headerDbName: string | undefined;
  /** The user from the `authorization` header (accepted as-is for now). */
  user: string | undefined;
}

export const emptyContext: CallContext = { headerDbName: undefined, user: undefined };

/** The request's `db_name`, else the `dbname` header, else undefined (the service's `default`). */
export function dbNameOf(req: Wire, ctx: CallContext): string | undefined {
  const own = str(req['db_name'], 'db_name');
  if (own !== '') return own;
  return ctx.headerDbName !== undefined && ctx.headerDbName !== '' ? ctx.headerDbName : undefined;
}
