/**
 * Growing data of a partially loaded collection (`load_fields`, `skip_load_dynamic_field`) holds
 * only the loaded columns (the primary key is always one; timestamps are not a column): the others
 * are dropped when a record is applied, and from the growing data already there when the load is
 * published. The WAL keeps every column, so a flush rebuilds the full rows from it
 * (writer.rebuildFromLog), and a later load that wants a dropped column flushes first.
 */
import { Chunk } from './chunk.js';
import type { CollectionRuntime } from './collection.js';
import type { CollectionSchema } from '../schema/types.js';
import { unloadedFieldNames, type LoadMeta } from './meta.js';
import type { PartitionRuntime } from './partition.js';

const NONE: ReadonlySet<string> = new Set();
/** Per load state, the schema it was worked out for and the columns left out (applying a record asks each time). */
const byLoad = new WeakMap<LoadMeta, { schema: CollectionSchema; names: ReadonlySet<string> }>();

/** The columns growing data of `c` leaves out now: the fields its load does not load (none when not loaded). */
export function growingDropped(c: CollectionRuntime): ReadonlySet<string> {
  const { load, schema } = c.meta;
  if (load === null) return NONE;
  let hit = byLoad.get(load);
  if (hit === undefined || hit.schema !== schema) {
    hit = { schema, names: unloadedFieldNames(schema, load) };
    byLoad.set(load, hit);
  }
  return hit.names;
}

/** `chunk` without the columns named in `drop` (the same chunk when it has none of them). */
export function withoutColumns(chunk: Chunk, drop: ReadonlySet<string>): Chunk {
  if (drop.size === 0 || ![...drop].some((n) => chunk.columns.has(n))) return chunk;
  const columns = new Map(chunk.columns);
  for (const n of drop) columns.delete(n);
  const out = new Chunk(chunk.partitionId, chunk.numRows, columns, chunk.ts, chunk.pkField);
  for (const [key, t] of chunk.textIndexes) if (!drop.has(t.field)) out.textIndexes.set(key, t);
  return out;
}

/** Drop the columns `c`'s load leaves out from the growing (and sealing) data of its partitions. */
export function dropUnloadedGrowing(c: CollectionRuntime): void {
  const drop = growingDropped(c);
  if (drop.size === 0) return;
  for (const p of c.partitions.values()) {
    for (const g of [p.growing, ...p.sealing]) g.replaceChunks(g.chunks.map((x) => withoutColumns(x, drop)));
  }
}

/** Whether some growing (or sealing) chunk of `p` lacks a column a load of every field but `unloaded` needs. */
export function growingLacks(c: CollectionRuntime, p: PartitionRuntime, unloaded: ReadonlySet<string>): boolean {
  for (const g of [p.growing, ...p.sealing]) {
    for (const chunk of g.chunks) {
      for (const f of c.meta.schema.fields) if (!unloaded.has(f.name) && !chunk.columns.has(f.name)) return true;
    }
  }
  return false;
}
