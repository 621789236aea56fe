/**
 * Numpy column files, as Milvus imports them: one `<field>.npy` per field (and `$meta.npy` for the
 * dynamic field), every file with the same number of rows. Dtypes: bool `|b1`, integers
 * `i1 i2 i4 i8`, floats `f4 f8`, strings `<U` (VarChar, JSON text, `$meta`); vectors are 2-D:
 * FloatVector (n, dim) f4/f8, BinaryVector (n, dim/8) u1, Float16Vector (n, dim) f2 or its bytes
 * (n, 2·dim) u1, BFloat16Vector (n, 2·dim) u1, Int8Vector (n, dim) i1. Little-endian, C order;
 * object arrays (pickles) are refused. Arrays and sparse vectors cannot come from Numpy (as in
 * Milvus). A field without a file is NULL / its default when the schema allows, else refused.
 */
import { DataType, dataTypeName } from '../../../core/enums.js';
import { importErrors } from '../../../core/errors.js';
import type { FieldSchema } from '../../../schema/types.js';
import { DYNAMIC_FIELD_NAME } from '../../../schema/types.js';
import { functionOutputFields } from '../../../schema/build.js';
import type { ParsedFile, ReadContext, RowBatch } from './format.js';

interface NpyArray { file: string; kind: string; itemBytes: number; shape: number[]; data: Uint8Array }

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const bad = (why: string) => importErrors.failed(`file ${file} is not a valid .npy file: ${why}`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw bad('bad magic');
  const major = bytes[6] ?? 0;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) throw bad('too short');
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) throw bad('header runs past the end');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad('header lacks descr, fortran_order or shape');
  if (fortran === 'True') throw bad('Fortran order is not supported');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.length === 0 || shape.length > 2 || shape.some((n) => !Number.isSafeInteger(n) || n < 0)) throw bad(`unsupported shape (${shapeText})`);
  const m = /^([<>|=])([biufU])(\d+)$/.exec(descr);
  if (m === null) throw bad(`unsupported dtype ${descr}`);
  const [, order, code, sizeText] = m as unknown as [string, string, string, string];
  const size = Number(sizeText);
  const itemBytes = code === 'U' ? size * 4 : size;
  if (order === '>' && itemBytes > 1) throw bad(`big-endian dtype ${descr} is not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (dataStart + count * itemBytes !== bytes.length) throw bad(`data is ${bytes.length - dataStart} bytes, the shape needs ${count * itemBytes}`);
  // A copy, so typed views of it are aligned.
  return { file, kind: `${code}${size}`, itemBytes, shape, data: new Uint8Array(bytes.subarray(dataStart)) };
}

type Getter = (row: number) => unknown;

function scalarGetter(a: NpyArray, f: FieldSchema | null): Getter {
  const name = f?.name ?? DYNAMIC_FIELD_NAME;
  const want = (what: string) => importErrors.failed(`file ${a.file}: field '${name}' needs ${what}, the file holds dtype ${a.kind} of shape (${a.shape.join(', ')})`);
  if (a.shape.length !== 1) throw want('a 1-D array');
  const buf = a.data.buffer;
  switch (a.kind) {
    case 'b1': return (i) => a.data[i] !== 0;
    case 'i1': { const v = new Int8Array(buf); return (i) => v[i]; }
    case 'u1': return (i) => a.data[i];
    case 'i2': { const v = new Int16Array(buf); return (i) => v[i]; }
    case 'i4': { const v = new Int32Array(buf); return (i) => v[i]; }
    case 'i8': { const v = new BigInt64Array(buf); return (i) => v[i]; }
    case 'f4': { const v = new Float32Array(buf); return (i) => v[i]; }
    case 'f8': { const v = new Float64Array(buf); return (i) => v[i]; }
    default:
      if (a.kind.startsWith('U')) {
        const chars = a.itemBytes / 4;
        const v = new Uint32Array(buf);
        return (i) => {
          let s = '';
          for (let k = 0; k < chars; k++) {
            const cp = v[i * chars + k] ?? 0;
            if (cp === 0) break;
            s += String.fromCodePoint(cp);
          }
          return s;
        };
      }
      throw want('a supported dtype');
  }
}

function vectorGetter(a: NpyArray, f: FieldSchema): Getter {
  const dim = f.dim ?? 0;
  const width = a.shape[1] ?? -1;
  const fail = (what: string) => importErrors.failed(`file ${a.file}: field '${f.name}' needs ${what}, the file holds dtype ${a.kind} of shape (${a.shape.join(', ')})`);
  const buf = a.data.buffer;
  switch (f.dataType) {
    case DataType.FloatVector:
      if (width !== dim || (a.kind !== 'f4' && a.kind !== 'f8')) throw fail(`float32 values of shape (n, ${dim})`);
      if (a.kind === 'f4') { const v = new Float32Array(buf); return (i) => v.subarray(i * dim, (i + 1) * dim); }
      { const v = new Float64Array(buf); return (i) => v.subarray(i * dim, (i + 1) * dim); }
    case DataType.BinaryVector:
      if (width !== dim / 8 || a.kind !== 'u1') throw fail(`uint8 values of shape (n, ${dim / 8})`);
      return (i) => a.data.subarray(i * width, (i + 1) * width);
    case DataType.Float16Vector: case DataType.BFloat16Vector:
      if (a.kind === 'f2' && f.dataType === DataType.Float16Vector && width === dim) {
        const v = new Uint16Array(buf);
        return (i) => v.subarray(i * dim, (i + 1) * dim);
      }
      if (a.kind !== 'u1' || width !== dim * 2) throw fail(`uint8 bytes of shape (n, ${dim * 2})`);
      return (i) => a.data.subarray(i * width, (i + 1) * width);
    case DataType.Int8Vector:
      if (width !== dim || a.kind !== 'i1') throw fail(`int8 values of shape (n, ${dim})`);
      { const v = new Int8Array(buf); return (i) => v.subarray(i * dim, (i + 1) * dim); }
    default:
      throw fail('a supported layout');
  }
}

const VECTORS = new Set<DataType>([DataType.FloatVector, DataType.BinaryVector, DataType.Float16Vector, DataType.BFloat16Vector, DataType.Int8Vector]);
const UNSUPPORTED = new Set<DataType>([DataType.Array, DataType.SparseFloatVector]);

function getterFor(a: NpyArray, f: FieldSchema | null): Getter {
  if (f !== null && UNSUPPORTED.has(f.dataType)) throw importErrors.failed(`file ${a.file}: field '${f.name}' of type ${dataTypeName(f.dataType) ?? f.dataType} cannot be imported from Numpy files`);
  return f !== null && VECTORS.has(f.dataType) ? vectorGetter(a, f) : scalarGetter(a, f);
}

/** `files`: the group's .npy files by name (`<field>.npy`), read. */
export function parseNumpy(files: ReadonlyMap<string, Uint8Array>, ctx: ReadContext): ParsedFile {
  const fields = new Map(ctx.schema.fields.filter((f) => !f.isDynamic).map((f) => [f.name, f]));
  const outputs = functionOutputFields(ctx.schema);
  const getters = new Map<string, Getter>();
  let rows = -1;
  for (const [file, bytes] of files) {
    const base = file.slice(file.lastIndexOf('/') + 1).replace(/\.npy$/i, '');
    const f = fields.get(base) ?? null;
    if (f === null && (base !== DYNAMIC_FIELD_NAME || !ctx.schema.enableDynamicField)) {
      throw importErrors.failed(`file ${file}: '${base}' is not a field of the collection`);
    }
    if (f !== null && outputs.has(f.name)) throw importErrors.failed(`file ${file}: the field '${f.name}' is the output of a function, no need to provide it`);
    const a = parseNpy(bytes, file);
    if (rows >= 0 && a.shape[0] !== rows) throw importErrors.failed(`file ${file} has ${a.shape[0] ?? 0} rows, the other files of its group have ${rows}`);
    rows = a.shape[0] ?? 0;
    getters.set(base, getterFor(a, f));
  }
  const totalRows = Math.max(rows, 0);
  function* batches(batchRows: number): Iterable<RowBatch> {
    for (let at = 0; at < totalRows; at += batchRows) {
      const out: Record<string, unknown>[] = [];
      for (let i = at; i < Math.min(totalRows, at + batchRows); i++) {
        const row: Record<string, unknown> = {};
        for (const [name, get] of getters) row[name] = get(i);
        out.push(row);
      }
      yield { rows: out, firstRow: at + 1 };
    }
  }
  return { totalRows, columns: [...getters.keys()], batches };
}
