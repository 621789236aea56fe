/** The port contract (ports.case.ts) on the local data directory (src/storage/local/). */
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { openLocalPorts } from '../../src/storage/local/index.js';
import { withTempDir } from '../support/tmp.js';
import { portsContract } from './ports.case.js';

portsContract('local', (fn) => withTempDir((dir) => fn({
  // Small WAL files, so a checkpoint can drop whole files.
  open: () => openLocalPorts(new NodeFileSystem(), dir, { wal: { maxFileBytes: 256 } }),
})));
