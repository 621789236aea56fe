/**
 * Reading a segment file (format in segment.ts, column layout in codec.ts) in bounded pieces with
 * positional reads, each column's bytes going straight to where they will live: a fixed-width
 * column's elements into the destination its caller names (a resident vector column's wasm memory)
 * or into an array of their own; a mapped column's only through the checksum. No buffer of the
 * whole file exists, so a load holds the loaded data plus one piece, never the data twice.
 *
 * Every byte is checksummed as it arrives (CRC-32C in file order) and compared with the file's CRC
 * at the end: the caller must not use what it placed until this returns, and must free it if this
 * throws. The next piece is read while the current one is checksummed.
 */
import { DataType } from '../core/enums.js';
import type { Column, ColumnKind } from '../schema/column.js';
import { columnKindFor } from '../schema/column.js';
import { COLUMN_HEADER_BYTES, columnHeaderFields, decodeColumnBytes, pad8, unpackBits } from './codec-decode.js';
import type { FileSystem } from './fs/types.js';
import { storageErrors } from './errors.js';
import { PieceReader, READ_PIECE_BYTES, type Checksum } from './piece-reader.js';
import { SEGMENT_MAGIC, SEGMENT_VERSION } from './segment.js';

export { READ_PIECE_BYTES } from './piece-reader.js';
const HEADER_BYTES = 32;
const CODEC_HEADER_BYTES = 16;
const CODEC_VERSION = 1;

type FixedKind = Exclude<ColumnKind, 'varchar' | 'json' | 'array' | 'sparseVector'>;
const ELEMENT_BYTES: Readonly<Record<FixedKind, number>> = {
  bool: 1, int8: 1, int16: 2, int32: 4, int64: 8, float: 4, double: 8,
  floatVector: 4, float16Vector: 2, bfloat16Vector: 2, int8Vector: 1, binaryVector: 1,
};

function isFixedKind(k: ColumnKind): k is FixedKind {
  return Object.prototype.hasOwnProperty.call(ELEMENT_BYTES, k);
}


/** Where a fixed-width column's element bytes go. */
export interface ColumnPlacement {
  /**
   * A `byteLength`-byte destination (the column becomes a view of it) with, optionally, how to
   * checksum parts of it in place; 'skip' to checksum the bytes without keeping them (a mapped
   * column, read on demand later); or null for an array of its own.
   */
  place(fieldId: number, kind: ColumnKind, dim: number, numRows: number, byteLength: number): Placed | 'skip' | null;
}

/** A destination and how to checksum parts of it (default: crc32cFast). */
export interface Placed {
  bytes: Uint8Array;
  checksum?: Checksum;
}

export type { Checksum } from './piece-reader.js';

export interface StreamedColumn {
  fieldId: number;
  /** A skipped column's data is empty; its kind, dim and validity are real. */
  column: Column;
  /** File offset of a fixed-width column's first element (-1 for other kinds). */
  dataOffset: number;
  skipped: boolean;
}

export interface StreamedSegment {
  meta: Record<string, unknown>;
  numRows: number;
  cols: StreamedColumn[];
}

/** Read and verify a segment file piece by piece (see the file comment). */
export async function readSegmentPieces(
  fs: FileSystem, path: string, placement: ColumnPlacement | null = null, pieceBytes = READ_PIECE_BYTES,
): Promise<StreamedSegment> {
  const h = await fs.open(path, 'r');
  try {
    const r = new PieceReader(h, await h.size(), path, pieceBytes);
    const { meta, numRows } = await readHead(r);
    const head = new DataView((await r.bytes(CODEC_HEADER_BYTES, 'codec header')).buffer);
    const codecAt = r.position - CODEC_HEADER_BYTES;
    if (head.getUint32(0, true) !== CODEC_VERSION) throw r.corrupt(codecAt, `unsupported column codec version ${head.getUint32(0, true)}`);
    if (head.getUint32(4, true) !== numRows) throw r.corrupt(codecAt, `column data holds ${head.getUint32(4, true)} rows, header says ${numRows}`);
    const numCols = head.getUint32(8, true);
    if (numCols * COLUMN_HEADER_BYTES > r.size - r.position) throw r.corrupt(codecAt + 8, `column count ${numCols} does not fit in the file`);
    const cols: StreamedColumn[] = [];
    for (let i = 0; i < numCols; i++) cols.push(await readColumn(r, numRows, placement));
    await r.finish();
    return { meta, numRows, cols };
  } finally {
    await h.close();
  }
}

async function readHead(r: PieceReader): Promise<{ meta: Record<string, unknown>; numRows: number }> {
  if (r.size < HEADER_BYTES + 4) throw r.corrupt(0, `file is ${r.size} bytes, too short for a segment`);
  const head = await r.bytes(HEADER_BYTES, 'segment header');
  for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (head[i] !== SEGMENT_MAGIC[i]) throw r.corrupt(0, 'bad magic (not a segment file)');
  const dv = new DataView(head.buffer);
  const version = dv.getUint32(8, true);
  if (version !== SEGMENT_VERSION) throw storageErrors.unsupportedVersion(r.file, version, SEGMENT_VERSION);
  const lengthBytes = dv.getBigUint64(16, true);
  if (lengthBytes !== BigInt(r.size)) throw r.corrupt(16, `header says ${lengthBytes} bytes, file has ${r.size}`);
  const metaLength = dv.getUint32(24, true);
  if (HEADER_BYTES + pad8(metaLength) > r.size - 4) throw r.corrupt(24, `meta length ${metaLength} overruns the file`);
  const metaBytes = await r.bytes(pad8(metaLength), 'meta');
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metaBytes.subarray(0, metaLength)));
  } catch {
    throw r.corrupt(HEADER_BYTES, 'meta is not valid JSON');
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw r.corrupt(HEADER_BYTES, 'meta is not a JSON object');
  return { meta: meta as Record<string, unknown>, numRows: dv.getUint32(12, true) };
}

async function readColumn(r: PieceReader, numRows: number, placement: ColumnPlacement | null): Promise<StreamedColumn> {
  const start = r.position;
  const header = await r.bytes(COLUMN_HEADER_BYTES, 'column header');
  const { fieldId, code, hasValid, param, bodyBytes } = columnHeaderFields(new DataView(header.buffer));
  let kind: ColumnKind;
  try {
    kind = columnKindFor(code as DataType);
  } catch {
    throw r.corrupt(start + 4, `unknown column kind ${code}`);
  }
  if (!Number.isSafeInteger(bodyBytes) || bodyBytes > r.size - 4 - r.position) throw r.corrupt(start + 16, `column body of ${bodyBytes} bytes overruns the file`);
  if (!isFixedKind(kind)) {
    // Variable-width columns are decoded from a buffer of their own (header and body).
    const bytes = new Uint8Array(COLUMN_HEADER_BYTES + bodyBytes);
    bytes.set(header, 0);
    await r.into(bytes.subarray(COLUMN_HEADER_BYTES), 'column body');
    const { column } = decodeColumnBytes(bytes, numRows, { file: r.file, baseOffset: start });
    return { fieldId, column, dataOffset: -1, skipped: false };
  }
  const dim = kind.endsWith('Vector') ? param : 1;
  if (dim === 0 || (kind === 'binaryVector' && dim % 8 !== 0)) throw r.corrupt(start + 8, `bad vector dim ${dim}`);
  const count = kind === 'binaryVector' ? (numRows * dim) / 8 : numRows * dim;
  const elementBytes = count * ELEMENT_BYTES[kind];
  const bitmapBytes = hasValid ? pad8((numRows + 7) >>> 3) : 0;
  if (bodyBytes !== bitmapBytes + pad8(elementBytes)) throw r.corrupt(start + 16, `column body is ${bodyBytes} bytes, ${bitmapBytes + pad8(elementBytes)} expected`);
  const valid = hasValid ? unpackBits(await r.bytes(bitmapBytes, 'valid bitmap'), numRows) : null;
  const dataOffset = r.position;
  const placed = placement?.place(fieldId, kind, dim, numRows, elementBytes) ?? { bytes: new Uint8Array(elementBytes) };
  if (placed === 'skip') {
    await r.skip(pad8(elementBytes), 'column data');
    return { fieldId, column: fixedColumn(kind, dim, new Uint8Array(0), 0, valid), dataOffset, skipped: true };
  }
  const dst = placed.bytes;
  if (dst.length !== elementBytes) throw new RangeError(`placement for field ${fieldId} is ${dst.length} bytes, ${elementBytes} needed`);
  await r.into(dst, 'column data', placed.checksum);
  await r.skip(pad8(elementBytes) - elementBytes, 'column padding');
  return { fieldId, column: fixedColumn(kind, dim, dst, count, valid), dataOffset, skipped: false };
}

/** A fixed-width column viewing `bytes` (`count` elements). */
function fixedColumn(kind: FixedKind, dim: number, bytes: Uint8Array, count: number, valid: Uint8Array | null): Column {
  const b = bytes.buffer, o = bytes.byteOffset;
  switch (kind) {
    case 'bool': return { kind, data: new Uint8Array(b, o, count), valid };
    case 'int8': return { kind, data: new Int8Array(b, o, count), valid };
    case 'int16': return { kind, data: new Int16Array(b, o, count), valid };
    case 'int32': return { kind, data: new Int32Array(b, o, count), valid };
    case 'int64': return { kind, data: new BigInt64Array(b, o, count), valid };
    case 'float': return { kind, data: new Float32Array(b, o, count), valid };
    case 'double': return { kind, data: new Float64Array(b, o, count), valid };
    case 'floatVector': return { kind, dim, data: new Float32Array(b, o, count), valid };
    case 'float16Vector': return { kind, dim, data: new Uint16Array(b, o, count), valid };
    case 'bfloat16Vector': return { kind, dim, data: new Uint16Array(b, o, count), valid };
    case 'int8Vector': return { kind, dim, data: new Int8Array(b, o, count), valid };
    case 'binaryVector': return { kind, dim, data: new Uint8Array(b, o, count), valid };
  }
}

/**
 * Bytes each column of a segment file takes (its 24-byte header and body, padding included), by
 * field id, read from the column headers alone with positional reads: what a partial load leaves
 * out is known before any column is read. The bodies are not checksummed here (the load does that).
 */
export async function segmentColumnBytes(fs: FileSystem, path: string): Promise<Map<number, number>> {
  const h = await fs.open(path, 'r');
  try {
    const size = await h.size();
    const corrupt = (at: number, why: string) => storageErrors.corruptFile(path, at, why);
    const at = async (position: number, n: number, what: string): Promise<DataView> => {
      const b = new Uint8Array(n);
      if (position + n > size - 4 || (await h.read(b, position)) !== n) throw corrupt(position, `${what} overruns the file`);
      return new DataView(b.buffer);
    };
    const head = await at(0, HEADER_BYTES, 'segment header');
    for (let i = 0; i < SEGMENT_MAGIC.length; i++) if (head.getUint8(i) !== SEGMENT_MAGIC[i]) throw corrupt(0, 'bad magic (not a segment file)');
    let pos = HEADER_BYTES + pad8(head.getUint32(24, true));
    const numCols = (await at(pos, CODEC_HEADER_BYTES, 'codec header')).getUint32(8, true);
    pos += CODEC_HEADER_BYTES;
    const out = new Map<number, number>();
    for (let i = 0; i < numCols; i++) {
      const { fieldId, bodyBytes } = columnHeaderFields(await at(pos, COLUMN_HEADER_BYTES, 'column header'));
      if (!Number.isSafeInteger(bodyBytes) || bodyBytes > size - 4 - pos) throw corrupt(pos + 16, `column body of ${bodyBytes} bytes overruns the file`);
      out.set(fieldId, COLUMN_HEADER_BYTES + bodyBytes);
      pos += COLUMN_HEADER_BYTES + bodyBytes;
    }
    return out;
  } finally {
    await h.close();
  }
}
