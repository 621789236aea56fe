/**
 * IVF payload codec. Layout (little-endian), every IVF type:
 *
 *   u32 magic 'SXIV' | u16 version (1) | u8 type code | u8 metric code
 *   u32 dim (bits for binary) | u32 numRows | u32 nlist
 *   sections, in an order fixed by each type; a section is u32 count + count elements
 *   (f32 / i32 / u8), zero-padded to 4 bytes
 *   u32 CRC32-C of every byte before it
 *
 * The raw vectors are not in the payload: they come from the segment's column on load.
 */
import { crc32c as crc32cOf } from '../../../core/crc32c.js';
import type { MetricType } from '../../../core/enums.js';
import { METRIC_TYPES } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import { assert } from '../../../core/assert.js';

const MAGIC = 0x56495853; // 'SXIV' read as u32 LE
export const PAYLOAD_VERSION = 1;
const HEADER_BYTES = 20;

assert(new Uint8Array(new Uint32Array([1]).buffer)[0] === 1, 'IVF payloads assume a little-endian host');

/** CRC32-C (Castagnoli) of `bytes[0..end)`: the one implementation in core. */
function crc32c(bytes: Uint8Array, end = bytes.length): number {
  return crc32cOf(bytes.subarray(0, end));
}

export interface PayloadHeader {
  typeCode: number;
  metric: MetricType;
  dim: number;
  numRows: number;
  nlist: number;
}

type Section = Float32Array | Int32Array | Uint8Array;

export class PayloadWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  constructor(h: PayloadHeader) {
    const head = new Uint8Array(HEADER_BYTES);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint16(4, PAYLOAD_VERSION, true);
    dv.setUint8(6, h.typeCode);
    dv.setUint8(7, METRIC_TYPES.indexOf(h.metric));
    dv.setUint32(8, h.dim, true);
    dv.setUint32(12, h.numRows, true);
    dv.setUint32(16, h.nlist, true);
    this.push(head);
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.push(b);
    return this;
  }

  section(a: Section): this {
    this.u32(a.length);
    this.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const pad = (4 - (a.byteLength % 4)) % 4;
    if (pad > 0) this.push(new Uint8Array(pad));
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size + 4);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    new DataView(out.buffer).setUint32(at, crc32c(out, at), true);
    return out;
  }
}

function corrupt(what: string): never {
  throw errors.internal(`corrupt IVF index payload: ${what}`);
}

export class PayloadReader {
  readonly header: PayloadHeader;
  private readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private at = HEADER_BYTES;
  private readonly end: number;

  constructor(payload: Uint8Array) {
    this.bytes = payload;
    this.dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    if (payload.length < HEADER_BYTES + 4) corrupt(`${payload.length} bytes is too short`);
    if (this.dv.getUint32(0, true) !== MAGIC) corrupt('bad magic');
    const version = this.dv.getUint16(4, true);
    if (version !== PAYLOAD_VERSION) corrupt(`unsupported version ${version}`);
    this.end = payload.length - 4;
    if (crc32c(payload, this.end) !== this.dv.getUint32(this.end, true)) corrupt('checksum mismatch');
    const metric = METRIC_TYPES[this.dv.getUint8(7)];
    if (metric === undefined) corrupt('unknown metric code');
    this.header = {
      typeCode: this.dv.getUint8(6), metric,
      dim: this.dv.getUint32(8, true), numRows: this.dv.getUint32(12, true), nlist: this.dv.getUint32(16, true),
    };
  }

  u32(): number {
    if (this.at + 4 > this.end) corrupt('truncated');
    const v = this.dv.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  private raw(bytesPerElement: number, expected: number | undefined, what: string): ArrayBuffer {
    const count = this.u32();
    if (expected !== undefined && count !== expected) corrupt(`${what} has ${count} elements, expected ${expected}`);
    const len = count * bytesPerElement;
    if (this.at + len > this.end) corrupt(`${what} truncated`);
    const start = this.bytes.byteOffset + this.at;
    const buf = this.bytes.buffer.slice(start, start + len) as ArrayBuffer;
    this.at += len + ((4 - (len % 4)) % 4);
    return buf;
  }

  f32(what: string, expected?: number): Float32Array {
    return new Float32Array(this.raw(4, expected, what));
  }

  i32(what: string, expected?: number): Int32Array {
    return new Int32Array(this.raw(4, expected, what));
  }

  u8(what: string, expected?: number): Uint8Array {
    return new Uint8Array(this.raw(1, expected, what));
  }

  /** Every byte before the checksum must have been read. */
  finish(): void {
    if (this.at !== this.end) corrupt(`${this.end - this.at} unread bytes`);
  }
}
