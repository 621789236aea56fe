/**
 * Concurrent writers of the kill -9 soak. Client i owns the pks congruent to i mod n, so writes of
 * one pk are sequential and its last acknowledged version is well defined. Inserts only use pks
 * never sent before (an insert of a row whose earlier write is uncertain could legally duplicate
 * it); upserts and deletes go to pks already written.
 */
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { COLLECTION } from './check.js';
import { vectorOf, type PkModel, type Version } from './model.js';

export interface OpCounts { insert: number; upsert: number; delete: number; uncertain: number; errors: number }

export function newCounts(): OpCounts {
  return { insert: 0, upsert: 0, delete: 0, uncertain: 0, errors: 0 };
}

/** A client with the SDK's retries off: a retried insert could apply twice, which would be our doing. */
export function sdkClient(port: number): MilvusClient {
  const c = new MilvusClient({
    address: `127.0.0.1:${port}`, logLevel: 'error', maxRetries: 0, timeout: 20_000, telemetry: { enabled: false },
    // grpc-js shares subchannels by address: without this a new client inherits the dead server's
    // connection in reconnect backoff and fails fast with UNAVAILABLE.
    channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
  });
  // The SDK connects in the background; a kill before that finishes must not be an unhandled rejection
  // (every call awaits the same promise and reports the failure itself).
  void c.connectPromise.catch(() => undefined);
  return c;
}

export class Writer {
  private fresh: number;
  private readonly written: number[] = [];

  constructor(
    readonly index: number,
    private readonly stride: number,
    private readonly pkSpace: number,
    private readonly model: PkModel,
    private readonly rand: () => number,
  ) {
    this.fresh = index;
  }

  /** Write until `stopped()`; every acknowledged op is counted and recorded in the model. */
  async run(client: MilvusClient, stopped: () => boolean, counts: OpCounts): Promise<void> {
    while (!stopped()) {
      const kind = this.pick();
      const pks = this.targets(kind);
      if (pks.length === 0) continue;
      const versions: Version[] = pks.map((pk) => this.model.begin(pk, kind === 'delete'));
      let acked = false;
      try {
        const status = await this.send(client, kind, pks, versions);
        acked = status.error_code === 'Success';
        if (!acked && !stopped()) counts.errors++;
      } catch {
        if (!stopped()) counts.errors++;
      }
      if (acked) {
        for (let i = 0; i < pks.length; i++) this.model.ack(pks[i]!, versions[i]!);
        counts[kind]++;
      } else {
        counts.uncertain++;
        if (!stopped()) await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private pick(): 'insert' | 'upsert' | 'delete' {
    const r = this.rand();
    if (this.written.length < 8 || (r < 0.35 && this.fresh < this.pkSpace)) return 'insert';
    return r < 0.75 ? 'upsert' : 'delete';
  }

  private targets(kind: 'insert' | 'upsert' | 'delete'): number[] {
    const n = 1 + Math.floor(this.rand() * 4);
    const out: number[] = [];
    if (kind === 'insert') {
      for (let i = 0; i < n && this.fresh < this.pkSpace; i++) {
        out.push(this.fresh);
        this.written.push(this.fresh);
        this.fresh += this.stride;
      }
      return out;
    }
    for (let i = 0; i < n * 3 && out.length < n; i++) {
      const pk = this.written[Math.floor(this.rand() * this.written.length)]!;
      if (out.includes(pk)) continue;
      if (kind === 'delete' && this.model.acked(pk) === null && !this.model.uncertain(pk)) continue;
      out.push(pk);
    }
    return out;
  }

  private async send(client: MilvusClient, kind: 'insert' | 'upsert' | 'delete', pks: number[], versions: Version[]): Promise<{ error_code: string | number }> {
    if (kind === 'delete') return (await client.delete({ collection_name: COLLECTION, ids: pks })).status;
    const data = pks.map((pk, i) => ({ id: pk, ver: versions[i]!, vec: vectorOf(pk, versions[i]!) }));
    const res = kind === 'insert'
      ? await client.insert({ collection_name: COLLECTION, data })
      : await client.upsert({ collection_name: COLLECTION, data });
    return res.status;
  }
}
