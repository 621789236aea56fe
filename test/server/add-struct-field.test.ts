/**
 * AddCollectionStructField over gRPC (milvus-proto v3.0.0; the Node SDK's descriptor has no such RPC):
 * a bare grpc-js client encodes the request from its own copy of milvus-proto's messages (field
 * numbers of proto/milvus.proto and schema.proto at v3.0.0), not from the server's descriptor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { DataType } from '@zilliz/milvus2-sdk-node';
import { serverPerFile, type Running } from './harness.js';

const PROTO = `
syntax = "proto3";
package t;
message KeyValuePair { string key = 1; string value = 2; }
message FieldSchema { string name = 2; int32 data_type = 5; repeated KeyValuePair type_params = 6; int32 element_type = 10; bool nullable = 15; }
message StructArrayFieldSchema { string name = 2; string description = 3; repeated FieldSchema fields = 4; repeated KeyValuePair type_params = 5; bool nullable = 6; }
message AddCollectionStructFieldRequest { string db_name = 2; string collection_name = 3; int64 collectionID = 4; StructArrayFieldSchema struct_array_field_schema = 5; }
message Status { int32 error_code = 1; string reason = 2; int32 code = 3; }
`;
const root = protobuf.parse(PROTO, { keepCase: true }).root;
const Request = root.lookupType('t.AddCollectionStructFieldRequest');
const Status = root.lookupType('t.Status');

type Reply = { code?: number; reason?: string };

function addStructField(port: number, req: object): Promise<Reply> {
  const Ctor = grpc.makeGenericClientConstructor({
    AddCollectionStructField: {
      path: '/milvus.proto.milvus.MilvusService/AddCollectionStructField', requestStream: false, responseStream: false,
      requestSerialize: (v: object) => Buffer.from(Request.encode(Request.fromObject(v)).finish()),
      requestDeserialize: (b: Buffer) => Request.decode(b),
      responseSerialize: (v: object) => Buffer.from(Status.encode(Status.fromObject(v)).finish()),
      responseDeserialize: (b: Buffer) => Status.toObject(Status.decode(b), { defaults: true }) as Reply,
    },
  }, 'MilvusService');
  const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (r: object, cb: (e: Error | null, v: Reply) => void) => void>;
  return new Promise((resolve, reject) => client['AddCollectionStructField']!.call(client, req, (e, v) => { client.close(); return e ? reject(e) : resolve(v); }));
}

let server!: Running;
serverPerFile((r) => { server = r; });

const ARRAY = 22, ARRAY_OF_VECTOR = 106;
const member = (name: string, own: number, extra: Record<string, string> = {}) => ({
  name, data_type: own >= 100 ? ARRAY_OF_VECTOR : ARRAY, element_type: own, type_params: Object.entries(extra).map(([key, value]) => ({ key, value })),
});
const structSchema = (nullable: boolean) => ({
  name: 'extra', nullable, type_params: [{ key: 'max_capacity', value: '4' }],
  fields: [member('tag', DataType.Int32), member('p', DataType.FloatVector, { dim: '2' })],
});

test('AddCollectionStructField from a bare grpc-js client: refused unless nullable, then the struct is in the schema and takes rows', { timeout: 60_000 }, async () => {
  const { client, port } = server;
  const created = await client.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 },
  ] });
  assert.equal(created.error_code, 'Success', created.reason);
  const refused = await addStructField(port, { collection_name: 'c', struct_array_field_schema: structSchema(false) });
  assert.equal(refused.code, 1100, refused.reason);
  assert.match(refused.reason ?? '', /added struct field must be nullable/);
  const missing = await addStructField(port, { collection_name: 'c' });
  assert.equal(missing.code, 1101, missing.reason);
  const added = await addStructField(port, { collection_name: 'c', struct_array_field_schema: structSchema(true) });
  assert.equal(added.code, 0, added.reason);
  const d = await client.describeCollection({ collection_name: 'c' });
  const structs = (d.schema as unknown as { struct_array_fields: { name: string; fields: { name: string }[] }[] }).struct_array_fields;
  assert.deepEqual(structs.map((s) => s.name), ['extra']);
  assert.equal(structs[0]!.fields.length, 2, JSON.stringify(structs));
  const ins = await client.insert({ collection_name: 'c', data: [{ id: 1, v: [1, 0], extra: [{ tag: 7, p: [1, 2] }] }, { id: 2, v: [2, 0], extra: [{ tag: 8, p: [3, 4] }] }] });
  assert.equal(ins.status.error_code, 'Success', ins.status.reason);
});
