/**
 * A growable protobuf wire writer, for the replies encoded without protobufjs (replies.ts). Fields
 * are written in the order the caller gives, which must be field-id order to match protobufjs.
 */

export class PbWriter {
  private buf: Buffer;
  pos = 0;

  constructor(capacity = 256) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  uint32(v: number): this {
    this.room(5);
    let x = v >>> 0;
    while (x > 0x7f) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
    return this;
  }

  tag(id: number, wireType: number): this {
    return this.uint32((id << 3) | wireType);
  }

  /** A 64-bit value given as its two's-complement halves (both unsigned 32-bit). */
  varint64(lo: number, hi: number): this {
    this.room(10);
    let l = lo >>> 0, h = hi >>> 0;
    while (h !== 0 || l > 0x7f) {
      this.buf[this.pos++] = (l & 0x7f) | 0x80;
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h >>>= 7;
    }
    this.buf[this.pos++] = l;
    return this;
  }

  /** A non-negative safe integer as a varint. */
  uint53(v: number): this {
    return this.varint64(v % 4294967296, Math.floor(v / 4294967296));
  }

  bool(v: boolean): this {
    this.room(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  string(v: string): this {
    const len = Buffer.byteLength(v, 'utf8');
    this.uint32(len);
    this.room(len);
    this.pos += this.buf.write(v, this.pos, 'utf8');
    return this;
  }

  bytes(v: Uint8Array): this {
    this.uint32(v.length);
    this.room(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  float(v: number): this {
    this.room(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** Raw bytes, no length prefix. */
  raw(v: Uint8Array): this {
    this.room(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** Length-prefixed sub-message written by `body` (room for the length is moved into place after). */
  message(body: (w: PbWriter) => void): this {
    const sub = new PbWriter(64);
    body(sub);
    return this.bytes(sub.finish());
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
