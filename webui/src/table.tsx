/** A plain result table: one column per key seen in the rows, in first-seen order. */
import { cellText, type JsonObject } from './json.js';

export function columnsOf(rows: readonly JsonObject[], first: readonly string[] = []): string[] {
  const seen = new Set<string>(first);
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

export function ResultTable(props: { rows: readonly JsonObject[]; columns?: readonly string[]; label: string; id: string }) {
  const columns = props.columns ?? columnsOf(props.rows);
  if (props.rows.length === 0) return <p class="muted" id={props.id}>No rows.</p>;
  return (
    <div class="scroll">
      <table id={props.id} aria-label={props.label}>
        <thead><tr>{columns.map((c) => <th scope="col" key={c}>{c}</th>)}</tr></thead>
        <tbody>
          {props.rows.map((r, i) => (
            <tr key={i}>{columns.map((c) => <td key={c}>{cellText(r[c])}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
