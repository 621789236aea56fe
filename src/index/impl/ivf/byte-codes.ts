/**
 * Scoring of one-byte code words through a 256-entry table per byte position, the inner loop shared
 * by SCANN (two 4-bit PQ codes per byte: the fast-scan pair table) and IVF_RABITQ (8 sign bits per
 * byte: partial sums of the rotated query). A row of `m` bytes scores sum over j of
 * lut[j * 256 + code_j]. The codes (list order) are copied once into a wasm memory of the index's own
 * and scored by the `pqScan` kernel; without wasm a JS loop does the same sums in the same order.
 */
import type { MemoryTally } from '../../memory.js';
import { WasmArena } from '../../wasm/arena.js';

export const BYTE_KSUB = 256;

export class ByteCodeScanner {
  /** m x 256 partial scores: the caller fills it before `scores`. */
  readonly lut: Float32Array;
  /** Scores of the last `scores` call, at [0, to - from). */
  readonly out: Float32Array;
  private wasm: ByteCodesWasm | null | undefined;

  constructor(readonly codes: Uint8Array, readonly m: number, longestList: number) {
    this.lut = new Float32Array(m * BYTE_KSUB);
    this.out = new Float32Array(Math.max(1, longestList));
  }

  /** Copy the codes into wasm memory now (a loaded index holds, and is counted with, all it will hold). */
  prepare(): void {
    if (this.wasm === undefined) {
      this.wasm = this.codes.length > 0 ? WasmArena.owned(this.codes.length + this.lut.byteLength + this.out.byteLength * 2,
        (a) => new ByteCodesWasm(a, this.codes, this.lut.length, this.out.length)) : null;
    }
  }

  /** Table sums of list positions [from, to) into out[0 .. to - from). */
  scores(from: number, to: number): Float32Array {
    this.prepare();
    const w = this.wasm;
    if (w !== null && w !== undefined) {
      w.score(this.m, this.lut, from, to, this.out);
      return this.out;
    }
    const { codes, lut, m, out } = this;
    for (let pos = from; pos < to; pos++) {
      let s = 0;
      for (let j = 0, at = pos * m, t = 0; j < m; j++, at++, t += BYTE_KSUB) s += lut[t + codes[at]!]!;
      out[pos - from] = s;
    }
    return out;
  }

  countMemory(t: MemoryTally): void {
    t.array(this.codes).array(this.lut).array(this.out);
    t.memory(this.wasm?.arena.memory);
  }
}

class ByteCodesWasm {
  private readonly codesPtr: number;
  private readonly lutPtr: number;
  private readonly outPtr: number;

  constructor(readonly arena: WasmArena, codes: Uint8Array, lutLength: number, outLength: number) {
    this.codesPtr = arena.alloc(codes.length);
    arena.u8.set(codes, this.codesPtr);
    this.lutPtr = arena.alloc(lutLength * 4);
    this.outPtr = arena.alloc(outLength * 4);
  }

  score(m: number, lut: Float32Array, from: number, to: number, out: Float32Array): void {
    const a = this.arena;
    a.f32.set(lut, this.lutPtr >>> 2);
    a.k.pqScan(this.codesPtr, m, BYTE_KSUB, from, to, this.lutPtr, 0, 0, 0, this.outPtr);
    const at = this.outPtr >>> 2;
    out.set(a.f32.subarray(at, at + (to - from)));
  }
}
