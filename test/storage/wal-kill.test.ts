/** Kill a real process that is appending to a WAL; every append it acknowledged must be there. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { Wal } from '../../src/storage/wal.js';
import { payloadFor } from './helpers.js';

const child = fileURLToPath(new URL('./wal-writer-child.js', import.meta.url));

test('SIGKILL during appends: every acknowledged record is recovered, in order', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sextant-walkill-'));
  try {
    for (const killAfterAcks of [50, 400]) {
      const dir = join(root, `wal-${killAfterAcks}`);
      const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buffered = '';
      let maxAck = 0n;
      let acks = 0;
      const exited = once(proc, 'exit');
      await new Promise<void>((resolve, reject) => {
        proc.on('exit', () => reject(new Error('writer exited before being killed')));
        proc.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            const lsn = BigInt(line.slice(4));
            if (lsn > maxAck) maxAck = lsn;
            acks++;
          }
          if (acks >= killAfterAcks) {
            proc.kill('SIGKILL');
            resolve();
          }
        });
      });
      await exited;
      const { wal, records } = await Wal.open(new NodeFileSystem(), dir);
      assert.ok(BigInt(records.length) >= maxAck, `acknowledged ${maxAck}, recovered ${records.length}`);
      for (let i = 0; i < records.length; i++) {
        assert.equal(records[i]?.lsn, BigInt(i + 1));
        assert.deepEqual(records[i]?.payload, payloadFor(i));
      }
      assert.equal(await wal.append(1, payloadFor(records.length)), BigInt(records.length + 1));
      await wal.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
