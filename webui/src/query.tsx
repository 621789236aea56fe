/** The query console: filter, output fields, limit and offset paging; results as a table. */
import { useState } from 'preact/hooks';
import { errorText, v2 } from './api.js';
import { arr, obj, type JsonObject } from './json.js';
import { primaryField, type CollectionSummary } from './model.js';
import { columnsOf, ResultTable } from './table.js';
import { CollectionPicker, splitList } from './search.js';

export function QueryView(props: { dbName: string; collections: readonly CollectionSummary[] }) {
  const [name, setName] = useState(props.collections[0]?.name ?? '');
  const [filter, setFilter] = useState('');
  const [fields, setFields] = useState('*');
  const [limit, setLimit] = useState(10);
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<JsonObject[] | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (at: number): Promise<void> => {
    setBusy(true);
    try {
      const data = await v2('entities/query', {
        dbName: props.dbName, collectionName: name, filter, outputFields: splitList(fields), limit, offset: at,
      });
      setRows(arr(data).map((r) => obj(r)));
      setOffset(at);
      setError('');
    } catch (e) {
      setError(errorText(e));
      setRows(null);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="query-title">
      <h2 id="query-title">Query</h2>
      <form class="grid-form" onSubmit={(e) => { e.preventDefault(); void run(0); }}>
        <CollectionPicker id="query-collection" collections={props.collections} value={name} onChange={setName} />
        <label class="wide">Filter <input id="query-filter" value={filter} placeholder='e.g. id > 10 and tag == "a"' onInput={(e) => setFilter(e.currentTarget.value)} /></label>
        <label>Output fields <input id="query-fields" value={fields} onInput={(e) => setFields(e.currentTarget.value)} /></label>
        <label>Limit <input id="query-limit" type="number" min={1} max={16384} value={limit} onInput={(e) => setLimit(Number(e.currentTarget.value))} /></label>
        <div class="wide row"><button type="submit" class="primary" disabled={busy || name === ''}>Run query</button></div>
      </form>
      {error !== '' && <p role="alert" class="error">{error}</p>}
      {rows !== null && (
        <>
          <div class="row" role="group" aria-label="Pages">
            <button type="button" disabled={busy || offset === 0} onClick={() => { void run(Math.max(0, offset - limit)); }}>Previous page</button>
            <span id="query-page">Rows {rows.length === 0 ? 0 : offset + 1}–{offset + rows.length}</span>
            <button type="button" disabled={busy || rows.length < limit} onClick={() => { void run(offset + limit); }}>Next page</button>
          </div>
          <ResultTable id="query-results" label="Query results" rows={rows} columns={columnsOf(rows, pkOf(props.collections, name))} />
        </>
      )}
    </section>
  );
}

function pkOf(collections: readonly CollectionSummary[], name: string): string[] {
  const c = collections.find((x) => x.name === name);
  const pk = c === undefined ? undefined : primaryField(c);
  return pk === undefined ? [] : [pk.name];
}
