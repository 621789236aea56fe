/** A raw gRPC client over the same descriptor (SDK loader options), for wire-level server tests. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const json = (require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js') as { default: object }).default;

type Ctor = new (address: string, creds: grpc.ChannelCredentials) => grpc.Client;

function serviceCtor(name: string): Ctor {
  const def = protoLoader.fromJSON(json, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  let node: unknown = grpc.loadPackageDefinition(def);
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  return node as Ctor;
}

export type Reply = Record<string, unknown> & { status?: Record<string, unknown> };

export interface RawClient {
  call(rpc: string, req: object, md?: Record<string, string>): Promise<Reply>;
  close(): void;
}

export function rawClient(port: number, service = 'milvus.proto.milvus.MilvusService'): RawClient {
  const Ctor = serviceCtor(service);
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Record<string, unknown> & grpc.Client;
  return {
    call: (rpc, req, md = {}) => new Promise((resolve, reject) => {
      const meta = new grpc.Metadata();
      for (const [k, v] of Object.entries(md)) meta.set(k, v);
      const fn = client[rpc] as (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, v: Reply) => void) => void;
      fn.call(client, req, meta, (e, v) => (e ? reject(e) : resolve(v)));
    }),
    close: () => client.close(),
  };
}
