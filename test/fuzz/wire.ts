/**
 * Raw gRPC for the fuzzers: send arbitrary bytes as the request of any method (unary, server or
 * bidi streaming) and get back the response bytes or the gRPC status. Requests of the corpus are
 * plain objects encoded with the server's own descriptor (proto.ts), like the SDK builds them.
 */
import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { milvusRoot } from '../../src/server/grpc/proto.js';

export interface MethodInfo {
  service: string;
  name: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  requestStream: boolean;
  responseStream: boolean;
}

export function methodsOf(serviceName: string): MethodInfo[] {
  const service = milvusRoot.lookupService(serviceName);
  service.resolveAll();
  return service.methodsArray.map((m) => {
    if (m.resolvedRequestType === null || m.resolvedResponseType === null) throw new Error(`unresolved ${m.name}`);
    return {
      service: serviceName, name: m.name, requestType: m.resolvedRequestType, responseType: m.resolvedResponseType,
      requestStream: m.requestStream === true, responseStream: m.responseStream === true,
    };
  });
}

export type Outcome = { kind: 'reply'; bytes: Buffer[] } | { kind: 'error'; code: number; details: string };

const identity = (b: Buffer): Buffer => b;

export class RawChannel {
  readonly client: grpc.Client;
  constructor(port: number) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1,
    });
  }

  call(m: MethodInfo, body: Buffer, deadlineMs = 30_000): Promise<Outcome> {
    const path = `/${m.service}/${m.name}`;
    const deadline = Date.now() + deadlineMs;
    return new Promise((resolve) => {
      const fail = (e: grpc.ServiceError): void => resolve({ kind: 'error', code: e.code, details: e.details });
      if (!m.requestStream && !m.responseStream) {
        this.client.makeUnaryRequest(path, identity, identity, body, { deadline }, (e, v) => (e ? fail(e) : resolve({ kind: 'reply', bytes: v ? [v] : [] })));
        return;
      }
      const stream = m.requestStream
        ? this.client.makeBidiStreamRequest(path, identity, identity, { deadline })
        : this.client.makeServerStreamRequest(path, identity, identity, body, { deadline });
      const got: Buffer[] = [];
      stream.on('data', (b: Buffer) => got.push(b));
      stream.on('error', fail);
      stream.on('status', (s: grpc.StatusObject) => { if (s.code === grpc.status.OK) resolve({ kind: 'reply', bytes: got }); });
      if (m.requestStream) {
        const duplex = stream as grpc.ClientDuplexStream<Buffer, Buffer>;
        duplex.write(body);
        duplex.end();
      }
    });
  }

  close(): void { this.client.close(); }
}

export function encode(type: protobuf.Type, value: Record<string, unknown>): Buffer {
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}
