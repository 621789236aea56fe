/**
 * `schema.FieldData` of an output column written straight from its typed array: the bytes protobufjs
 * writes for `fieldDataToWire(oc)` (field-data-encode.ts), without the plain-object detour (a number
 * list per vector column, a decimal string per int64, `fromObject`, `encode`). The Node SDK asks every
 * search for `output_fields: ['*']`, so each hit's vector comes back; through the descriptor this cost
 * 0.13 ms of a 0.64 ms search (10 hits of 128-d). Kinds with more to them (JSON, arrays, sparse
 * vectors, geometry, struct members) and float columns holding NaN (whose bits a number round trip
 * may change) are left to the descriptor path: `writeFieldData` answers false for them.
 * test/server/pb-codec.test.ts compares both bit for bit.
 */
import { DataType } from '../../../core/enums.js';
import type { Column } from '../../../schema/column.js';
import type { OutputColumn } from '../../../service/types.js';
import { doorColumn } from '../../../service/output.js';
import { compactVectors } from './field-data-encode.js';
import { PbWriter } from './pb/writer.js';

const VARINT = 0;
const LD = 2;

function hasNaN(a: Float32Array | Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) return true;
  return false;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** protobufjs' `int32`: negatives as 10-byte two's-complement varints. */
function int32(w: PbWriter, v: number): void {
  w.varint64(v >>> 0, v < 0 ? 0xffffffff : 0);
}

/** The column's payload (FieldData `scalars` = 3 or `vectors` = 4), or false when this file does not write its kind. */
function writePayload(w: PbWriter, c: Column): boolean {
  switch (c.kind) {
    case 'bool': {
      const d = c.data;
      w.tag(3, LD).message((s) => s.tag(1, LD).message((a) => {
        if (d.length > 0) a.tag(1, LD).message((p) => { for (let i = 0; i < d.length; i++) p.bool(d[i] === 1); });
      }));
      return true;
    }
    case 'int8': case 'int16': case 'int32': {
      const d = c.data;
      w.tag(3, LD).message((s) => s.tag(2, LD).message((a) => {
        if (d.length > 0) a.tag(1, LD).message((p) => { for (let i = 0; i < d.length; i++) int32(p, d[i]!); });
      }));
      return true;
    }
    case 'int64': {
      const d = c.data;
      const halves = new Uint32Array(d.buffer, d.byteOffset, d.length * 2);
      w.tag(3, LD).message((s) => s.tag(3, LD).message((a) => {
        if (d.length > 0) a.tag(1, LD).message((p) => { for (let i = 0; i < d.length; i++) p.varint64(halves[2 * i]!, halves[2 * i + 1]!); });
      }));
      return true;
    }
    case 'float': case 'double': {
      if (hasNaN(c.data)) return false;
      const d = c.data;
      w.tag(3, LD).message((s) => s.tag(c.kind === 'float' ? 4 : 5, LD).message((a) => { if (d.length > 0) a.tag(1, LD).bytes(bytesOf(d)); }));
      return true;
    }
    case 'varchar': {
      const d = c.data;
      w.tag(3, LD).message((s) => s.tag(6, LD).message((a) => { for (const v of d) a.tag(1, LD).string(v); }));
      return true;
    }
    case 'floatVector': {
      if (hasNaN(c.data)) return false;
      const d = c.data;
      w.tag(4, LD).message((v) => {
        v.tag(1, VARINT).uint53(c.dim);
        v.tag(2, LD).message((a) => { if (d.length > 0) a.tag(1, LD).bytes(bytesOf(d)); });
      });
      return true;
    }
    case 'binaryVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector': {
      const id = c.kind === 'binaryVector' ? 3 : c.kind === 'float16Vector' ? 4 : c.kind === 'bfloat16Vector' ? 5 : 7;
      const d = bytesOf(c.data);
      w.tag(4, LD).message((v) => v.tag(1, VARINT).uint53(c.dim).tag(id, LD).bytes(d));
      return true;
    }
    default:
      return false;
  }
}

/**
 * Write `oc` as one FieldData message (tag `tag` of `w`) and answer true, or write nothing and answer
 * false (a kind left to the descriptor path; see the file comment). Not for struct members, which
 * are gathered into their struct's FieldData.
 */
export function writeFieldData(w: PbWriter, tag: number, oc: OutputColumn): boolean {
  const { field } = oc;
  if (field.structMember !== undefined || field.dataType === DataType.Geometry || field.fieldId < 0) return false;
  const column = compactVectors(doorColumn(oc));
  const sub = new PbWriter(64 + column.data.length * 8);
  sub.tag(1, VARINT).uint53(field.dataType);
  sub.tag(2, LD).string(field.name);
  if (!writePayload(sub, column)) return false;
  sub.tag(5, VARINT).uint53(field.fieldId);
  sub.tag(6, VARINT).bool(field.isDynamic);
  const valid = oc.column.valid;
  if (valid !== null && valid.length > 0) sub.tag(7, LD).message((p) => { for (let i = 0; i < valid.length; i++) p.bool(valid[i] === 1); });
  w.tag(tag, LD).bytes(sub.finish());
  return true;
}
