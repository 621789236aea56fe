/**
 * WAL record payloads written by the engine. The WAL itself (storage/wal.ts) only sees
 * (type, bytes); this file owns their layout. Little-endian throughout.
 *
 *   insert / upsert / delete payload:
 *     u32 collectionId | u64 ts
 *     u8 hasDeletes | [deletes: i32 partitionId (-1 = every partition) | u8 pkKind (0 int64, 1 varchar) |
 *                      u32 count | int64 pks  or  (u32 byteLen + utf8)*]
 *     u32 partCount | parts: (u32 partitionId | u32 byteLen | storage/codec column bytes)*
 */
import { assert } from '../core/assert.js';
import type { PrimaryKeys } from '../schema/types.js';
import type { Column } from '../schema/column.js';
import { columnSections, decodeColumns } from '../storage/codec.js';
import { allocWalPayload } from '../storage/wal-format.js';

export const RecordType = { Write: 1 } as const;

export interface PartBatch {
  partitionId: number;
  numRows: number;
  /** Columns by field id. */
  cols: { fieldId: number; column: Column }[];
}

export interface WriteRecord {
  collectionId: number;
  ts: bigint;
  deletes: { partitionId: number; pks: PrimaryKeys } | null;
  parts: PartBatch[];
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  pos = 0;
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.ensure(1); this.view.setUint8(this.pos, v); this.pos += 1; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.pos, v, true); this.pos += 4; }
  i32(v: number): void { this.ensure(4); this.view.setInt32(this.pos, v, true); this.pos += 4; }
  u64(v: bigint): void { this.ensure(8); this.view.setBigUint64(this.pos, v, true); this.pos += 8; }
  i64(v: bigint): void { this.ensure(8); this.view.setBigInt64(this.pos, v, true); this.pos += 8; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; }
  done(): Uint8Array { return this.buf.subarray(0, this.pos); }
}

class Reader {
  private view: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`WAL record truncated at byte ${this.pos} (need ${n})`);
  }
  u8(): number { this.need(1); const v = this.view.getUint8(this.pos); this.pos += 1; return v; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  u64(): bigint { this.need(8); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  i64(): bigint { this.need(8); const v = this.view.getBigInt64(this.pos, true); this.pos += 8; return v; }
  bytes(n: number): Uint8Array { this.need(n); const v = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return v; }
}

/** `alloc`: where the payload goes (a framable WAL payload: storage/wal-format.ts). */
export function encodeWriteRecord(r: WriteRecord, alloc: (payloadBytes: number) => Uint8Array = allocWalPayload): Uint8Array {
  const w = new Writer();
  w.u32(r.collectionId);
  w.u64(r.ts);
  if (r.deletes) {
    w.u8(1);
    w.i32(r.deletes.partitionId);
    const pks = r.deletes.pks;
    if (pks.kind === 'int64') {
      w.u8(0);
      w.u32(pks.data.length);
      for (let i = 0; i < pks.data.length; i++) w.i64(pks.data[i]!);
    } else {
      w.u8(1);
      w.u32(pks.data.length);
      for (const s of pks.data) {
        const b = utf8.encode(s);
        w.u32(b.length);
        w.bytes(b);
      }
    }
  } else {
    w.u8(0);
  }
  w.u32(r.parts.length);
  // Sized once, with room for the WAL's record frame: the column data is copied once, into it.
  const sections = r.parts.map((p) => columnSections(p.cols, p.numRows));
  let total = w.pos;
  for (const s of sections) total += 8 + s.lengthBytes;
  const out = alloc(total);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(w.done(), 0);
  let at = w.pos;
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    dv.setUint32(at, r.parts[i]!.partitionId, true);
    dv.setUint32(at + 4, s.lengthBytes, true);
    at = s.copyInto(out, at + 8);
  }
  assert(at === total, 'WAL write record size');
  return out;
}

export function decodeWriteRecord(payload: Uint8Array): WriteRecord {
  const r = new Reader(payload);
  const collectionId = r.u32();
  const ts = r.u64();
  let deletes: WriteRecord['deletes'] = null;
  if (r.u8() === 1) {
    const partitionId = r.i32();
    const kind = r.u8();
    const n = r.u32();
    if (kind === 0) {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = r.i64();
      deletes = { partitionId, pks: { kind: 'int64', data } };
    } else {
      const data: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) data[i] = utf8d.decode(r.bytes(r.u32()));
      deletes = { partitionId, pks: { kind: 'varchar', data } };
    }
  }
  const partCount = r.u32();
  const parts: PartBatch[] = [];
  for (let i = 0; i < partCount; i++) {
    const partitionId = r.u32();
    const decoded = decodeColumns(r.bytes(r.u32()));
    parts.push({ partitionId, numRows: decoded.numRows, cols: decoded.cols });
  }
  assert(r.pos === payload.length, 'WAL write record has trailing bytes');
  return { collectionId, ts, deletes, parts };
}
