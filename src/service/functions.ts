/**
 * AddCollectionFunction / AlterCollectionFunction / DropCollectionFunction (Milvus 2.6: proxy
 * `task_function.go`, rootcoord `*_collection_function_task.go`). Milvus refuses all three on a BM25
 * function, so a BM25 output is never added to (or taken from) rows that already exist: no backfill,
 * no stale sparse rows. Other functions are catalog entries: the schema with the change is validated
 * as CreateCollection validates functions, then persisted (MANIFEST) before the call returns. A
 * function's output field must already exist; its values in existing rows stay as they are (Milvus
 * does not recompute them either). The refusals Milvus makes with a plain `fmt.Errorf` carry its
 * code 65535 (legacy UnexpectedError) and its exact words, typos included; the schema checks shared
 * with CreateCollection (duplicate name, fields not found, types) keep CreateCollection's 1100.
 */
import { errors } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { buildFunctions } from '../schema/build.js';
import { checkStoredFunction, FunctionType } from '../schema/functions.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { FunctionSchema } from '../schema/types.js';
import { requireCollection } from './resolve.js';
import type * as T from './types.js';

const milvusRefusal = (message: string) => errors.unexpected(message);

function validated(functions: FunctionSchema[], c: CollectionRuntime): FunctionSchema[] {
  return buildFunctions(functions, c.meta.schema.fields.filter((f) => !f.isDynamic), checkStoredFunction);
}

export async function addCollectionFunction(engine: Engine, req: T.AddCollectionFunctionRequest): Promise<void> {
  const fn = req.function;
  if (fn === undefined) throw milvusRefusal('Function Schema is empty');
  if (fn.type === FunctionType.BM25) throw milvusRefusal('Currently does not support adding BM25 function');
  const c = requireCollection(engine, req);
  const functions = validated([...c.meta.schema.functions, fn], c);
  await engine.replaceFunctions(c, functions);
}

export async function alterCollectionFunction(engine: Engine, req: T.AlterCollectionFunctionRequest): Promise<void> {
  const fn = req.function;
  if (fn === undefined) throw milvusRefusal('Function Schema is empty');
  if (fn.type === FunctionType.BM25) throw milvusRefusal('Currently does not support alter BM25 function');
  if (req.functionName !== fn.name) throw milvusRefusal('Invalid function config, name not match');
  const c = requireCollection(engine, req);
  const old = c.meta.schema.functions.find((f) => f.name === req.functionName);
  if (old === undefined) throw milvusRefusal(`Function ${req.functionName} not found`);
  if (old.type === FunctionType.BM25) throw milvusRefusal('Currently does not support alter BM25 function');
  const functions = validated(c.meta.schema.functions.map((f) => (f === old ? fn : f)), c);
  await engine.replaceFunctions(c, functions);
}

/** Dropping a function that does not exist succeeds, as in Milvus; its output becomes a plain field. */
export async function dropCollectionFunction(engine: Engine, req: T.DropCollectionFunctionRequest): Promise<void> {
  const c = requireCollection(engine, req);
  const old = c.meta.schema.functions.find((f) => f.name === req.functionName);
  if (old === undefined) return;
  if (old.type === FunctionType.BM25) throw milvusRefusal('Currently does not support droping BM25 function');
  await engine.replaceFunctions(c, c.meta.schema.functions.filter((f) => f !== old));
}
