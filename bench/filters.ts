/**
 * Filter kernel throughput: `evaluateFilter` over synthetic columns (Int64 primary key, Int32,
 * Double, VarChar, JSON), one expression per class, rows per second of CPU time (process.cpuUsage;
 * the fastest of several passes). Every pass evaluates from scratch: no chunk keeps the result here.
 */
import { DataType } from '../src/core/enums.js';
import { compileFilter, evaluateFilter } from '../src/expr/index.js';
import type { Column, RowSource } from '../src/schema/column.js';
import type { CollectionSchema, FieldSchema, JsonValue } from '../src/schema/types.js';

export interface FilterKernelRow { class: string; expr: string; matched: number; cpuMs: number; rowsPerSec: number; goalRowsPerSec: number }

const NUMERIC_GOAL = 200e6;
const TEXT_GOAL = 50e6;

/** class, expression, goal (rows/s per core, issue 12). */
export const FILTER_CASES: readonly [string, string, number][] = [
  ['Int64 comparison', 'id > 500000', NUMERIC_GOAL],
  ['Int64 arithmetic', 'id % 100 == 7', NUMERIC_GOAL],
  ['Int64 arithmetic (range)', 'id + 5 < 1000', NUMERIC_GOAL],
  ['Int64 in (4 values)', 'id in [1, 5, 9, 100]', NUMERIC_GOAL],
  ['Int32 comparison', 'a < 500', NUMERIC_GOAL],
  ['Int32 arithmetic', 'a % 100 == 7', NUMERIC_GOAL],
  ['Int32 in (4 values)', 'a in [1, 5, 9, 100]', NUMERIC_GOAL],
  ['Double comparison', 'x >= 1000.5', NUMERIC_GOAL],
  ['VarChar equality', 's == "name7"', TEXT_GOAL],
  ['VarChar prefix like', 's like "name1%"', TEXT_GOAL],
  ['JSON path == number', 'j["k"] == 7', TEXT_GOAL],
  ['JSON path == string', 'j["t"] == "t3"', TEXT_GOAL],
];

function fieldOf(fieldId: number, name: string, dataType: DataType, isPrimaryKey = false): FieldSchema {
  return {
    fieldId, name, description: '', dataType, isPrimaryKey, autoId: false, isPartitionKey: false, isClusteringKey: false,
    isDynamic: false, nullable: false, defaultValue: null, dim: null, maxLength: dataType === DataType.VarChar ? 64 : null,
    maxCapacity: null, elementType: null, typeParams: {},
  };
}

const SCHEMA: CollectionSchema = {
  name: 'filters', description: '', enableDynamicField: false, functions: [],
  fields: [
    fieldOf(100, 'id', DataType.Int64, true), fieldOf(101, 'a', DataType.Int32), fieldOf(102, 'x', DataType.Double),
    fieldOf(103, 's', DataType.VarChar), fieldOf(104, 'j', DataType.JSON),
  ],
};

/** Rows as the engine holds them; strings and JSON decoded once, as a loaded segment's are. */
export function filterRows(n: number): RowSource {
  const id = new BigInt64Array(n);
  const a = new Int32Array(n);
  const x = new Float64Array(n);
  const s = new Array<string>(n);
  const j = new Array<JsonValue>(n);
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(i);
    a[i] = i % 1000;
    x[i] = i / 7;
    s[i] = JSON.parse(`"name${i % 1000}"`) as string;
    j[i] = JSON.parse(`{"k":${i % 100},"t":"t${i % 50}"}`) as JsonValue;
  }
  const cols = new Map<string, Column>([
    ['id', { kind: 'int64', data: id, valid: null }], ['a', { kind: 'int32', data: a, valid: null }],
    ['x', { kind: 'double', data: x, valid: null }], ['s', { kind: 'varchar', data: s, valid: null }],
    ['j', { kind: 'json', data: j, valid: null }],
  ]);
  return { numRows: n, column: (name) => cols.get(name) };
}

function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

export function runFilterKernels(rows: RowSource, passes: number): FilterKernelRow[] {
  const out: FilterKernelRow[] = [];
  for (const [cls, expr, goal] of FILTER_CASES) {
    const plan = compileFilter(expr, SCHEMA);
    const first = evaluateFilter(plan, rows);
    let matched = 0;
    for (let i = 0; i < first.length; i++) matched += first[i]!;
    evaluateFilter(plan, rows);
    let best = Infinity;
    for (let p = 0; p < passes; p++) best = Math.min(best, cpuMs(() => evaluateFilter(plan, rows)));
    const ms = Math.max(best, 0.001);
    out.push({ class: cls, expr, matched, cpuMs: ms, rowsPerSec: (rows.numRows * 1000) / ms, goalRowsPerSec: goal });
  }
  return out;
}
