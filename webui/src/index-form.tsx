/** Create an index: field, index type, metric and build params (JSON). */
import { useState } from 'preact/hooks';
import type { Run } from './detail.js';
import { isObject, type JsonObject } from './json.js';
import type { CollectionSummary } from './model.js';

const INDEX_TYPES = ['AUTOINDEX', 'FLAT', 'HNSW', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'DISKANN', 'BIN_FLAT', 'BIN_IVF_FLAT', 'SPARSE_INVERTED_INDEX', 'INVERTED', 'STL_SORT', 'TRIE', 'BITMAP'];
const METRICS = ['', 'L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'BM25'];

export function IndexForm(props: { c: CollectionSummary; run: Run }) {
  const { c, run } = props;
  const [field, setField] = useState(c.fields[0]?.name ?? '');
  const [indexType, setIndexType] = useState('AUTOINDEX');
  const [metric, setMetric] = useState('');
  const [indexName, setIndexName] = useState('');
  const [params, setParams] = useState('{}');
  const [error, setError] = useState('');
  const submit = (e: Event): void => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(params);
    } catch {
      parsed = undefined;
    }
    if (!isObject(parsed)) {
      setError('Build params must be a JSON object, e.g. {"M": 16, "efConstruction": 200}.');
      return;
    }
    setError('');
    const entry: JsonObject = { fieldName: field, params: { ...parsed, index_type: indexType } };
    if (metric !== '') entry['metricType'] = metric;
    if (indexName !== '') entry['indexName'] = indexName;
    void run(`Create index on ${field}`, 'indexes/create', { collectionName: c.name, indexParams: [entry] });
  };
  return (
    <form class="grid-form" onSubmit={submit} aria-label="Create index">
      <h4>Create index</h4>
      <label>Field
        <select value={field} onChange={(e) => setField(e.currentTarget.value)}>
          {c.fields.map((f) => <option key={f.name} value={f.name}>{f.name} ({f.type})</option>)}
        </select>
      </label>
      <label>Index type
        <select value={indexType} onChange={(e) => setIndexType(e.currentTarget.value)}>
          {INDEX_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      <label>Metric
        <select value={metric} onChange={(e) => setMetric(e.currentTarget.value)}>
          {METRICS.map((m) => <option key={m} value={m}>{m === '' ? '(default)' : m}</option>)}
        </select>
      </label>
      <label>Index name <input value={indexName} placeholder="(field name)" onInput={(e) => setIndexName(e.currentTarget.value)} /></label>
      <label class="wide">Build params (JSON) <input value={params} onInput={(e) => setParams(e.currentTarget.value)} /></label>
      {error !== '' && <p role="alert" class="error wide">{error}</p>}
      <div class="wide"><button type="submit" class="primary">Create index</button></div>
    </form>
  );
}
