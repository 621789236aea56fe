/**
 * What a command prints, and how: `table` (aligned columns for people), `json` (int64 as exact
 * numbers) or `csv`. Messages are printed as plain text in every format.
 */
export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

export type Output =
  | { kind: 'none' }
  | { kind: 'message'; text: string }
  | { kind: 'table'; columns: string[]; rows: unknown[][] }
  | { kind: 'record'; data: Record<string, unknown> };

export const message = (text: string): Output => ({ kind: 'message', text });
export const record = (data: Record<string, unknown>): Output => ({ kind: 'record', data });
export const table = (columns: string[], rows: unknown[][]): Output => ({ kind: 'table', columns, rows });
export const list = (column: string, items: readonly string[]): Output => table([column], items.map((x) => [x]));

/** Rows of objects -> a table with the union of their keys, in first-seen order. */
export function tableOfRows(rows: readonly Record<string, unknown>[], first: string[] = []): Output {
  const cols = [...first];
  const seen = new Set(cols);
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); cols.push(k); }
  return table(cols, rows.map((r) => cols.map((c) => r[c])));
}

/** JSON text with bigint written as exact integer literals (`indent` spaces per level, 0 = compact). */
export function toJson(v: unknown, indent = 0): string {
  return jsonValue(v, indent, '');
}

function jsonValue(v: unknown, indent: number, pad: string): string {
  if (typeof v === 'bigint') return v.toString();
  if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const nl = indent > 0 ? '\n' : '';
  const wrap = (open: string, parts: string[], close: string): string =>
    parts.length === 0 ? open + close : `${open}${nl}${parts.map((p) => inner + p).join(`,${nl}`)}${nl}${indent > 0 ? pad : ''}${close}`;
  if (Array.isArray(v)) return wrap('[', v.map((x) => jsonValue(x, indent, inner)), ']');
  if (ArrayBuffer.isView(v)) return jsonValue(Array.from(v as Uint8Array), indent, pad);
  const sep = indent > 0 ? ': ' : ':';
  const parts = Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}${sep}${jsonValue(x, indent, inner)}`);
  return wrap('{', parts, '}');
}

const CELL_MAX_CHARS = 60;

function cellText(v: unknown, full: boolean): string {
  if (v === null || v === undefined) return v === null ? 'null' : '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const s = toJson(v);
  return full || s.length <= CELL_MAX_CHARS ? s : `${s.slice(0, CELL_MAX_CHARS - 1)}…`;
}

function csvCell(v: unknown): string {
  const s = cellText(v, true);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function renderTable(columns: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => columns.map((_c, i) => cellText(r[i], false)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (parts: string[]): string => parts.map((p, i) => p.padEnd(widths[i] ?? 0)).join(' | ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(columns), sep, ...cells.map(line)].join('\n');
}

export function render(o: Output, format: OutputFormat): string | null {
  switch (o.kind) {
    case 'none': return null;
    case 'message': return o.text;
    case 'record':
      if (format === 'json') return toJson(o.data, 2);
      if (format === 'csv') return ['key,value', ...Object.entries(o.data).map(([k, v]) => `${csvCell(k)},${csvCell(v)}`)].join('\n');
      return renderTable(['key', 'value'], Object.entries(o.data));
    case 'table':
      if (format === 'json') return toJson(o.rows.map((r) => Object.fromEntries(o.columns.map((c, i) => [c, r[i] ?? null]))), 2);
      if (format === 'csv') return [o.columns.map(csvCell).join(','), ...o.rows.map((r) => o.columns.map((_c, i) => csvCell(r[i])).join(','))].join('\n');
      return renderTable(o.columns, o.rows);
  }
}
