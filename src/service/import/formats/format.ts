/**
 * What every import file reader gives: the rows of one file group, in batches, as row objects
 * keyed by field name (values as the file holds them; values.ts normalises them per field).
 */
import { importErrors } from '../../../core/errors.js';
import type { CollectionSchema } from '../../../schema/types.js';

export type FileFormat = 'json' | 'parquet' | 'csv' | 'numpy';

export interface RowBatch {
  rows: Record<string, unknown>[];
  /** Row number (from 1) of rows[0] in the file. */
  firstRow: number;
}

export interface ParsedFile {
  totalRows: number;
  /** Column names the file declares (CSV header, Parquet schema, .npy names); null for JSON rows. */
  columns: string[] | null;
  batches(batchRows: number): Iterable<RowBatch> | AsyncIterable<RowBatch>;
}

export interface ReadContext {
  /** The group's name in messages (its first path). */
  name: string;
  schema: CollectionSchema;
  options: Record<string, string>;
}

/** The format of a file group by its names' extensions (as Milvus: .json, .parquet, .csv, .npy). */
export function formatOf(paths: readonly string[]): FileFormat {
  const ext = (p: string): string => {
    const base = p.slice(p.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
  };
  if (paths.length === 0) throw importErrors.failed('an import file group is empty');
  const exts = new Set(paths.map(ext));
  if (exts.size === 1 && exts.has('npy')) return 'numpy';
  if (paths.length === 1 && paths[0]!.endsWith('/')) return 'numpy';
  if (paths.length > 1) throw importErrors.failed(`a file group of several files must be .npy files (one per field), got ${paths.join(', ')}`);
  switch ([...exts][0]) {
    case 'json': return 'json';
    case 'parquet': return 'parquet';
    case 'csv': return 'csv';
    default: throw importErrors.failed(`unexpected file type of ${paths[0] ?? ''}, expected .json, .parquet, .csv or .npy`);
  }
}

/** Batches of `rows` (already in memory). */
export function* inBatches(rows: Record<string, unknown>[], batchRows: number): Iterable<RowBatch> {
  for (let i = 0; i < rows.length; i += batchRows) yield { rows: rows.slice(i, i + batchRows), firstRow: i + 1 };
}
