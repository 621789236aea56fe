/** What every data file reader yields (source.ts picks the reader, parquet.ts is one). */
import type { Row } from '../backend.js';

export interface FileRow { line: number; row: Row }

export interface FileRows {
  readonly name: string;
  readonly unit: 'line' | 'row';
  /** Progress in bytes (text files) or rows (Parquet). */
  readonly total: number;
  done(): number;
  rows(): AsyncGenerator<FileRow>;
}
