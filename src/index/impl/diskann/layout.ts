/**
 * The DISKANN index image: what `serialize()` returns and what the engine stores as the payload of
 * the segment's index file (storage/index-file.ts). Little-endian, version 2 (version 1 is read too):
 *
 *    0  u8[8]  magic "SXDANN\0\0"
 *    8  u32    version (2; 1 = no entry list)
 *   12  u32    metric (0 L2, 1 IP, 2 COSINE)
 *   16  u32    dim
 *   20  u32    numRows
 *   24  u32    maxDegree R
 *   28  i32    medoid (entry point; -1 when no row is present)
 *   32  u32    m, PQ chunks
 *   36  u32    nodeBytes = 4 dim + 4 + 4 R
 *   40  u32    nodesPerSector (0 when a node spans several sectors)
 *   44  u32    sectorsPerNode (1 when several nodes share a sector)
 *   48  u32    memBytes: end of the in-memory section (header + PQ)
 *   52  u32    CRC-32C of the node section
 *   56  u64    nodesOffset (a multiple of SECTOR_BYTES)
 *   64  u32[m + 1] PQ chunk offsets, f32[256 x dim] PQ centroids, u8[numRows x m] PQ codes
 *          version 2 only: u32 entryCount, i32[entryCount] entry points (the medoid first; entries.ts)
 *   memBytes   u32 CRC-32C of bytes [0, memBytes)
 *   nodesOffset: the node section, SECTOR_BYTES sectors. Node i is at sector i / nodesPerSector,
 *              byte (i % nodesPerSector) * nodeBytes (or at sector i * sectorsPerNode): its
 *              float32[dim] full-precision row (as given, decoded from float16 / bfloat16), u32 degree,
 *              u32[R] neighbours. Nodes never straddle a sector boundary unless they need several sectors.
 *
 * The in-memory section is read once at load; nodes are read with positional reads during searches.
 */
import { crc32c } from '../../../core/crc32c.js';
import { errors } from '../../../core/errors.js';
import type { ChunkedPq } from './pq.js';
import { PQ_CODE_WORDS } from './pq.js';
import type { VamanaGraph } from './vamana.js';

export const SECTOR_BYTES = 4096;
const MAGIC = Uint8Array.from([0x53, 0x58, 0x44, 0x41, 0x4e, 0x4e, 0, 0]); // "SXDANN\0\0"
const VERSION = 2;
export const HEADER_BYTES = 64;

export interface ImageHeader {
  metricCode: number;
  dim: number;
  numRows: number;
  maxDegree: number;
  medoid: number;
  m: number;
  nodeBytes: number;
  nodesPerSector: number;
  sectorsPerNode: number;
  memBytes: number;
  nodesCrc: number;
  nodesOffset: number;
  version: number;
  /** Entry points stored after the codes (version 2; 0 in version 1, where the medoid is the only one). */
  entryCount: number;
}

/** The in-memory part of an image: header, quantizer and codes. */
export interface ImageMemory {
  header: ImageHeader;
  pq: ChunkedPq;
  codes: Uint8Array;
  /** Where a search starts (at least the medoid when a row is present). */
  entries: Int32Array;
}

export function nodeBytesFor(dim: number, maxDegree: number): number {
  return 4 * dim + 4 + 4 * maxDegree;
}

/** Byte position of node `row` inside the image. */
export function nodePosition(h: Pick<ImageHeader, 'nodesOffset' | 'nodesPerSector' | 'sectorsPerNode' | 'nodeBytes'>, row: number): number {
  if (h.nodesPerSector > 0) {
    const sector = Math.floor(row / h.nodesPerSector);
    return h.nodesOffset + sector * SECTOR_BYTES + (row % h.nodesPerSector) * h.nodeBytes;
  }
  return h.nodesOffset + row * h.sectorsPerNode * SECTOR_BYTES;
}

function layoutHeader(metricCode: number, dim: number, numRows: number, maxDegree: number, medoid: number, m: number, version: number, entryCount: number): ImageHeader {
  const nodeBytes = nodeBytesFor(dim, maxDegree);
  const nodesPerSector = nodeBytes <= SECTOR_BYTES ? Math.floor(SECTOR_BYTES / nodeBytes) : 0;
  const sectorsPerNode = nodesPerSector > 0 ? 1 : Math.ceil(nodeBytes / SECTOR_BYTES);
  const memBytes = HEADER_BYTES + 4 * (m + 1) + 4 * PQ_CODE_WORDS * dim + numRows * m + (version >= 2 ? 4 + 4 * entryCount : 0);
  const nodesOffset = Math.ceil((memBytes + 4) / SECTOR_BYTES) * SECTOR_BYTES;
  return { metricCode, dim, numRows, maxDegree, medoid, m, nodeBytes, nodesPerSector, sectorsPerNode, memBytes, nodesCrc: 0, nodesOffset, version, entryCount };
}

function imageBytes(h: ImageHeader): number {
  const sectors = h.nodesPerSector > 0 ? Math.ceil(h.numRows / h.nodesPerSector) : h.numRows * h.sectorsPerNode;
  return h.nodesOffset + sectors * SECTOR_BYTES;
}

export interface ImageParts {
  metricCode: number;
  dim: number;
  numRows: number;
  /** n x dim float32 rows written to the nodes (as given, not normalised). */
  rows: Float32Array;
  graph: VamanaGraph;
  maxDegree: number;
  pq: ChunkedPq;
  codes: Uint8Array;
}

export function encodeImage(p: ImageParts): Uint8Array {
  // Only the medoid to start from: the version 1 layout, byte for byte (what images were before entry lists).
  const entries = p.graph.entries;
  const version = entries.length <= 1 && (entries[0] ?? -1) === p.graph.medoid ? 1 : VERSION;
  const h = layoutHeader(p.metricCode, p.dim, p.numRows, p.maxDegree, p.graph.medoid, p.pq.m, version, entries.length);
  const out = new Uint8Array(imageBytes(h));
  const view = new DataView(out.buffer);
  let at = HEADER_BYTES;
  for (let j = 0; j <= h.m; j++, at += 4) view.setUint32(at, p.pq.offsets[j]!, true);
  new Float32Array(out.buffer, at, PQ_CODE_WORDS * p.dim).set(p.pq.centroids);
  at += 4 * PQ_CODE_WORDS * p.dim;
  out.set(p.codes.subarray(0, p.numRows * h.m), at);
  at += p.numRows * h.m;
  if (version >= 2) {
    view.setUint32(at, entries.length, true);
    for (let i = 0; i < entries.length; i++) view.setInt32(at + 4 + 4 * i, entries[i]!, true);
  }
  const R = p.maxDegree;
  for (let r = 0; r < p.numRows; r++) {
    const pos = nodePosition(h, r);
    new Float32Array(out.buffer, pos, p.dim).set(p.rows.subarray(r * p.dim, (r + 1) * p.dim));
    const deg = p.graph.degrees[r]!;
    view.setUint32(pos + 4 * p.dim, deg, true);
    new Int32Array(out.buffer, pos + 4 * p.dim + 4, deg).set(p.graph.links.subarray(r * R, r * R + deg));
  }
  h.nodesCrc = crc32c(out.subarray(h.nodesOffset));
  writeHeader(view, h);
  view.setUint32(h.memBytes, crc32c(out.subarray(0, h.memBytes)), true);
  return out;
}

function writeHeader(view: DataView, h: ImageHeader): void {
  for (let i = 0; i < MAGIC.length; i++) view.setUint8(i, MAGIC[i]!);
  const u32 = [h.version, h.metricCode, h.dim, h.numRows, h.maxDegree, h.medoid, h.m, h.nodeBytes, h.nodesPerSector, h.sectorsPerNode, h.memBytes, h.nodesCrc];
  u32.forEach((v, i) => view.setUint32(8 + 4 * i, v >>> 0, true));
  view.setBigUint64(56, BigInt(h.nodesOffset), true);
}

function corrupt(what: string): Error {
  return errors.internal(`DISKANN index image is corrupt: ${what}`);
}

/** Parse and check the header (the first HEADER_BYTES of an image of `totalBytes`). */
export function decodeHeader(bytes: Uint8Array, totalBytes: number): ImageHeader {
  if (bytes.length < HEADER_BYTES) throw corrupt('shorter than its header');
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw corrupt('bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const u = (i: number): number => view.getUint32(8 + 4 * i, true);
  const version = u(0);
  if (version !== 1 && version !== 2) throw corrupt(`unsupported version ${version}`);
  // Version 2's memBytes covers the entry list: its count is what the rest of memBytes leaves.
  const base = layoutHeader(u(1), u(2), u(3), u(4), view.getInt32(28, true), u(6), 1, 0);
  const entryBytes = u(10) - base.memBytes - 4;
  const entryCount = version === 2 && entryBytes >= 0 && entryBytes % 4 === 0 ? entryBytes / 4 : 0;
  const h = layoutHeader(u(1), u(2), u(3), u(4), view.getInt32(28, true), u(6), version, entryCount);
  h.nodesCrc = u(11);
  const same = h.nodeBytes === u(7) && h.nodesPerSector === u(8) && h.sectorsPerNode === u(9) && h.memBytes === u(10)
    && h.nodesOffset === Number(view.getBigUint64(56, true));
  if (!same || h.metricCode > 2 || h.m < 1 || h.m > h.dim) throw corrupt('inconsistent header');
  if (imageBytes(h) !== totalBytes) throw corrupt(`${totalBytes} bytes, the header describes ${imageBytes(h)}`);
  if (h.medoid < -1 || h.medoid >= h.numRows) throw corrupt('bad medoid');
  return h;
}

/** Decode the in-memory section (bytes [0, memBytes + 4) of the image), checking its CRC. */
export function decodeMemory(h: ImageHeader, bytes: Uint8Array): ImageMemory {
  if (bytes.length < h.memBytes + 4) throw corrupt('in-memory section truncated');
  const [from, to] = codesRange(h);
  return parseMemory(h, bytes.subarray(0, from), bytes.slice(from, to), bytes.subarray(to, h.memBytes + 4), (b, seed) => crc32c(b, seed));
}

/** Where the PQ codes lie in the in-memory section: [from, to). */
export function codesRange(h: ImageHeader): [number, number] {
  const from = HEADER_BYTES + 4 * (h.m + 1) + 4 * PQ_CODE_WORDS * h.dim;
  return [from, from + h.numRows * h.m];
}

/**
 * The in-memory section read in three parts through `read` (positions in the image): the codes go
 * straight into the array `place(length)` gives (the searcher's own memory, so a load never holds
 * them twice, as it did reading the section whole and copying them out), and `crc(bytes, seed)`
 * continues the section's CRC over them where they landed.
 */
export function readMemory(
  h: ImageHeader, read: (into: Uint8Array, position: number) => void, place: (length: number) => Uint8Array,
  crc: (bytes: Uint8Array, seed: number) => number,
): ImageMemory {
  const [from, to] = codesRange(h);
  if (to > h.memBytes) throw corrupt('in-memory section shorter than its codes');
  const pre = new Uint8Array(from);
  read(pre, 0);
  const codes = place(to - from);
  read(codes, from);
  const post = new Uint8Array(h.memBytes + 4 - to);
  read(post, to);
  return parseMemory(h, pre, codes, post, crc);
}

/** The section from its parts: before the codes, the codes, and after them through the CRC word. */
function parseMemory(h: ImageHeader, pre: Uint8Array, codes: Uint8Array, post: Uint8Array, crc: (bytes: Uint8Array, seed: number) => number): ImageMemory {
  if (post.length < 4) throw corrupt('in-memory section truncated');
  const tail = new DataView(post.buffer, post.byteOffset, post.byteLength);
  const sum = crc32c(post.subarray(0, post.length - 4), crc(codes, crc32c(pre)));
  if (sum !== tail.getUint32(post.length - 4, true)) throw corrupt('in-memory section CRC mismatch');
  const view = new DataView(pre.buffer, pre.byteOffset, pre.byteLength);
  let at = HEADER_BYTES;
  const offsets = new Uint32Array(h.m + 1);
  for (let j = 0; j <= h.m; j++, at += 4) offsets[j] = view.getUint32(at, true);
  const centroids = new Float32Array(PQ_CODE_WORDS * h.dim);
  new Uint8Array(centroids.buffer).set(pre.subarray(at, at + centroids.byteLength));
  let entries = h.medoid < 0 ? new Int32Array(0) : Int32Array.of(h.medoid);
  if (h.version >= 2) {
    if (post.length < 8 + 4 * h.entryCount || tail.getUint32(0, true) !== h.entryCount) throw corrupt('entry count');
    entries = new Int32Array(h.entryCount);
    for (let i = 0; i < h.entryCount; i++) {
      const e = tail.getInt32(4 + 4 * i, true);
      if (e < 0 || e >= h.numRows) throw corrupt(`entry point ${e}`);
      entries[i] = e;
    }
  }
  return { header: h, pq: { dim: h.dim, m: h.m, offsets, centroids }, codes, entries };
}

/** Check the node section's CRC (used when the whole image is at hand). */
export function checkNodes(h: ImageHeader, image: Uint8Array): void {
  if (crc32c(image.subarray(h.nodesOffset)) !== h.nodesCrc) throw corrupt('node section CRC mismatch');
}
