/** The Collections view: a table of the database's collections, and the selected one in detail. */
import { useEffect, useState } from 'preact/hooks';
import { errorText, v2 } from './api.js';
import type { ConfirmRequest } from './dialog.js';
import { obj, type JsonObject } from './json.js';
import { CollectionDetailView } from './detail.js';
import { collectionDetail, formatBytes, stateLabel, type CollectionDetail, type CollectionSummary } from './model.js';
import type { Samples } from './prom.js';

export interface CollectionsProps {
  dbName: string;
  collections: readonly CollectionSummary[];
  samples: Samples;
  selected: string | null;
  onSelect: (name: string) => void;
  /** Re-read everything (after an action). */
  refresh: () => Promise<void>;
  confirm: (r: ConfirmRequest) => void;
  notify: (text: string, error: boolean) => void;
}

function LoadCell(props: { c: CollectionSummary }) {
  const { c } = props;
  const label = stateLabel(c.loadState);
  return (
    <td data-state={label} class={`state-${label}`}>
      {label}{c.loadState === 'LoadStateLoading' ? ` ${c.loadProgress}%` : ''}
    </td>
  );
}

function CollectionTable(props: CollectionsProps) {
  if (props.collections.length === 0) return <p class="muted">No collections in {props.dbName}.</p>;
  return (
    <div class="scroll">
      <table id="collections" aria-label="Collections">
        <thead>
          <tr><th scope="col">Collection</th><th scope="col">Rows</th><th scope="col">Load state</th><th scope="col">Loaded memory</th><th scope="col">Growing memory</th></tr>
        </thead>
        <tbody>
          {props.collections.map((c) => (
            <tr key={c.name} data-collection={c.name} class={c.name === props.selected ? 'selected' : ''}>
              <th scope="row">
                <button type="button" class="link" aria-pressed={c.name === props.selected} onClick={() => props.onSelect(c.name)}>{c.name}</button>
              </th>
              <td class="num">{c.rowCount}</td>
              <LoadCell c={c} />
              <td class="num">{formatBytes(c.loadedBytes)}</td>
              <td class="num">{formatBytes(c.growingBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Runs one REST v2 action, reports it, and refreshes. */
export function actionRunner(props: CollectionsProps, after?: () => Promise<void>) {
  return async (label: string, path: string, body: JsonObject): Promise<void> => {
    try {
      const id = obj(await v2(path, { dbName: props.dbName, ...body }))['compactionID'];
      props.notify(`${label}: done${id !== undefined ? ` (compaction ${String(id)})` : ''}`, false);
    } catch (e) {
      props.notify(`${label}: ${errorText(e)}`, true);
    }
    await props.refresh();
    if (after !== undefined) await after();
  };
}

export function CollectionsView(props: CollectionsProps) {
  const c = props.collections.find((x) => x.name === props.selected) ?? null;
  const [detail, setDetail] = useState<CollectionDetail | null>(null);
  const [detailError, setDetailError] = useState('');
  const reloadDetail = async (): Promise<void> => {
    if (c === null) return;
    try {
      setDetail(await collectionDetail(props.dbName, c, props.samples));
      setDetailError('');
    } catch (e) {
      setDetailError(errorText(e));
    }
  };
  useEffect(() => { void reloadDetail(); }, [c, props.samples]);
  return (
    <div class="split">
      <section aria-labelledby="collections-title" class="panel list">
        <h2 id="collections-title">Collections in {props.dbName}</h2>
        <CollectionTable {...props} />
      </section>
      <section aria-label="Collection detail" class="panel detail">
        {c === null
          ? <p class="muted">Choose a collection.</p>
          : <CollectionDetailView c={c} detail={detail} error={detailError} run={actionRunner(props, reloadDetail)} confirm={props.confirm} />}
      </section>
    </div>
  );
}
