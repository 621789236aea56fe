/** Start the real service + gRPC server on port 0 over a data dir, with an SDK client attached. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { SextantService } from '../../src/service/service.js';
import { startGrpcServer } from '../../src/server/grpc/server.js';

export interface Running {
  port: number;
  client: MilvusClient;
  unexpected: string[];
  stop(): Promise<void>;
}

export async function tempDataDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-grpc-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function startSextant(dataDir: string): Promise<Running> {
  const service = await SextantService.open({ dataDir });
  const unexpected: string[] = [];
  const server = await startGrpcServer(service, {
    host: '127.0.0.1', port: 0, maxMessageBytes: 64 * 1024 * 1024,
    onUnexpectedError: (rpc, e) => unexpected.push(`${rpc}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`),
  });
  const client = new MilvusClient({ address: `127.0.0.1:${server.port}`, logLevel: 'error' });
  await client.connectPromise;
  return {
    port: server.port,
    client,
    unexpected,
    stop: async () => {
      await client.closeConnection();
      await server.close();
      await service.close();
    },
  };
}
