/**
 * Memory accounting: what a loaded segment holds, counted once per buffer. Indexes, resident columns
 * and derived structures add the typed arrays and wasm memories they keep; a buffer or memory reached
 * twice (a column an index reads in place, a graph stored in a resident column's memory) counts once,
 * at its whole size (a view keeps its whole buffer alive; a wasm memory holds every committed page),
 * except a growing segment's buffer allocated at its bound: its written pages (`committedBytes`).
 */
import type { Column } from '../schema/column.js';
import { columnBytes, committedBytes } from '../schema/ops.js';

/** A WebAssembly.Memory as the index layer sees it (the lib typings name it only under DOM). */
export interface CountedMemory {
  readonly buffer: ArrayBufferLike;
}

export class MemoryTally {
  private readonly buffers = new Set<ArrayBufferLike>();
  private readonly memories = new Set<CountedMemory>();
  /** Bytes outside typed arrays (JS strings, objects), estimated. */
  private otherBytes = 0;

  /**
   * A typed array (or null). Views of a SharedArrayBuffer are skipped: in Sextant those are wasm
   * memories, counted whole through `memory()` by whoever owns them.
   */
  array(a: ArrayBufferView | null | undefined): this {
    if (a === null || a === undefined) return this;
    const b = a.buffer;
    if (typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer) return this;
    this.buffers.add(b);
    return this;
  }

  /** A wasm memory, at its committed size. */
  memory(m: CountedMemory | null | undefined): this {
    if (m !== null && m !== undefined) this.memories.add(m);
    return this;
  }

  /** A column: its typed arrays, or its estimated size for strings, JSON, arrays and sparse rows. */
  column(c: Column): this {
    this.array(c.valid);
    switch (c.kind) {
      case 'varchar': case 'json': case 'array': case 'sparseVector': {
        this.otherBytes += columnBytes(c) - (c.valid === null ? 0 : c.valid.byteLength);
        return this;
      }
      default: return this.array(c.data);
    }
  }

  /** Bytes held outside typed arrays (maps, strings), estimated by the caller. */
  other(bytes: number): this {
    this.otherBytes += bytes;
    return this;
  }

  get bytes(): number {
    let n = this.otherBytes;
    for (const b of this.buffers) n += committedBytes(b);
    for (const m of this.memories) n += m.buffer.byteLength;
    return n;
  }
}

/** Bytes an index alone holds (a fresh tally): for tests and reports of one index. */
export function memoryOf(add: (t: MemoryTally) => void): number {
  const t = new MemoryTally();
  add(t);
  return t.bytes;
}
