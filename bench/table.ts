/** Plain-text tables: one per suite, numbers right-aligned, units in the column names. */

export type Cell = string | number | null;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Lines printed under the table (what a column means, what was skipped). */
  notes: string[];
}

export function table(title: string, columns: string[]): Table {
  return { title, columns, rows: [], notes: [] };
}

function cellText(c: Cell): string {
  if (c === null) return '-';
  if (typeof c === 'string') return c;
  if (!Number.isFinite(c)) return String(c);
  if (Number.isInteger(c)) return String(c);
  const abs = Math.abs(c);
  if (abs >= 1000) return c.toFixed(0);
  if (abs >= 100) return c.toFixed(1);
  if (abs >= 1) return c.toFixed(2);
  return c.toFixed(3);
}

export function formatTable(t: Table): string {
  const text = t.rows.map((r) => r.map(cellText));
  const widths = t.columns.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = t.columns.map((_, i) => t.rows.every((r) => typeof r[i] === 'number' || r[i] === null));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (numeric[i] === true ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [`== ${t.title}`, line(t.columns), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of text) out.push(line(r));
  for (const n of t.notes) out.push(`  ${n}`);
  return out.join('\n');
}

export function mb(bytes: number | null): number | null {
  return bytes === null ? null : bytes / (1024 * 1024);
}
