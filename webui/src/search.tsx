/**
 * The search playground: a query vector pasted as JSON, taken from an existing row by its primary
 * key (queried first, then searched with), or text for a BM25 field; metric, limit, filter and
 * search params. Hits as a table with their scores.
 */
import { useState } from 'preact/hooks';
import { errorText, v2 } from './api.js';
import { arr, isObject, obj, type Json, type JsonObject } from './json.js';
import { primaryField, textSearchFields, vectorFields, type CollectionSummary } from './model.js';
import { ResultTable } from './table.js';

type Mode = 'vector' | 'pk' | 'text';
const METRICS = ['', 'L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'BM25'];

export function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function CollectionPicker(props: { id: string; collections: readonly CollectionSummary[]; value: string; onChange: (v: string) => void }) {
  return (
    <label>Collection
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.collections.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
      </select>
    </label>
  );
}

interface SearchForm {
  name: string; mode: Mode; field: string; vector: string; pk: string; text: string;
  metric: string; limit: number; filter: string; fields: string; params: string;
}

/** The query vector the form names: parsed JSON, or the `field` of the row whose primary key is `pk`. */
async function queryVector(dbName: string, c: CollectionSummary, f: SearchForm): Promise<Json> {
  if (f.mode === 'text') return f.text;
  if (f.mode === 'vector') {
    try {
      return JSON.parse(f.vector) as Json;
    } catch {
      throw new Error('The vector is not JSON: paste a list of numbers, e.g. [0.1, 0.2].');
    }
  }
  const pk = primaryField(c);
  if (pk === undefined) throw new Error(`${c.name} has no primary key field`);
  const literal = pk.type === 'VarChar' ? JSON.stringify(f.pk) : f.pk.trim();
  if (pk.type !== 'VarChar' && !/^-?\d+$/.test(literal)) throw new Error(`Primary key ${pk.name} is an integer; got "${f.pk}".`);
  const rows = arr(await v2('entities/query', { dbName, collectionName: c.name, filter: `${pk.name} in [${literal}]`, outputFields: [f.field], limit: 1 }));
  const row = rows[0];
  if (row === undefined) throw new Error(`No row with ${pk.name} = ${f.pk}.`);
  return obj(row)[f.field] ?? null;
}

async function runSearch(dbName: string, c: CollectionSummary, f: SearchForm): Promise<JsonObject[]> {
  let params: unknown;
  try {
    params = JSON.parse(f.params === '' ? '{}' : f.params);
  } catch {
    params = undefined;
  }
  if (!isObject(params)) throw new Error('Search params must be a JSON object, e.g. {"ef": 64}.');
  const vector = await queryVector(dbName, c, f);
  const searchParams: JsonObject = { params };
  if (f.metric !== '') searchParams['metricType'] = f.metric;
  const data = await v2('entities/search', {
    dbName, collectionName: c.name, annsField: f.field, data: [vector], limit: f.limit, filter: f.filter,
    outputFields: splitList(f.fields), searchParams,
  });
  return arr(data).map((r, i) => ({ rank: i + 1, ...obj(r) }));
}

function useForm(c: CollectionSummary | undefined): [SearchForm, (patch: Partial<SearchForm>) => void] {
  const [form, setForm] = useState<SearchForm>({
    name: c?.name ?? '', mode: 'vector', field: (c && vectorFields(c)[0]?.name) ?? '', vector: '', pk: '', text: '',
    metric: '', limit: 10, filter: '', fields: '', params: '{}',
  });
  return [form, (patch) => setForm((f) => ({ ...f, ...patch }))];
}

/** `textField`: the BM25 output field text searches go to (picked when the text mode is chosen), if any. */
function ModePicker(props: { form: SearchForm; set: (p: Partial<SearchForm>) => void; textField: string | undefined }) {
  const modes: [Mode, string][] = [['vector', 'Vector (JSON)'], ['pk', 'By primary key'], ...(props.textField !== undefined ? [['text', 'Text (BM25)'] as [Mode, string]] : [])];
  return (
    <fieldset class="wide row">
      <legend>Query by</legend>
      {modes.map(([m, label]) => (
        <label key={m} class="inline">
          <input type="radio" name="search-mode" value={m} checked={props.form.mode === m} onChange={() => props.set({ mode: m, ...(m === 'text' && props.textField !== undefined ? { field: props.textField } : {}) })} /> {label}
        </label>
      ))}
    </fieldset>
  );
}

function QueryInput(props: { form: SearchForm; set: (p: Partial<SearchForm>) => void }) {
  const { form, set } = props;
  if (form.mode === 'vector') {
    return <label class="wide">Vector (JSON) <textarea id="search-vector" rows={3} value={form.vector} placeholder="[0.1, 0.2, 0.3]" onInput={(e) => set({ vector: e.currentTarget.value })} /></label>;
  }
  if (form.mode === 'pk') return <label class="wide">Primary key <input id="search-pk" value={form.pk} onInput={(e) => set({ pk: e.currentTarget.value })} /></label>;
  return <label class="wide">Text <input id="search-text" value={form.text} onInput={(e) => set({ text: e.currentTarget.value })} /></label>;
}

function Options(props: { form: SearchForm; set: (p: Partial<SearchForm>) => void; c: CollectionSummary | undefined }) {
  const { form, set, c } = props;
  const fields = c === undefined ? [] : [...vectorFields(c).map((f) => f.name)];
  return (
    <>
      <label>Vector field
        <select id="search-field" value={form.field} onChange={(e) => set({ field: e.currentTarget.value })}>
          {fields.map((f) => <option key={f} value={f}>{f}</option>)}
        </select>
      </label>
      <label>Metric
        <select id="search-metric" value={form.metric} onChange={(e) => set({ metric: e.currentTarget.value })}>
          {METRICS.map((m) => <option key={m} value={m}>{m === '' ? '(index metric)' : m}</option>)}
        </select>
      </label>
      <label>Limit <input id="search-limit" type="number" min={1} max={16384} value={form.limit} onInput={(e) => set({ limit: Number(e.currentTarget.value) })} /></label>
      <label>Output fields <input id="search-fields" value={form.fields} placeholder="a, b" onInput={(e) => set({ fields: e.currentTarget.value })} /></label>
      <label class="wide">Filter <input id="search-filter" value={form.filter} onInput={(e) => set({ filter: e.currentTarget.value })} /></label>
      <label class="wide">Search params (JSON) <input id="search-params" value={form.params} onInput={(e) => set({ params: e.currentTarget.value })} /></label>
    </>
  );
}

export function SearchView(props: { dbName: string; collections: readonly CollectionSummary[] }) {
  const [form, set] = useForm(props.collections[0]);
  const [rows, setRows] = useState<JsonObject[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const c = props.collections.find((x) => x.name === form.name);
  const pick = (name: string): void => {
    const next = props.collections.find((x) => x.name === name);
    set({ name, field: (next && vectorFields(next)[0]?.name) ?? '', mode: 'vector' });
  };
  const submit = async (): Promise<void> => {
    if (c === undefined) return;
    setBusy(true);
    try {
      setRows(await runSearch(props.dbName, c, form));
      setError('');
    } catch (e) {
      setError(errorText(e));
      setRows(null);
    } finally {
      setBusy(false);
    }
  };
  const pk = c === undefined ? 'id' : primaryField(c)?.name ?? 'id';
  return (
    <section class="panel" aria-labelledby="search-title">
      <h2 id="search-title">Search</h2>
      <form class="grid-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <CollectionPicker id="search-collection" collections={props.collections} value={form.name} onChange={pick} />
        <ModePicker form={form} set={set} textField={c === undefined ? undefined : textSearchFields(c)[0]} />
        <QueryInput form={form} set={set} />
        <Options form={form} set={set} c={c} />
        <div class="wide row"><button type="submit" class="primary" disabled={busy || c === undefined}>Search</button></div>
      </form>
      {error !== '' && <p role="alert" class="error">{error}</p>}
      {rows !== null && <ResultTable id="search-results" label="Search results" rows={rows} columns={columnsWithScore(rows, pk)} />}
    </section>
  );
}

function columnsWithScore(rows: readonly JsonObject[], pk: string): string[] {
  const seen = new Set<string>(['rank', pk, 'distance']);
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}
