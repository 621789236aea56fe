/** Test helpers: push plain objects through the real protobuf codec, as gRPC would. */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { messageCodec } from '../../src/server/grpc/proto.js';

/** Encode with the server's codec and decode again: what a handler would see / the SDK would get. */
export function roundTrip(typeName: string, value: object): Record<string, unknown> {
  const def = messageCodec(typeName);
  return def.deserialize(def.serialize(value)) as Record<string, unknown>;
}

const require = createRequire(import.meta.url);
function sdkRoot(file: string): protobuf.Root {
  const mod = require(`@zilliz/milvus2-sdk-node/dist/milvus/proto-json/${file}`) as { default: protobuf.INamespace };
  return protobuf.Root.fromJSON(mod.default);
}

/** The SDK's own camelCase descriptors, used to build bytes exactly the way the SDK does. */
export const sdkSchemaRoot = sdkRoot('schema.base.js');
export const sdkMilvusRoot = sdkRoot('milvus.base.js');

export function sdkEncode(root: protobuf.Root, typeName: string, value: Record<string, unknown>): Uint8Array {
  const t = root.lookupType(typeName);
  return t.encode(t.fromObject(value)).finish();
}
