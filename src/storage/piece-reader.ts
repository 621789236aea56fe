/**
 * Sequential positional reads of a file from its start, every byte checksummed (CRC-32C in file
 * order) as it arrives, the file's trailing CRC compared at the end (`finish`). Segment files
 * (segment-stream.ts) and index files (index-file.ts) are read through it in bounded pieces, so no
 * buffer of a whole file exists.
 */
import { crc32cFast } from '../index/wasm/crc.js';
import { storageErrors } from './errors.js';
import type { FileHandle } from './fs/types.js';

/** Bytes one positional read asks for at most. */
export const READ_PIECE_BYTES = 4 << 20;

/** CRC-32C of `part` continuing `seed`. */
export type Checksum = (part: Uint8Array, seed: number) => number;

/** Sequential positional reads from the start of a file with a running CRC-32C. */
export class PieceReader {
  position = 0;
  crc = 0;
  private scratch: Uint8Array | null = null;

  constructor(private readonly h: FileHandle, readonly size: number, readonly file: string, private readonly pieceBytes: number) {}

  corrupt(at: number, why: string): Error {
    return storageErrors.corruptFile(this.file, at, why);
  }

  /** Fill `dst` with the next dst.length bytes, checksummed; two pieces in flight at most. */
  async into(dst: Uint8Array, what: string, checksum: Checksum = crc32cFast): Promise<void> {
    if (this.position + dst.length > this.size - 4) throw this.corrupt(this.position, `${what} needs ${dst.length} bytes, ${Math.max(0, this.size - 4 - this.position)} left`);
    let at = 0;
    let pending = dst.length > 0 ? this.piece(dst, 0) : null;
    while (pending !== null) {
      const n = await pending;
      const next = at + n < dst.length ? this.piece(dst, at + n) : null;
      this.crc = checksum(dst.subarray(at, at + n), this.crc);
      at += n;
      pending = next;
    }
    this.position += dst.length;
  }

  private async piece(dst: Uint8Array, from: number): Promise<number> {
    const len = Math.min(this.pieceBytes, dst.length - from);
    const got = await this.h.read(dst.subarray(from, from + len), this.position + from);
    if (got !== len) throw this.corrupt(this.position + from + got, 'short read');
    return len;
  }

  /** Checksum the next `n` bytes without keeping them (through one piece-sized buffer). */
  async skip(n: number, what: string): Promise<void> {
    if (n === 0) return;
    this.scratch ??= new Uint8Array(Math.min(this.pieceBytes, Math.max(n, 8)));
    for (let left = n; left > 0;) {
      const part = this.scratch.subarray(0, Math.min(left, this.scratch.length));
      await this.into(part, what);
      left -= part.length;
    }
  }

  async bytes(n: number, what: string): Promise<Uint8Array> {
    const b = new Uint8Array(n);
    await this.into(b, what);
    return b;
  }

  /** The file's trailing CRC, compared with what was read (every byte before it must have been). */
  async finish(): Promise<void> {
    const crcAt = this.size - 4;
    if (this.position !== crcAt) throw this.corrupt(this.position, `${crcAt - this.position} unexpected trailing bytes`);
    const tail = new Uint8Array(4);
    if ((await this.h.read(tail, crcAt)) !== 4) throw this.corrupt(crcAt, 'short read');
    if (new DataView(tail.buffer).getUint32(0, true) !== this.crc) throw this.corrupt(crcAt, 'checksum mismatch');
  }
}
