/**
 * The contents of the committed golden files under test/fixtures/storage/ (format version 1).
 * make-golden.ts writes them; golden.test.ts checks that today's code reads them back to these
 * values and still writes byte-identical files.
 */
import { DataType } from '../../src/core/enums.js';
import type { SegmentData } from '../../src/storage/segment.js';

export const GOLDEN_WAL_DIR = 'wal-v1';
/** Records 1..3 go to the first file; then the WAL is rotated and records 4..5 go to the second. */
export const GOLDEN_WAL_RECORDS: { type: number; payload: Uint8Array }[] = [
  { type: 1, payload: new TextEncoder().encode('hello, wal') },
  { type: 2, payload: new Uint8Array(0) },
  { type: 255, payload: Uint8Array.from({ length: 40 }, (_, i) => (i * 7) & 0xff) },
  { type: 3, payload: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) },
  { type: 0, payload: new TextEncoder().encode('après rotation') },
];
export const GOLDEN_WAL_ROTATE_AFTER = 3;

export const GOLDEN_SEGMENT_FILE = 'segment-v1.sxs';
export function goldenSegment(): SegmentData {
  return {
    meta: { segmentId: 42, collection: 'golden', partition: '_default', rowsDeleted: 0 },
    numRows: 3,
    cols: [
      { fieldId: 100, column: { kind: 'int64', data: BigInt64Array.of(-(2n ** 63n), 0n, 2n ** 63n - 1n), valid: null } },
      { fieldId: 101, column: { kind: 'bool', data: Uint8Array.of(1, 0, 1), valid: null } },
      { fieldId: 102, column: { kind: 'int8', data: Int8Array.of(-128, 0, 127), valid: Uint8Array.of(1, 0, 1) } },
      { fieldId: 103, column: { kind: 'int16', data: Int16Array.of(-32768, 1, 32767), valid: null } },
      { fieldId: 104, column: { kind: 'int32', data: Int32Array.of(-1, 2, 2147483647), valid: null } },
      { fieldId: 105, column: { kind: 'float', data: Float32Array.of(1.5, -0.25, 3), valid: null } },
      { fieldId: 106, column: { kind: 'double', data: Float64Array.of(Math.PI, -1e300, 0), valid: null } },
      { fieldId: 107, column: { kind: 'varchar', data: ['alpha', '', 'ωmega'], valid: Uint8Array.of(1, 0, 1) } },
      { fieldId: 108, column: { kind: 'json', data: [{ a: [1, 'x'] }, null, 'text'], valid: null } },
      { fieldId: 109, column: { kind: 'array', elementType: DataType.Int64, data: [[1n, -(2n ** 63n)], [], [2n ** 53n + 1n]], valid: null } },
      { fieldId: 110, column: { kind: 'array', elementType: DataType.VarChar, data: [['a', 'bc'], ['é'], []], valid: null } },
      { fieldId: 111, column: { kind: 'floatVector', dim: 2, data: Float32Array.of(0.5, 1, 1.5, 2, 2.5, 3), valid: null } },
      { fieldId: 112, column: { kind: 'float16Vector', dim: 2, data: Uint16Array.of(0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600), valid: null } },
      { fieldId: 113, column: { kind: 'bfloat16Vector', dim: 1, data: Uint16Array.of(0x3f80, 0x4000, 0x4040), valid: null } },
      { fieldId: 114, column: { kind: 'int8Vector', dim: 3, data: Int8Array.of(1, -2, 3, -4, 5, -6, 7, -8, 9), valid: null } },
      { fieldId: 115, column: { kind: 'binaryVector', dim: 16, data: Uint8Array.of(0xff, 0x00, 0x0f, 0xf0, 0xaa, 0x55), valid: null } },
      { fieldId: 116, column: { kind: 'sparseVector', data: [
        { indices: Uint32Array.of(1, 7, 4294967295), values: Float32Array.of(0.5, -1, 2) },
        { indices: new Uint32Array(0), values: new Float32Array(0) },
        { indices: Uint32Array.of(3), values: Float32Array.of(9) },
      ], valid: Uint8Array.of(1, 0, 1) } },
    ],
  };
}

export const GOLDEN_MANIFEST_DIR = 'manifest-v1';
export const GOLDEN_MANIFEST = {
  formatVersion: 1,
  checkpointLsn: '5',
  collections: [{ id: 1, name: 'golden', segments: [GOLDEN_SEGMENT_FILE] }],
};
