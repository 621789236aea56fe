/**
 * addCollectionFunction / alterCollectionFunction / dropCollectionFunction with the Node SDK's
 * shapes: a missing `function` or `function_name` is the SDK's client-side error (ERROR_REASONS),
 * thrown before any call, as the SDK throws it.
 */
import type { AddCollectionFunctionReq, AlterCollectionFunctionReq, DropCollectionFunctionReq } from '@zilliz/milvus2-sdk-node';
import { type ClientContext, scoped } from './context.js';
import { functionSchema } from './schema.js';
import { clientError, type ResStatus, statusOf } from './status.js';

const FUNCTION_SCHEMA_IS_REQUIRED = 'The `function` property is missing.';
const FUNCTION_NAME_IS_REQUIRED = 'The `function_name` property is missing.';

export async function addCollectionFunction(ctx: ClientContext, req: AddCollectionFunctionReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  if (!req.function) throw clientError(FUNCTION_SCHEMA_IS_REQUIRED);
  const fn = functionSchema(req.function);
  return statusOf(() => ctx.service.addCollectionFunction({ ...s, function: fn }));
}

export async function alterCollectionFunction(ctx: ClientContext, req: AlterCollectionFunctionReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  if (!req.function_name) throw clientError(FUNCTION_NAME_IS_REQUIRED);
  if (!req.function) throw clientError(FUNCTION_SCHEMA_IS_REQUIRED);
  const fn = functionSchema(req.function);
  return statusOf(() => ctx.service.alterCollectionFunction({ ...s, functionName: req.function_name, function: fn }));
}

export async function dropCollectionFunction(ctx: ClientContext, req: DropCollectionFunctionReq): Promise<ResStatus> {
  const s = scoped(ctx, req);
  if (!req.function_name) throw clientError(FUNCTION_NAME_IS_REQUIRED);
  return statusOf(() => ctx.service.dropCollectionFunction({ ...s, functionName: req.function_name }));
}
