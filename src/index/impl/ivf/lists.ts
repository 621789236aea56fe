/**
 * Inverted lists: one Int32Array of row ids grouped by list plus nlist + 1 offsets. List `l` holds
 * `ids[offsets[l] .. offsets[l + 1])`, ascending row order inside a list. Per-row payloads (SQ8 / PQ
 * codes) are stored in the same order, so position `j` of `ids` is also the code slot of that row.
 */
import { assert } from '../../../core/assert.js';

export interface InvertedLists {
  readonly nlist: number;
  /** nlist + 1 entries; offsets[nlist] = ids.length. */
  readonly offsets: Int32Array;
  readonly ids: Int32Array;
}

/** Group `rows` (ascending) by `assign` (list of rows[i]) with a stable counting sort. */
export function buildLists(nlist: number, rows: Int32Array, assign: Int32Array): InvertedLists {
  assert(rows.length === assign.length, 'one list per row');
  const offsets = new Int32Array(nlist + 1);
  for (let i = 0; i < assign.length; i++) offsets[assign[i]! + 1] = offsets[assign[i]! + 1]! + 1;
  for (let l = 0; l < nlist; l++) offsets[l + 1] = offsets[l + 1]! + offsets[l]!;
  const cursor = offsets.slice(0, nlist);
  const ids = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const l = assign[i]!;
    ids[cursor[l]!] = rows[i]!;
    cursor[l] = cursor[l]! + 1;
  }
  return { nlist, offsets, ids };
}

/** Structural check of deserialised lists: offsets monotone and ids inside [0, numRows), each at most once. */
export function listsAreSound(lists: InvertedLists, numRows: number): boolean {
  const { nlist, offsets, ids } = lists;
  if (offsets.length !== nlist + 1 || offsets[0] !== 0 || offsets[nlist] !== ids.length) return false;
  for (let l = 0; l < nlist; l++) if (offsets[l + 1]! < offsets[l]!) return false;
  const seen = new Uint8Array(numRows);
  for (let j = 0; j < ids.length; j++) {
    const r = ids[j]!;
    if (!(r >= 0 && r < numRows) || seen[r] !== 0) return false;
    seen[r] = 1;
  }
  return true;
}
