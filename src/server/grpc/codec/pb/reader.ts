/**
 * A protobuf wire reader over one Buffer: varints (64-bit ones as decimal strings, as proto-loader's
 * `longs: String` gives them), fixed-width numbers, length-delimited views. Reads past the end throw
 * a RangeError, as protobufjs does.
 */

const TWO_32 = 4294967296;
/** Which 32-bit word of a BigInt64Array element holds its low half (the platform's byte order). */
const LOW_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

export class PbReader {
  pos: number;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  private outOfRange(need: number): never {
    throw new RangeError(`index out of range: ${this.pos} + ${need} > ${this.end}`);
  }

  uint32(): number {
    const b = this.buf;
    let value = 0, shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.outOfRange(1);
      const byte = b[this.pos++]!;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
      shift += 7;
    }
    throw new Error('invalid varint encoding');
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const v = this.uint32();
    return (v >>> 1) ^ -(v & 1) | 0;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** The last 64-bit varint read (`varint64`): its low and high 32 bits. */
  private lo = 0;
  private hi = 0;

  /** A 64-bit varint into `lo` and `hi` (no array per value). */
  private varint64(): void {
    const b = this.buf;
    let lo = 0, hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.outOfRange(1);
      const byte = b[this.pos++]!;
      if (i < 4) lo |= (byte & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >> 4;
      } else hi |= (byte & 0x7f) << (i * 7 - 32);
      if (byte < 0x80) {
        this.lo = lo;
        this.hi = hi;
        return;
      }
    }
    throw new Error('invalid varint encoding');
  }

  /**
   * An int64 varint written as two's-complement into `words` (an Int32Array over a BigInt64Array's
   * memory) at value `index`: no string, no BigInt, no array per value.
   */
  int64Into(words: Int32Array, index: number): void {
    this.varint64();
    words[2 * index + LOW_WORD] = this.lo;
    words[2 * index + 1 - LOW_WORD] = this.hi;
  }

  /** int64 / uint64 / sint64 as a decimal string. */
  long(kind: 'int64' | 'uint64' | 'sint64'): string {
    this.varint64();
    let lo = this.lo >>> 0, hi = this.hi >>> 0;
    if (kind === 'sint64') {
      const mask = -(lo & 1);
      lo = ((lo >>> 1) | (hi << 31)) ^ mask;
      hi = (hi >>> 1) ^ mask;
      lo >>>= 0;
      hi >>>= 0;
    }
    return longString(lo, hi, kind === 'uint64');
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) this.outOfRange(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  sfixed32(): number {
    return this.fixed32() | 0;
  }

  fixed64(signed: boolean): string {
    if (this.pos + 8 > this.end) this.outOfRange(8);
    const lo = this.buf.readUInt32LE(this.pos), hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    return longString(lo, hi, !signed);
  }

  float(): number {
    if (this.pos + 4 > this.end) this.outOfRange(4);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) this.outOfRange(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The end offset of a length-delimited value starting here (its length is consumed). */
  delimitedEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) this.outOfRange(len);
    return end;
  }

  bytes(): Buffer {
    const end = this.delimitedEnd();
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  string(): string {
    const end = this.delimitedEnd();
    const out = utf8(this.buf, this.pos, end);
    this.pos = end;
    return out;
  }

  skip(wireType: number, depth = 0): void {
    switch (wireType) {
      case 0: this.varint64(); return;
      case 1: this.skipBytes(8); return;
      case 2: this.pos = this.delimitedEnd(); return;
      case 3:
        if (depth > 100) throw new Error('max depth exceeded');
        for (;;) {
          const tag = this.uint32();
          if ((tag & 7) === 4) return;
          this.skip(tag & 7, depth + 1);
        }
      case 5: this.skipBytes(4); return;
      default: throw new Error(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }

  private skipBytes(n: number): void {
    if (this.pos + n > this.end) this.outOfRange(n);
    this.pos += n;
  }
}

type Utf8Slicing = Buffer & { utf8Slice?: (start: number, end: number) => string };

/** UTF-8 text (invalid sequences become U+FFFD, as Node decodes them): short ASCII in JS, the rest by Node's binding. */
function utf8(buf: Utf8Slicing, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return slowUtf8(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return slowUtf8(buf, start, end);
}

function slowUtf8(buf: Utf8Slicing, start: number, end: number): string {
  return buf.utf8Slice !== undefined ? buf.utf8Slice(start, end) : buf.toString('utf8', start, end);
}

/** Two's-complement 64 bits -> decimal (signed unless `unsigned`), as Long.toString gives it. */
export function longString(lo: number, hi: number, unsigned: boolean): string {
  if (hi === 0) return String(lo);
  if (!unsigned && hi >= 0x80000000) {
    if (hi === 0xffffffff && lo !== 0) return String(lo - TWO_32);
    if (hi > 0xffe00000) return String((hi - TWO_32) * TWO_32 + lo);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  }
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}
