/**
 * AddCollectionField (Milvus 2.6 schema evolution). The added field must be nullable, so rows
 * written before it read as its default value, else NULL; it cannot be a primary, partition or
 * clustering key or auto-ID, and its name must be new; a vector field (Milvus 2.6) reads as null for
 * the rows written before it, within the limit of vector fields per collection.
 */
import { isVectorType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { Engine } from '../engine/engine.js';
import { DataType } from '../core/enums.js';
import { buildField } from '../schema/field.js';
import { buildStructFields } from '../schema/struct.js';
import { fieldByName } from '../schema/types.js';
import { requireCollection } from './resolve.js';
import type * as T from './types.js';
import { checkMmapValue, refuseWhileLoaded } from './mmap.js';

export async function addCollectionField(engine: Engine, req: T.AddCollectionFieldRequest): Promise<void> {
  const c = requireCollection(engine, req);
  const spec = req.field;
  const refuse = (why: string) => errors.invalidParameter(`${why}, field name = ${spec.name}`);
  if (spec.isPrimaryKey === true) throw refuse('not support to add pk field');
  if (spec.autoId === true) throw refuse('only primary field can speficy AutoID with true');
  if (spec.isPartitionKey === true) throw refuse('not support to add partition key field');
  if (spec.isClusteringKey === true) throw refuse('not support to add clustering key field');
  if (spec.nullable !== true) throw refuse('added field must be nullable, please check it');
  const fields = c.meta.schema.fields;
  // Milvus 2.6 adds nullable vector fields too: rows written before read as null.
  if (isVectorType(spec.dataType) && fields.filter((f) => isVectorType(f.dataType)).length >= limits.maxVectorFieldsPerCollection) {
    throw errors.invalidParameter(`maximum vector field's number should be limited to ${limits.maxVectorFieldsPerCollection}`);
  }
  if (fields.some((f) => f.name === spec.name)) throw refuse('duplicated field name');
  if (fields.filter((f) => !f.isDynamic).length >= limits.maxFieldsPerCollection) {
    throw errors.invalidParameter(`maximum field's number should be limited to ${limits.maxFieldsPerCollection}`);
  }
  let nextId = 0;
  for (const f of fields) if (f.fieldId >= nextId) nextId = f.fieldId + 1;
  await engine.addField(c, [buildField(spec, nextId)]);
}

/**
 * AddCollectionStructField (Milvus 2.6): a nullable Array-of-Struct field joins an existing
 * collection; rows written before it read null. Member checks are CreateCollection's (schema/struct.ts).
 */
export async function addCollectionStructField(engine: Engine, req: T.AddCollectionStructFieldRequest): Promise<void> {
  const c = requireCollection(engine, req);
  const s = req.struct;
  if (s.nullable !== true) throw errors.invalidParameter(`added struct field must be nullable, please check it, struct field name = ${s.name}`);
  const schema = c.meta.schema;
  const taken = new Set([...schema.fields.map((f) => f.name), ...(schema.structFields ?? []).map((x) => x.name)]);
  for (const name of [s.name, ...s.members.map((m) => `${s.name}[${m.name}]`)]) {
    if (taken.has(name)) throw errors.invalidParameter(`field already exists, name: ${name}`);
  }
  if (schema.fields.filter((f) => !f.isDynamic).length + s.members.length > limits.maxFieldsPerCollection) {
    throw errors.invalidParameter(`maximum field's number should be limited to ${limits.maxFieldsPerCollection}`);
  }
  let nextId = 0;
  for (const f of schema.fields) if (f.fieldId >= nextId) nextId = f.fieldId + 1;
  for (const x of schema.structFields ?? []) if (x.fieldId >= nextId) nextId = x.fieldId + 1;
  const { structs, members } = buildStructFields([s], nextId, taken);
  await engine.addField(c, members, structs[0]);
}

/**
 * AlterCollectionField: `mmap.enabled` on any field, `max_length` on VarChar fields and Arrays of
 * VarChar (1..65535); other keys are refused. Properties live in the field's type params.
 */
export async function alterCollectionField(engine: Engine, req: T.AlterCollectionFieldRequest): Promise<void> {
  const c = requireCollection(engine, req);
  const field = fieldByName(c.meta.schema, req.fieldName);
  if (!field || field.isDynamic) throw errors.fieldNotFound(req.fieldName);
  const typeParams = { ...field.typeParams };
  let maxLength = field.maxLength;
  for (const [key, value] of Object.entries(req.properties)) {
    if (key === 'mmap.enabled') {
      refuseWhileLoaded(c, 'can not alter collection field properties if collection loaded');
      typeParams[key] = checkMmapValue(value);
    } else if (key === 'max_length') {
      const isText = field.dataType === DataType.VarChar || (field.dataType === DataType.Array && field.elementType === DataType.VarChar);
      if (!isText) throw errors.invalidParameter(`${key} can only be altered on VarChar fields`, { field: field.name });
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0 || n > limits.maxVarCharBytes) {
        throw errors.invalidParameter('max_length', { expected: `(0, ${limits.maxVarCharBytes}]`, actual: value });
      }
      typeParams[key] = String(n);
      maxLength = n;
    } else {
      throw errors.invalidParameter(`${key} is not a configable field property`, { field: field.name, key });
    }
  }
  for (const key of req.deleteKeys) {
    if (key !== 'mmap.enabled') throw errors.invalidParameter(`${key} is not a configable field property`, { field: field.name, key });
    refuseWhileLoaded(c, 'can not alter collection field properties if collection loaded');
    delete typeParams[key];
  }
  await engine.replaceField(c, { ...field, typeParams, maxLength });
}
