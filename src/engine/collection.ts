/** Runtime state of one collection: its catalog entry plus its partitions' runtime state. */
import type { FieldSchema } from '../schema/types.js';
import { primaryField } from '../schema/types.js';
import type { Chunk } from './chunk.js';
import type { CollectionMeta, IndexMeta } from './meta.js';
import { PartitionRuntime } from './partition.js';

export class CollectionRuntime {
  readonly partitions = new Map<number, PartitionRuntime>();
  /** Rows read for loading; used to report GetLoadingProgress while a load is under way. */
  loading: { totalBytes: number; doneBytes: number } | null = null;

  constructor(public meta: CollectionMeta, allocGrowingId: () => number) {
    for (const p of meta.partitions) this.partitions.set(p.id, new PartitionRuntime(p, allocGrowingId()));
  }

  get id(): number {
    return this.meta.id;
  }

  get name(): string {
    return this.meta.name;
  }

  get pkField(): FieldSchema {
    return primaryField(this.meta.schema);
  }

  partitionByName(name: string): PartitionRuntime | undefined {
    for (const p of this.partitions.values()) if (p.meta.name === name) return p;
    return undefined;
  }

  indexOnField(fieldName: string): IndexMeta | undefined {
    return this.meta.indexes.find((i) => i.fieldName === fieldName);
  }

  get isLoaded(): boolean {
    for (const p of this.partitions.values()) if (p.loaded) return true;
    return false;
  }

  loadedPartitions(): PartitionRuntime[] {
    const out: PartitionRuntime[] = [];
    for (const p of this.partitions.values()) if (p.loaded) out.push(p);
    return out;
  }

  /** The chunks of the given partitions (all loaded ones when omitted), with their partition. */
  chunksOf(parts: readonly PartitionRuntime[]): { partition: PartitionRuntime; chunk: Chunk }[] {
    const out: { partition: PartitionRuntime; chunk: Chunk }[] = [];
    for (const p of parts) for (const chunk of p.chunks()) out.push({ partition: p, chunk });
    return out;
  }

  get numRowsTotal(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.numRowsTotal;
    return n;
  }
}
