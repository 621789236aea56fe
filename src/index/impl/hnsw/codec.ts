/**
 * HNSW payload, format version 1 (little-endian). Raw vectors are not included: they come from the
 * segment's column; quantised codes are recomputed from the column and the stored quantiser.
 *
 *    0  u8[4]  magic "HNSW"
 *    4  u16    version (1)
 *    6  u16    reserved (0)
 *    8  u32    numRows
 *   12  u32    dim
 *   16  u32    M
 *   20  u32    efConstruction
 *   24  u8     metric (0 L2, 1 IP, 2 COSINE)
 *   25  u8     maxLevel
 *   26  u16    reserved (0)
 *   28  i32    entryPoint (-1 = empty graph)
 *   32  u32    upperBlocks (sum of all levels)
 *   36  u32    quantiser section length Q in bytes (0 = none)
 *   40  u8[numRows]                levels, zero padded to a multiple of 4
 *   ..  i32[numRows * (2M + 1)]    layer-0 lists: count, then up to 2M row ids
 *   ..  i32[upperBlocks * (M + 1)] upper lists (row order; a row's layers 1..level in order)
 *   ..  u8[Q]                      quantiser section (see sq.ts)
 *
 * The storage layer adds its own length and CRC-32C around the payload; reading still checks every
 * count and row id so a bad payload fails with an error instead of a broken graph.
 */
import { errors } from '../../../core/errors.js';
import type { PayloadReader } from '../../descriptor.js';
import { HnswGraph, MAX_LEVEL, type LinkStorage } from './graph.js';

const MAGIC = 0x57534e48; // "HNSW" read as a little-endian u32
export const HNSW_FORMAT_VERSION = 1;
const HEADER_BYTES = 40;

export interface HnswPayload {
  graph: HnswGraph;
  dim: number;
  efConstruction: number;
  metricCode: number;
  quantiser: Uint8Array;
}

const pad4 = (n: number): number => (n + 3) & ~3;

function bad(what: string): never {
  throw errors.internal(`HNSW index payload is corrupt: ${what}`);
}

export function encodeHnsw(p: HnswPayload): Uint8Array {
  const g = p.graph;
  const levelsBytes = pad4(g.numRows);
  const total = HEADER_BYTES + levelsBytes + g.layer0.byteLength + g.upper.byteLength + p.quantiser.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint16(4, HNSW_FORMAT_VERSION, true);
  dv.setUint32(8, g.numRows, true);
  dv.setUint32(12, p.dim, true);
  dv.setUint32(16, g.M, true);
  dv.setUint32(20, p.efConstruction, true);
  dv.setUint8(24, p.metricCode);
  dv.setUint8(25, g.maxLevel);
  dv.setInt32(28, g.entryPoint, true);
  dv.setUint32(32, g.upperBlocks, true);
  dv.setUint32(36, p.quantiser.length, true);
  let at = HEADER_BYTES;
  out.set(g.levels, at);
  at += levelsBytes;
  at = putInt32s(out, dv, at, g.layer0);
  at = putInt32s(out, dv, at, g.upper);
  out.set(p.quantiser, at);
  return out;
}

function putInt32s(out: Uint8Array, dv: DataView, at: number, src: Int32Array): number {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), at);
  } else {
    for (let i = 0; i < src.length; i++) dv.setInt32(at + 4 * i, src[i]!, true);
  }
  return at + src.byteLength;
}

function getInt32s(bytes: Uint8Array, at: number, dst: Int32Array): number {
  const len = dst.byteLength;
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(dst.buffer, dst.byteOffset, len).set(bytes.subarray(at, at + len));
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < dst.length; i++) dst[i] = dv.getInt32(at + 4 * i, true);
  }
  return at + len;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** What a payload's header says, checked against what the caller knows. */
interface HnswLayout {
  numRows: number;
  M: number;
  efConstruction: number;
  metricCode: number;
  maxLevel: number;
  entryPoint: number;
  upperBlocks: number;
  qLen: number;
  /** Bytes of the whole payload. */
  totalBytes: number;
}

interface Expect {
  numRows: number;
  dim: number;
  metricCode: number;
}

function parseHeader(head: Uint8Array, expect: Expect): HnswLayout {
  if (head.length < HEADER_BYTES) bad(`${head.length} bytes is shorter than the header`);
  const dv = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
  if (dv.getUint32(0, true) !== MAGIC) bad('bad magic');
  const version = dv.getUint16(4, true);
  if (version !== HNSW_FORMAT_VERSION) bad(`unknown format version ${version}`);
  const numRows = dv.getUint32(8, true), dim = dv.getUint32(12, true), M = dv.getUint32(16, true);
  const metricCode = dv.getUint8(24), maxLevel = dv.getUint8(25);
  const upperBlocks = dv.getUint32(32, true), qLen = dv.getUint32(36, true);
  if (numRows !== expect.numRows) bad(`payload has ${numRows} rows, the column ${expect.numRows}`);
  if (dim !== expect.dim) bad(`payload dim ${dim}, column dim ${expect.dim}`);
  if (metricCode !== expect.metricCode) bad(`payload metric ${metricCode} differs from the index metric`);
  if (M < 2 || M > 2048 || maxLevel > MAX_LEVEL) bad(`M ${M} / maxLevel ${maxLevel} out of range`);
  const totalBytes = HEADER_BYTES + pad4(numRows) + 4 * numRows * (2 * M + 1) + 4 * upperBlocks * (M + 1) + qLen;
  return {
    numRows, M, efConstruction: dv.getUint32(20, true), metricCode, maxLevel, entryPoint: dv.getInt32(28, true),
    upperBlocks, qLen, totalBytes,
  };
}

function newGraph(l: HnswLayout, levels: Uint8Array, storage: LinkStorage | undefined): HnswGraph {
  const graph = new HnswGraph(l.numRows, l.M, levels, storage);
  if (graph.upperBlocks !== l.upperBlocks) bad('levels do not add up to the upper block count');
  return graph;
}

function finish(l: HnswLayout, graph: HnswGraph, dim: number, quantiser: Uint8Array): HnswPayload {
  graph.entryPoint = l.entryPoint;
  graph.maxLevel = l.maxLevel;
  checkGraph(graph);
  return { graph, dim, efConstruction: l.efConstruction, metricCode: l.metricCode, quantiser };
}

/**
 * Parse and check a payload; `expect` holds what the caller knows from the column and the spec. The
 * links are read straight into arrays from `storage` when given (the space's wasm memory).
 */
export function decodeHnsw(bytes: Uint8Array, expect: Expect, storage?: LinkStorage): HnswPayload {
  const l = parseHeader(bytes, expect);
  if (bytes.length !== l.totalBytes) bad(`length ${bytes.length}, expected ${l.totalBytes}`);
  const graph = newGraph(l, bytes.slice(HEADER_BYTES, HEADER_BYTES + l.numRows), storage);
  let at = getInt32s(bytes, HEADER_BYTES + pad4(l.numRows), graph.layer0);
  at = getInt32s(bytes, at, graph.upper);
  return finish(l, graph, expect.dim, bytes.slice(at, at + l.qLen));
}

/** Bytes of an int32 array, to be filled from little-endian data (`fromLittleEndian` after). */
const bytesOf = (a: Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function fromLittleEndian(a: Int32Array): void {
  if (LITTLE_ENDIAN_HOST) return;
  const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
  for (let i = 0; i < a.length; i++) a[i] = dv.getInt32(4 * i, true);
}

/**
 * As `decodeHnsw`, reading the payload in order from `reader`: the links go straight from the file
 * into their arrays (the space's wasm memory), so no copy of the payload is held.
 */
export async function readHnsw(reader: PayloadReader, expect: Expect, storage?: LinkStorage): Promise<HnswPayload> {
  const head = new Uint8Array(HEADER_BYTES);
  if (reader.length < HEADER_BYTES) bad(`${reader.length} bytes is shorter than the header`);
  await reader.read(head);
  const l = parseHeader(head, expect);
  if (reader.length !== l.totalBytes) bad(`length ${reader.length}, expected ${l.totalBytes}`);
  const levels = new Uint8Array(pad4(l.numRows));
  await reader.read(levels);
  const graph = newGraph(l, levels.subarray(0, l.numRows), storage);
  await reader.read(bytesOf(graph.layer0));
  fromLittleEndian(graph.layer0);
  await reader.read(bytesOf(graph.upper));
  fromLittleEndian(graph.upper);
  const quantiser = new Uint8Array(l.qLen);
  await reader.read(quantiser);
  return finish(l, graph, expect.dim, quantiser);
}

/** Every count within its list's capacity, every id a row, the entry point on the top layer. */
function checkGraph(g: HnswGraph): void {
  const n = g.numRows;
  if (g.entryPoint < -1 || g.entryPoint >= n) bad(`entry point ${g.entryPoint}`);
  if (g.entryPoint >= 0 && g.levels[g.entryPoint] !== g.maxLevel) bad('entry point is not on the top layer');
  if (g.entryPoint < 0 && n > 0 && g.layer0.some((v, i) => i % g.stride0 === 0 && v !== 0)) bad('links without an entry point');
  for (let r = 0; r < n; r++) {
    if (g.levels[r]! > g.maxLevel) bad(`row ${r} above the top layer`);
    for (let l = 0; l <= g.levels[r]!; l++) checkList(g, l, r);
  }
}

function checkList(g: HnswGraph, level: number, row: number): void {
  const links = g.listArray(level);
  const off = g.listOffset(level, row);
  const count = links[off]!;
  if (count < 0 || count > g.maxLinks(level)) bad(`row ${row} layer ${level} has ${count} links`);
  for (let i = 1; i <= count; i++) {
    const nb = links[off + i]!;
    if (nb < 0 || nb >= g.numRows || g.levels[nb]! < level) bad(`row ${row} layer ${level} links to ${nb}`);
  }
}
