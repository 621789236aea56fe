/**
 * What the graph builds (hnsw-build.ts, vamana-build.ts) share: reading the int32 fields of their
 * header and thread scratch blocks, and the per-row spin locks their build threads take.
 */

/** The int32 at `field` of block `g`. */
@inline export function gi(g: usize, field: usize): i32 {
  return load<i32>(g + field);
}
/** The pointer (an int32 byte offset) at `field` of block `g`. */
@inline export function gp(g: usize, field: usize): usize {
  return <usize>load<i32>(g + field);
}

/** Take the spin lock at `p`: critical sections are short (a list update, or one prune). */
@inline export function lock(p: usize): void {
  while (atomic.cmpxchg<i32>(p, 0, 1) != 0) {
    // spin
  }
}
@inline export function unlock(p: usize): void {
  atomic.store<i32>(p, 0);
}
