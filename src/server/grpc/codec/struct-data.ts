/**
 * Array-of-Struct data on the wire (`FieldData.struct_arrays`): in, one FieldData per member (an
 * `array_data` for scalars, a `vector_array` for vectors) becomes one stored column per member,
 * named `parent[member]` (schema/struct.ts); out, the output columns of one struct's members are
 * gathered back into one FieldData named after the struct.
 */
import { DataType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import type { Column } from '../../../schema/column.js';
import { elementsToVectors, storedElementType, vectorToElements } from '../../../schema/struct.js';
import type { ArrayElement } from '../../../schema/types.js';
import type { OutputColumn } from '../../../service/types.js';
import { columnFromFieldData, decodeVector } from './field-data.js';
import { fieldDataToWire, payloadOfColumn } from './field-data-encode.js';
import { list, msg, num, oneofCase, str, type Wire } from './wire.js';
import { dataTypeOf } from './schema.js';

const ARRAY_OF_VECTOR = 106;

/** One member's `vector_array` -> its stored rows (each row's vectors end to end as numbers). */
function vectorMemberColumn(fd: Wire, name: string, numRows: number): Column {
  const va = msg(msg(fd['vectors'], 'vectors')['vector_array'], 'vector_array');
  const type = dataTypeOf(va['element_type'], `element type of ${name}`);
  const rows: ArrayElement[][] = list(va['data'], `${name}.vector_array`).map((v) => {
    const vf = msg(v, 'vector_array.data');
    const n = num(vf['dim'], 'dim');
    const col = decodeVector({ vectors: { ...vf, dim: n > 0 ? n : num(va['dim'], 'dim') } }, type, name, null, -1);
    return vectorToElements(type, col);
  });
  if (rows.length !== numRows) {
    throw errors.invalidParameter(`the num_rows (${rows.length}) of field (${name}) is not equal to passed num_rows (${numRows})`);
  }
  return { kind: 'array', elementType: storedElementType(type), data: rows, valid: null };
}

/** A struct FieldData -> its members' stored columns. */
function structColumns(fd: Wire, numRows: number, out: Map<string, Column>): void {
  const parent = str(fd['field_name'], 'field_name');
  // A nullable struct: `valid_data` on the struct's FieldData marks whole rows null in every member.
  const valid = list(fd['valid_data'], `${parent}.valid_data`);
  const validOf = valid.length === 0 ? null : Uint8Array.from(valid, (x) => (x === true ? 1 : 0));
  for (const m of list(msg(fd['struct_arrays'], 'struct_arrays')['fields'], `${parent}.struct_arrays`)) {
    const mfd = msg(m, 'struct member');
    const name = `${parent}[${str(mfd['field_name'], 'field_name')}]`;
    const column = num(mfd['type'], 'type') === ARRAY_OF_VECTOR || oneofCase(mfd, 'field') === 'vectors'
      ? vectorMemberColumn(mfd, name, numRows)
      : columnFromFieldData({ ...mfd, field_name: name, type: DataType.Array }, numRows).column;
    if (out.has(name)) throw errors.invalidParameter(`duplicated field ${name} in fields_data`);
    out.set(name, validOf === null ? column : withNullRows(column, validOf));
  }
}

/** A member column with the struct's null rows: those rows hold no elements and are marked null. */
function withNullRows(c: Column, valid: Uint8Array): Column {
  if (c.kind !== 'array') return c;
  const data = c.data.map((row, r) => (valid[r] === 0 ? [] : row));
  return { ...c, data, valid };
}

/** `fields_data[]` -> columns keyed by field name (struct members as `parent[member]`). Duplicates are an error. */
export function columnsFromFieldData(fieldsData: unknown, numRows: number): Map<string, Column> {
  const out = new Map<string, Column>();
  for (const fd of list(fieldsData, 'fields_data')) {
    const m = msg(fd, 'fields_data');
    if (oneofCase(m, 'field') === 'struct_arrays' || (m['struct_arrays'] !== undefined && m['struct_arrays'] !== null)) {
      structColumns(m, numRows, out);
      continue;
    }
    const { name, column } = columnFromFieldData(fd, numRows);
    if (out.has(name)) throw errors.invalidParameter(`duplicated field ${name} in fields_data`);
    out.set(name, column);
  }
  return out;
}

/** One vector member's output column -> its FieldData (`vector_array`, one VectorField per row). */
function vectorMemberToWire(oc: OutputColumn, name: string): Wire {
  const { field, column } = oc;
  const t = field.structMember?.type ?? DataType.None;
  const rows = column.kind === 'array' ? column.data : [];
  const data = rows.map((r) => {
    const p = payloadOfColumn(elementsToVectors(field, r));
    return p['vectors'];
  });
  return {
    type: ARRAY_OF_VECTOR, field_name: name, field_id: String(field.fieldId), is_dynamic: false, valid_data: [],
    vectors: { dim: String(field.dim ?? 0), vector_array: { dim: String(field.dim ?? 0), data, element_type: t } },
  };
}

function memberToWire(oc: OutputColumn): Wire {
  const name = oc.field.structMember?.name ?? oc.field.name;
  const t = oc.field.structMember?.type ?? DataType.None;
  if (t === DataType.FloatVector || t === DataType.Float16Vector || t === DataType.BFloat16Vector
    || t === DataType.Int8Vector || t === DataType.BinaryVector) return vectorMemberToWire(oc, name);
  const fd = fieldDataToWire(oc);
  return { ...fd, field_name: name, valid_data: [] };
}

/** Output columns -> FieldData list, a struct's member columns gathered into one struct FieldData. */
export function fieldsDataToWire(columns: readonly OutputColumn[]): Wire[] {
  const out: Wire[] = [];
  const structs = new Map<string, Wire[]>();
  for (const oc of columns) {
    const parent = oc.field.structMember?.parent;
    if (parent === undefined) {
      out.push(fieldDataToWire(oc));
      continue;
    }
    let members = structs.get(parent);
    if (members === undefined) {
      members = [];
      structs.set(parent, members);
      const v = oc.column.valid;
      out.push({
        type: DataType.Array, field_name: parent, field_id: '0', is_dynamic: false,
        valid_data: v === null ? [] : Array.from(v, (x) => x !== 0), struct_arrays: { fields: members },
      });
    }
    members.push(memberToWire(oc));
  }
  return out;
}
