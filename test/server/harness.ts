/** Start the real service + gRPC server on port 0 over a data dir, with an SDK client attached. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { after, before } from 'node:test';
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

/**
 * One server for the whole test file over a fresh data dir: started before its tests (`use` gets it),
 * stopped after them, checking that no RPC hit an unexpected (non-Milvus) error.
 */
export function serverPerFile(use: (r: Running) => void): void {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let running: Running;
  before(async () => {
    data = await tempDataDir();
    running = await startSextant(data.dir);
    use(running);
  });
  after(async () => {
    await running.stop();
    assert.deepEqual(running.unexpected, [], 'no RPC hit an unexpected (non-Milvus) error');
    await data.remove();
  });
}
