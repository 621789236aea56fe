/**
 * A WasmArena is one shared WebAssembly.Memory, the kernels instantiated over it on this thread, and
 * a first-fit allocator with coalescing over its bytes. Vector stores, query blocks and scratch all
 * live here, so worker threads that instantiate the same module over the same memory can read every
 * store without copying. The memory grows on demand (up to 4 GiB); wasm memory never shrinks, so freed
 * ranges are reused by later allocations rather than returned to the OS.
 */
import { errors } from '../../core/errors.js';
import { assert } from '../../core/assert.js';
import { zeroShared } from './zero.js';
import {
  instantiateKernels, kernelModule, newSharedMemory, MAX_PAGES, PAGE_BYTES,
  type KernelExports, type WasmMemory, type WasmModule,
} from './loader.js';

/** Allocation granularity: a cache line, which also keeps every v128 / f64 access aligned. */
export const ALIGN_BYTES = 64;
/** Code of `errors.insufficientMemoryToLoad`, which `alloc` throws past the maximum. */
const ARENA_FULL_CODE = 3;
/** Page 0 is never handed out, so pointer 0 can mean "none". */
const FIRST_BYTE = PAGE_BYTES;

interface FreeRange { at: number; size: number }

export class WasmArena {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly k: KernelExports;
  /** Free ranges sorted by offset, never adjacent (coalesced). */
  private free: FreeRange[] = [];
  private sizes = new Map<number, number>();
  private viewBytes = -1;
  private f32View: Float32Array = new Float32Array(0);
  private u8View: Uint8Array = new Uint8Array(0);
  private i32View: Int32Array = new Int32Array(0);
  private f64View: Float64Array = new Float64Array(0);
  private readonly maxPages: number;
  /** Bytes currently allocated. */
  usedBytes = 0;

  constructor(module: WasmModule, initialPages = 16, maxPages = MAX_PAGES) {
    assert(initialPages >= 2 && maxPages >= initialPages && maxPages <= MAX_PAGES, 'arena page bounds');
    this.module = module;
    this.memory = newSharedMemory(initialPages, maxPages);
    this.k = instantiateKernels(module, this.memory);
    this.free.push({ at: FIRST_BYTE, size: initialPages * PAGE_BYTES - FIRST_BYTE });
    this.maxPages = maxPages;
  }

  /**
   * A new arena sized for `bytes` of data (plus slack), then `fill` it; null when the kernels are
   * unavailable or the memory cannot be had (the engine refuses it, or it would pass 4 GiB), so the
   * caller keeps its JS path. For the memories an index owns (IVF list copies, sparse postings).
   */
  static owned<T>(bytes: number, fill: (arena: WasmArena) => T): T | null {
    const pages = Math.min(MAX_PAGES, Math.ceil(bytes / PAGE_BYTES) + 8);
    try {
      const arena = WasmArena.create(pages, MAX_PAGES);
      return arena === null ? null : fill(arena);
    } catch (e) {
      if (e instanceof RangeError || (e instanceof Error && 'code' in e && (e as { code: unknown }).code === ARENA_FULL_CODE)) return null;
      throw e;
    }
  }

  /** A new arena, or null when the wasm kernels are unavailable. */
  static create(initialPages?: number, maxPages?: number): WasmArena | null {
    const module = kernelModule();
    return module === null ? null : new WasmArena(module, initialPages, maxPages);
  }

  get sizeBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserve `bytes` (rounded up to ALIGN_BYTES); throws `insufficientMemoryToLoad` (code 3) past the arena's maximum. */
  alloc(bytes: number): number {
    assert(Number.isInteger(bytes) && bytes >= 0, 'alloc size');
    const size = Math.max(ALIGN_BYTES, Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES);
    let i = this.findFit(size);
    if (i < 0) {
      this.grow(size);
      i = this.findFit(size);
      assert(i >= 0, 'grown arena fits the allocation');
    }
    const range = this.free[i]!;
    const at = range.at;
    if (range.size === size) this.free.splice(i, 1);
    else {
      range.at += size;
      range.size -= size;
    }
    this.sizes.set(at, size);
    this.usedBytes += size;
    return at;
  }

  /** Return a range from `alloc`. Freeing twice or a foreign pointer is a bug. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    assert(size !== undefined, 'release of a live allocation');
    this.sizes.delete(ptr);
    this.usedBytes -= size;
    const free = this.free;
    let lo = 0, hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (free[mid]!.at < ptr) lo = mid + 1;
      else hi = mid;
    }
    const prev = free[lo - 1];
    const next = free[lo];
    if (prev !== undefined && prev.at + prev.size === ptr) {
      prev.size += size;
      if (next !== undefined && ptr + size === next.at) {
        prev.size += next.size;
        free.splice(lo, 1);
      }
    } else if (next !== undefined && ptr + size === next.at) {
      next.at = ptr;
      next.size += size;
    } else {
      free.splice(lo, 0, { at: ptr, size });
    }
  }

  /** Number of free ranges (fragmentation, for tests). */
  get freeRanges(): number {
    return this.free.length;
  }

  private findFit(size: number): number {
    const free = this.free;
    for (let i = 0; i < free.length; i++) if (free[i]!.size >= size) return i;
    return -1;
  }

  /** Grow so that a free range of `size` bytes exists at the end: by what is missing, at least 1/8 more. */
  private grow(size: number): void {
    const endBytes = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tailFree = last !== undefined && last.at + last.size === endBytes ? last.size : 0;
    const curPages = endBytes / PAGE_BYTES;
    const needPages = Math.ceil((size - tailFree) / PAGE_BYTES);
    const pages = Math.min(this.maxPages - curPages, Math.max(needPages, Math.ceil(curPages / 8)));
    if (pages < needPages) {
      throw errors.insufficientMemoryToLoad(size, this.maxPages * PAGE_BYTES, this.usedBytes);
    }
    this.memory.grow(pages);
    const added = pages * PAGE_BYTES;
    if (tailFree > 0 && last !== undefined) last.size += added;
    else this.free.push({ at: endBytes, size: added });
  }

  private refresh(): void {
    const buf = this.memory.buffer;
    if (buf.byteLength === this.viewBytes) return;
    this.viewBytes = buf.byteLength;
    this.f32View = new Float32Array(buf);
    this.u8View = new Uint8Array(buf);
    this.i32View = new Int32Array(buf);
    this.f64View = new Float64Array(buf);
  }

  /** Views over the whole memory (renewed after growth; index = ptr / element size). */
  get f32(): Float32Array { this.refresh(); return this.f32View; }
  get u8(): Uint8Array { this.refresh(); return this.u8View; }
  get i32(): Int32Array { this.refresh(); return this.i32View; }
  get f64(): Float64Array { this.refresh(); return this.f64View; }

  /** Zero `bytes` bytes at `ptr` (see `zeroShared`). */
  zero(ptr: number, bytes: number): void {
    zeroShared(this.u8, this.f64, ptr, ptr + bytes);
  }
}

/** Scratch taken from one arena for one search (task inputs and outputs), given back together. */
export class ArenaScratch {
  private readonly ptrs: number[] = [];

  constructor(readonly arena: WasmArena) {}

  /** `bytes` (at least 4) from the arena; throws code 3 when it is full. */
  take(bytes: number): number {
    const p = this.arena.alloc(Math.max(4, bytes));
    this.ptrs.push(p);
    return p;
  }

  /** Give back everything taken (only once no worker can still write to it). */
  releaseAll(): void {
    for (const p of this.ptrs) this.arena.release(p);
    this.ptrs.length = 0;
  }
}
