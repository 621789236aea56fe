/** Primary keys: bigint for Int64, string for VarChar. */
import type { Column } from '../schema/column.js';
import type { PrimaryKeys } from '../schema/types.js';

export type PrimaryKey = bigint | string;

export function pkAt(c: Column, row: number): PrimaryKey {
  if (c.kind === 'int64') return c.data[row]!;
  if (c.kind === 'varchar') return c.data[row]!;
  throw new Error(`primary key column has kind ${c.kind}`);
}

export function pkList(pks: PrimaryKeys): PrimaryKey[] {
  return pks.kind === 'int64' ? Array.from(pks.data) : pks.data.slice();
}

export function pksFromList(kind: 'int64' | 'varchar', list: readonly PrimaryKey[]): PrimaryKeys {
  if (kind === 'int64') {
    const data = new BigInt64Array(list.length);
    for (let i = 0; i < list.length; i++) data[i] = list[i] as bigint;
    return { kind, data };
  }
  return { kind, data: list.map((x) => x as string) };
}

export function comparePk(a: PrimaryKey, b: PrimaryKey): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function pkColumnOf(pks: PrimaryKeys): Column {
  return pks.kind === 'int64' ? { kind: 'int64', data: pks.data, valid: null } : { kind: 'varchar', data: pks.data, valid: null };
}

/**
 * Whether a primary-key column is in ascending order (duplicates allowed): what Milvus calls a
 * segment "sorted by primary key" (`is_sorted` in GetQuerySegmentInfo). A plain scan, no allocation.
 */
export function pkColumnAscending(c: Column): boolean {
  if (c.kind === 'int64') {
    const d = c.data;
    for (let i = 1; i < d.length; i++) if (d[i - 1]! > d[i]!) return false;
    return true;
  }
  if (c.kind === 'varchar') {
    const d = c.data;
    for (let i = 1; i < d.length; i++) if (d[i - 1]! > d[i]!) return false;
    return true;
  }
  return false;
}
