/**
 * The Milvus protobuf descriptors, taken from the pinned `@zilliz/milvus2-sdk-node` package so the
 * server and the SDK can never disagree about the wire format. Everything that touches protobuf
 * objects lives in `server/grpc`; nothing here is exported below it.
 */
import { createRequire } from 'node:module';
import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { PbDecoder } from './codec/pb/decode.js';

const require = createRequire(import.meta.url);

/** The snake_case JSON descriptor the Node SDK loads with `keepCase: true`. */
function loadMilvusJson(): protobuf.INamespace {
  const mod: unknown = require('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js');
  if (typeof mod !== 'object' || mod === null || !('default' in mod)) {
    throw new Error('unexpected shape of the Milvus proto-json module');
  }
  return mod.default as protobuf.INamespace;
}

export const SERVICE_NAME = 'milvus.proto.milvus.MilvusService';
export const TELEMETRY_SERVICE_NAME = 'milvus.proto.milvus.ClientTelemetryService';

/**
 * Decoding options: proto names, 64-bit integers as decimal strings (the codec turns them into
 * bigint), bytes as Buffer, defaults filled in, enums as numbers, oneof discriminators set.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: Number,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

/**
 * RPCs of milvus-proto that the SDK's descriptor does not have yet, with milvus-proto's own names and
 * field numbers (proto/milvus.proto at tag v3.0.0): AddCollectionStructField. Added to a copy: the
 * SDK's module object (shared with SDK clients in the same process) is left as it is.
 */
function withNewerRpcs(json: protobuf.INamespace): protobuf.INamespace {
  type Ns = { nested?: Record<string, Ns & Record<string, unknown>> } & Record<string, unknown>;
  const root = json as Ns;
  const proto = root.nested?.['milvus']?.nested?.['proto'];
  const milvus = proto?.nested?.['milvus'];
  const service = milvus?.nested?.['MilvusService'] as (Ns & { methods?: Record<string, unknown> }) | undefined;
  if (proto === undefined || milvus === undefined || service?.methods === undefined) throw new Error('unexpected shape of the Milvus proto-json module');
  if (service.methods['AddCollectionStructField'] !== undefined) return json;
  const request = {
    options: { '(common.privilege_ext_obj).object_type': 'Collection', '(common.privilege_ext_obj).object_privilege': 'PrivilegeAddCollectionField', '(common.privilege_ext_obj).object_name_index': 3 },
    fields: {
      base: { type: 'common.MsgBase', id: 1 },
      db_name: { type: 'string', id: 2 },
      collection_name: { type: 'string', id: 3 },
      collectionID: { type: 'int64', id: 4 },
      struct_array_field_schema: { type: 'schema.StructArrayFieldSchema', id: 5 },
    },
  };
  const methods = { ...service.methods, AddCollectionStructField: { requestType: 'AddCollectionStructFieldRequest', responseType: 'common.Status' } };
  const milvusNested = { ...milvus.nested, AddCollectionStructFieldRequest: request, MilvusService: { ...service, methods } };
  const protoNested = { ...proto.nested, milvus: { ...milvus, nested: milvusNested } };
  return { ...root, nested: { ...root.nested, milvus: { ...root.nested!['milvus']!, nested: { proto: { ...proto, nested: protoNested } } } } } as protobuf.INamespace;
}

const milvusJson = withNewerRpcs(loadMilvusJson());

/** The protobufjs root over the same descriptor, for the byte fields that carry nested messages. */
export const milvusRoot: protobuf.Root = protobuf.Root.fromJSON(milvusJson);

/** Requests whose repeated floats (vectors) and int64s (keys) decode as typed arrays: their codec (field-data.ts) takes either form. */
const TYPED_REQUESTS: ReadonlySet<string> = new Set(['Insert', 'Upsert']);
const plainDecoder = new PbDecoder(false);
const typedDecoder = new PbDecoder(true);

/**
 * grpc-js's definition of one service, built on `milvusRoot` without proto-loader (its second parse
 * of the descriptor was ~0.7 s of CPU at start-up). Requests decode in one pass (`PbDecoder`: the
 * objects LOADER_OPTIONS gives, see codec/pb/decode.ts); replies encode with protobufjs, except
 * those a handler already encoded (a Buffer is sent as it is, see codec/replies.ts).
 */
export function grpcServiceDefinition(serviceName: string): grpc.ServiceDefinition {
  const service = milvusRoot.lookupService(serviceName);
  service.resolveAll();
  const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methodsArray) {
    const req = m.resolvedRequestType, resp = m.resolvedResponseType;
    if (req === null || resp === null) throw new Error(`unresolved types of ${serviceName}.${m.name}`);
    def[m.name] = {
      path: `/${serviceName}/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: serializer(req),
      requestDeserialize: fastDeserializer(req, TYPED_REQUESTS.has(m.name) ? typedDecoder : plainDecoder),
      responseSerialize: passBuffers(serializer(resp)),
      responseDeserialize: deserializer(resp),
      originalName: m.name.charAt(0).toLowerCase() + m.name.slice(1),
    };
  }
  return def;
}

/** The server's codec of one message type (tests push plain objects through it, as gRPC would). */
export function messageCodec(typeName: string): { serialize(value: unknown): Buffer; deserialize(bytes: Buffer): unknown } {
  const type = milvusRoot.lookupType(typeName);
  return { serialize: serializer(type), deserialize: deserializer(type) };
}

function serializer(type: protobuf.Type): (value: unknown) => Buffer {
  return (value) => {
    const bytes = type.encode(type.fromObject(value as Record<string, unknown>)).finish();
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function passBuffers(encode: (value: unknown) => Buffer): (value: unknown) => Buffer {
  return (value) => (Buffer.isBuffer(value) ? value : encode(value));
}

function fastDeserializer(type: protobuf.Type, decoder: PbDecoder): (bytes: Buffer) => unknown {
  return (bytes) => decoder.decode(type, bytes);
}

function deserializer(type: protobuf.Type): (bytes: Buffer) => unknown {
  return (bytes) => type.toObject(type.decode(bytes), LOADER_OPTIONS);
}

const toObjectOptions: protobuf.IConversionOptions = {
  longs: String, enums: Number, defaults: true, oneofs: true,
};

function decodeAs(typeName: string, bytes: Uint8Array): unknown {
  const type = milvusRoot.lookupType(typeName);
  return type.toObject(type.decode(bytes), toObjectOptions);
}

let placeholderType: protobuf.Type | undefined;

/** `CreateCollectionRequest.schema` bytes -> a plain snake_case `schema.CollectionSchema` object. */
export function decodeCollectionSchemaBytes(bytes: Uint8Array): unknown {
  return decodeAs('milvus.proto.schema.CollectionSchema', bytes);
}

/** `AddCollectionFieldRequest.schema` bytes -> a plain snake_case `schema.FieldSchema` object. */
export function decodeFieldSchemaBytes(bytes: Uint8Array): unknown {
  return decodeAs('milvus.proto.schema.FieldSchema', bytes);
}

/** `SearchRequest.placeholder_group` bytes -> a plain `common.PlaceholderGroup` object. */
export function decodePlaceholderGroupBytes(bytes: Uint8Array): unknown {
  placeholderType ??= milvusRoot.lookupType('milvus.proto.common.PlaceholderGroup');
  return plainDecoder.decode(placeholderType, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** The one-pass decoder of requests (tests compare it with the reference, `messageCodec(...).deserialize`). */
export function fastDecode(typeName: string, bytes: Buffer, typed = false): Record<string, unknown> {
  let type = typesByName.get(typeName);
  if (type === undefined) typesByName.set(typeName, type = milvusRoot.lookupType(typeName));
  return (typed ? typedDecoder : plainDecoder).decode(type, bytes);
}
const typesByName = new Map<string, protobuf.Type>();

/** Encode a plain object as the named message (tests use it to build wire bytes like the SDK does). */
export function encodeMessage(typeName: string, value: Record<string, unknown>): Uint8Array {
  const type = milvusRoot.lookupType(typeName);
  return type.encode(type.fromObject(value)).finish();
}

export interface RpcInfo {
  name: string;
  /** Fully-qualified response type name. */
  responseType: string;
  /** The response is a bare `common.Status`. */
  returnsStatus: boolean;
  /** The response message has a `status` field. */
  hasStatusField: boolean;
  /** The response field that carries its `common.Status` (`status`, or e.g. `alter_status`); null if none. */
  statusField: string | null;
  /** Client-, server- or bidi-streaming: grpc-js calls its handler without a callback. */
  streaming: boolean;
}

function statusFieldOf(resp: protobuf.Type): string | null {
  if (resp.fields['status'] !== undefined) return 'status';
  for (const f of resp.fieldsArray) {
    f.resolve();
    if (f.resolvedType?.fullName === '.milvus.proto.common.Status') return f.name;
  }
  return null;
}

/** Every RPC of a service in the descriptor. */
export function rpcInventory(serviceName: string): RpcInfo[] {
  const service = milvusRoot.lookupService(serviceName);
  service.resolveAll();
  return service.methodsArray.map((m) => {
    const resp = m.resolvedResponseType;
    if (resp === null) throw new Error(`unresolved response type of ${m.name}`);
    const fullName = resp.fullName.replace(/^\./, '');
    return {
      name: m.name,
      responseType: fullName,
      returnsStatus: fullName === 'milvus.proto.common.Status',
      hasStatusField: resp.fields['status'] !== undefined,
      statusField: statusFieldOf(resp),
      streaming: m.requestStream === true || m.responseStream === true,
    };
  });
}
