/**
 * What the kill -9 soak checks after every restart, over the wire with the SDK: every acknowledged
 * row present exactly once with its last acknowledged version (or a version that was in flight),
 * deleted rows absent, no row never written, count(*) agreeing with the rows, and the vector index
 * agreeing with the data (a row's own vector finds it at distance ~0; hits are live rows at the
 * distance their current vector has).
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { l2Squared, vectorOf, type PkModel, type Version } from './model.js';

export const COLLECTION = 'soak';

export interface Violations {
  /** Acknowledged rows missing (nothing in flight could have removed them). */
  lost: number;
  /** Acknowledged deletes whose row came back. */
  resurrected: number;
  /** Rows whose version is neither the acknowledged one nor one in flight. */
  stale: number;
  /** Rows never written. */
  unexpected: number;
  /** A pk returned twice by query or search, or count(*) above the distinct rows. */
  duplicates: number;
  /** Stored vector not the one written with the row's version. */
  vectorMismatch: number;
  /** Search missing a row's own vector, returning a dead pk, or scoring a hit off its current vector. */
  indexDisagreements: number;
}

export function noViolations(): Violations {
  return { lost: 0, resurrected: 0, stale: 0, unexpected: 0, duplicates: 0, vectorMismatch: 0, indexDisagreements: 0 };
}

function ok(status: { error_code?: string | number; reason?: string } | undefined, what: string): void {
  if (status && status.error_code !== 'Success' && status.error_code !== 0) {
    throw new Error(`${what} failed: ${String(status.error_code)} ${status.reason ?? ''}`);
  }
}

/** Every row by query (id, ver, vec) and count(*). */
async function readAll(client: MilvusClient): Promise<{ rows: Record<string, unknown>[]; count: number }> {
  const q = await client.query({ collection_name: COLLECTION, filter: 'id >= 0', output_fields: ['id', 'ver', 'vec'] });
  ok(q.status, 'query');
  const c = await client.query({ collection_name: COLLECTION, filter: 'id >= 0', output_fields: ['count(*)'] });
  ok(c.status, 'count(*)');
  const count = Number(c.data[0]?.['count(*)']);
  return { rows: q.data as Record<string, unknown>[], count };
}

function classify(model: PkModel, pk: number, observed: Version, v: Violations, details: string[]): void {
  const allowed = model.allowed(pk);
  if (allowed.includes(observed)) return;
  const acked = model.acked(pk);
  let kind: keyof Violations;
  if (!model.known(pk)) kind = 'unexpected';
  else if (observed === null) kind = 'lost';
  else if (!allowed.some((a) => a !== null)) kind = 'resurrected';
  else kind = 'stale';
  v[kind]++;
  if (details.length < 20) details.push(`${kind}: pk ${pk} observed ${String(observed)}, acknowledged ${String(acked)}, allowed [${allowed.join(',')}]`);
}

/**
 * Compare the server with the model, count violations, then settle the model to what the server
 * holds (it is durable now). `sample` rows are searched by their own vector.
 */
export async function checkAgainstModel(
  client: MilvusClient,
  model: PkModel,
  sample: number,
  rand: () => number,
): Promise<{ violations: Violations; details: string[]; live: number }> {
  const v = noViolations();
  const details: string[] = [];
  const { rows, count } = await readAll(client);
  const observed = new Map<number, number>();
  for (const r of rows) {
    const pk = Number(r['id']);
    const ver = Number(r['ver']);
    if (observed.has(pk)) {
      v.duplicates++;
      details.push(`duplicate: pk ${pk} returned twice by query`);
    }
    observed.set(pk, ver);
    const vec = r['vec'] as number[];
    if (l2Squared(vec, vectorOf(pk, ver)) !== 0) {
      v.vectorMismatch++;
      if (details.length < 20) details.push(`vector: pk ${pk} ver ${ver} has a vector of another version`);
    }
  }
  if (count !== observed.size) {
    v.duplicates += Math.abs(count - observed.size);
    details.push(`count(*) ${count} but ${observed.size} distinct rows`);
  }
  for (const pk of model.pks()) classify(model, pk, observed.get(pk) ?? null, v, details);
  for (const pk of observed.keys()) if (!model.known(pk)) classify(model, pk, observed.get(pk)!, v, details);
  for (const pk of model.pks()) model.settle(pk, observed.get(pk) ?? null);
  await checkIndex(client, observed, sample, rand, v, details);
  return { violations: v, details, live: observed.size };
}

async function checkIndex(
  client: MilvusClient,
  live: Map<number, number>,
  sample: number,
  rand: () => number,
  v: Violations,
  details: string[],
): Promise<void> {
  const pks = [...live.keys()];
  for (let i = 0; i < sample && pks.length > 0; i++) {
    const pk = pks[Math.floor(rand() * pks.length)]!;
    const query = vectorOf(pk, live.get(pk)!);
    const res = await client.search({
      collection_name: COLLECTION, data: query, anns_field: 'vec', limit: 10, params: { ef: 128 }, output_fields: ['id', 'ver'],
    });
    ok(res.status, 'search');
    const seen = new Set<number>();
    let found = false;
    for (const hit of res.results as unknown as Record<string, unknown>[]) {
      const id = Number(hit['id']);
      const score = Number(hit['score']);
      if (seen.has(id)) { v.duplicates++; details.push(`duplicate: pk ${id} twice in one search`); }
      seen.add(id);
      const ver = live.get(id);
      if (ver === undefined) {
        v.indexDisagreements++;
        if (details.length < 20) details.push(`index: search returned pk ${id}, which is not a live row`);
        continue;
      }
      const expected = l2Squared(query, vectorOf(id, ver));
      if (Math.abs(score - expected) > 1e-4 * Math.max(1, expected) || Number(hit['ver']) !== ver) {
        v.indexDisagreements++;
        if (details.length < 20) details.push(`index: pk ${id} scored ${score} (ver ${String(hit['ver'])}), its current vector (ver ${ver}) is at ${expected}`);
      }
      if (id === pk && score < 1e-6) found = true;
    }
    if (!found) {
      v.indexDisagreements++;
      if (details.length < 20) details.push(`index: searching pk ${pk}'s own vector did not return it at distance 0`);
    }
  }
}
