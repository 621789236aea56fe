/** One collection: summary and actions, schema, partitions (load / release), indexes (create / drop). */
import type { ConfirmRequest } from './dialog.js';
import type { JsonObject } from './json.js';
import { IndexForm } from './index-form.js';
import { formatBytes, stateLabel, type CollectionDetail, type CollectionSummary, type IndexInfo, type PartitionInfo } from './model.js';

export type Run = (label: string, path: string, body: JsonObject) => Promise<void>;

interface DetailProps {
  c: CollectionSummary;
  detail: CollectionDetail | null;
  error: string;
  run: Run;
  confirm: (r: ConfirmRequest) => void;
}

function Actions(props: DetailProps) {
  const { c, run, confirm } = props;
  const body = { collectionName: c.name };
  const loaded = c.loadState === 'LoadStateLoaded' || c.loadState === 'LoadStateLoading';
  return (
    <div class="row" role="group" aria-label="Collection actions">
      <button type="button" class="primary" disabled={loaded} onClick={() => { void run(`Load ${c.name}`, 'collections/load', body); }}>Load collection</button>
      <button type="button" disabled={!loaded} onClick={() => confirm({
        title: `Release ${c.name}?`, action: 'Release', danger: true,
        message: `Searches and queries on ${c.name} fail until it is loaded again; its ${formatBytes(c.loadedBytes)} of loaded data leave memory.`,
        run: () => run(`Release ${c.name}`, 'collections/release', body),
      })}>Release collection</button>
      <button type="button" onClick={() => confirm({
        title: `Flush ${c.name}?`, action: 'Flush', danger: false,
        message: 'Growing segments are sealed into segment files.',
        run: () => run(`Flush ${c.name}`, 'collections/flush', body),
      })}>Flush</button>
      <button type="button" onClick={() => confirm({
        title: `Compact ${c.name}?`, action: 'Compact', danger: true,
        message: 'Sealed segments are rewritten without deleted rows; the old files are removed.',
        run: () => run(`Compact ${c.name}`, 'collections/compact', body),
      })}>Compact</button>
    </div>
  );
}

function Schema(props: { c: CollectionSummary }) {
  const { c } = props;
  return (
    <>
      <h3>Schema</h3>
      <div class="scroll">
        <table id="schema" aria-label="Schema">
          <thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Keys</th><th scope="col">Params</th></tr></thead>
          <tbody>
            {c.fields.map((f) => (
              <tr key={f.name}>
                <th scope="row">{f.name}</th>
                <td>{f.type}{f.elementType !== '' ? `<${f.elementType}>` : ''}{f.nullable ? ' (nullable)' : ''}</td>
                <td>{[f.primaryKey ? 'primary' : '', f.autoId ? 'auto id' : '', f.partitionKey ? 'partition key' : ''].filter((x) => x !== '').join(', ')}</td>
                <td>{f.params}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {c.functions.length > 0 && (
        <ul aria-label="Functions">
          {c.functions.map((f) => <li key={f.name}>{f.name}: {f.type} ({f.input.join(', ')} → {f.output.join(', ')})</li>)}
        </ul>
      )}
      <p class="muted">Consistency {c.consistencyLevel}{c.enableDynamicField ? ', dynamic fields on' : ''}.</p>
    </>
  );
}

function PartitionRow(props: { p: PartitionInfo; c: CollectionSummary; run: Run; confirm: (r: ConfirmRequest) => void }) {
  const { p, c, run, confirm } = props;
  const body = { collectionName: c.name, partitionNames: [p.name] };
  const label = stateLabel(p.loadState);
  const loaded = p.loadState === 'LoadStateLoaded';
  return (
    <tr data-partition={p.name}>
      <th scope="row">{p.name}</th>
      <td class="num">{p.rowCount}</td>
      <td data-state={label}>{label}</td>
      <td class="num">{formatBytes(p.loadedBytes)}</td>
      <td class="num">{formatBytes(p.growingBytes)}</td>
      <td>
        {loaded
          ? <button type="button" aria-label={`Release partition ${p.name}`} onClick={() => confirm({
            title: `Release partition ${p.name}?`, action: 'Release', danger: true,
            message: `Searches of ${c.name} no longer see the rows of ${p.name} until it is loaded again.`,
            run: () => run(`Release ${c.name}/${p.name}`, 'partitions/release', body),
          })}>Release</button>
          : <button type="button" aria-label={`Load partition ${p.name}`} onClick={() => { void run(`Load ${c.name}/${p.name}`, 'partitions/load', body); }}>Load</button>}
      </td>
    </tr>
  );
}

function Partitions(props: DetailProps & { partitions: readonly PartitionInfo[] }) {
  return (
    <>
      <h3>Partitions</h3>
      <div class="scroll">
        <table id="partitions" aria-label="Partitions">
          <thead><tr><th scope="col">Partition</th><th scope="col">Rows</th><th scope="col">Load state</th><th scope="col">Loaded memory</th><th scope="col">Growing memory</th><th scope="col">Action</th></tr></thead>
          <tbody>{props.partitions.map((p) => <PartitionRow key={p.name} p={p} c={props.c} run={props.run} confirm={props.confirm} />)}</tbody>
        </table>
      </div>
    </>
  );
}

function progressOf(i: IndexInfo): number {
  return i.totalRows === 0 ? 100 : Math.round((100 * i.indexedRows) / i.totalRows);
}

function Indexes(props: DetailProps & { indexes: readonly IndexInfo[] }) {
  const { c, run, confirm } = props;
  return (
    <>
      <h3>Indexes</h3>
      {props.indexes.length === 0 ? <p class="muted">No indexes.</p> : (
        <div class="scroll">
          <table id="indexes" aria-label="Indexes">
            <thead><tr><th scope="col">Index</th><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Metric</th><th scope="col">Build</th><th scope="col">Action</th></tr></thead>
            <tbody>
              {props.indexes.map((i) => (
                <tr key={i.indexName}>
                  <th scope="row">{i.indexName}</th><td>{i.fieldName}</td><td>{i.indexType}</td><td>{i.metricType}</td>
                  <td>
                    <progress max={100} value={progressOf(i)} aria-label={`Build progress of ${i.indexName}`} /> {i.state} {i.indexedRows}/{i.totalRows}
                    {i.failReason !== '' ? ` (${i.failReason})` : ''}
                  </td>
                  <td>
                    <button type="button" class="danger" aria-label={`Drop index ${i.indexName}`} disabled={c.loadState !== 'LoadStateNotLoad'} onClick={() => confirm({
                      title: `Drop index ${i.indexName}?`, action: 'Drop index', danger: true,
                      message: `The index on ${i.fieldName} is removed; a loaded collection needs a vector index to stay searchable.`,
                      run: () => run(`Drop index ${i.indexName}`, 'indexes/drop', { collectionName: c.name, indexName: i.indexName }),
                    })}>Drop</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.indexes.length > 0 && c.loadState !== 'LoadStateNotLoad' && <p class="muted">Release the collection to drop an index.</p>}
      <IndexForm c={c} run={run} />
    </>
  );
}

export function CollectionDetailView(props: DetailProps) {
  const { c, detail } = props;
  const label = stateLabel(c.loadState);
  return (
    <>
      <h2 id="detail-title">{c.name}</h2>
      <p>
        <span id="detail-rows">{c.rowCount} rows</span>, <span id="detail-state" data-state={label}>{label}</span>
        {c.loadState === 'LoadStateLoading' ? ` (${c.loadProgress}%)` : ''}, {formatBytes(c.loadedBytes)} loaded, {formatBytes(c.growingBytes)} growing
      </p>
      <Actions {...props} />
      {props.error !== '' && <p role="alert" class="error">{props.error}</p>}
      <Schema c={c} />
      {detail !== null && <Partitions {...props} partitions={detail.partitions} />}
      {detail !== null && <Indexes {...props} indexes={detail.indexes} />}
    </>
  );
}
