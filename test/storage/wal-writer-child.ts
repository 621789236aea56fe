/**
 * Child process for wal-kill.test.ts (not a test itself): appends to a WAL on the real disk as
 * fast as it can, printing `ack <lsn>` for every acknowledged append, until it is killed.
 */
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { Wal } from '../../src/storage/wal.js';
import { payloadFor } from './helpers.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: wal-writer-child <dir>');
const { wal } = await Wal.open(new NodeFileSystem(), dir, { maxFileBytes: 4096 });
let j = 0;
for (;;) {
  const wave: Promise<bigint>[] = [];
  for (let k = 0; k < 16; k++) wave.push(wal.append(1, payloadFor(j++)));
  const lsns = await Promise.all(wave);
  process.stdout.write(lsns.map((l) => `ack ${l}\n`).join(''));
}
