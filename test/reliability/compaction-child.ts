/**
 * Child process for the compaction kill -9 test: writes into a collection whose small segments are
 * compacted all the time (automatic after flushes, and a manual Compact every few batches), and
 * prints what it does, until it is killed:
 *   TRY a b / ACK a b      insert of ids a..b sent / acknowledged
 *   DTRY id / DACK id      delete of one acknowledged id sent / acknowledged
 *   COMPACTING 1|0         whether a compaction is executing (printed on change)
 *   SWAPPED n              merged segments swapped in so far by this process (printed on change)
 * argv: dataDir firstId
 */
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const [dataDir, firstArg] = process.argv.slice(2);
if (!dataDir || !firstArg) throw new Error('usage: compaction-child dataDir firstId');
const DIM = 8;
const ROWS = 100;
const svc = await SextantService.open({ dataDir, sealRows: 400, maxSegmentBytes: 96 * 1024, autoCompaction: true, indexBuildThreads: 2 });
const name = { collectionName: 'cc' };
if (!(await svc.hasCollection(name))) {
  await svc.createCollection(vectorCollection('cc', DIM));
  await svc.createIndex({ ...name, fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '32' } });
}
await svc.loadCollection(name);
let compacting = false;
let swapped = 0;
const probe = setInterval(() => {
  let now = false;
  let swaps = 0;
  for (const j of svc.engine.compactor.jobs.values()) {
    if (j.state === 'Executing') now = true;
    for (const p of j.plans) if (p.state === 'Completed' && p.target !== null) swaps++;
  }
  if (now !== compacting) process.stdout.write(`COMPACTING ${now ? 1 : 0}\n`);
  if (swaps !== swapped) process.stdout.write(`SWAPPED ${swaps}\n`);
  compacting = now;
  swapped = swaps;
}, 2);
probe.unref();
process.stdout.write('READY\n');
await svc.compact(name);
let next = Number(firstArg);
for (let n = 0; ; n++) {
  const first = next;
  next += ROWS;
  process.stdout.write(`TRY ${first} ${first + ROWS - 1}\n`);
  await svc.insert({ ...name, numRows: ROWS, columns: batch(first, ROWS, DIM, rng(first)) });
  process.stdout.write(`ACK ${first} ${first + ROWS - 1}\n`);
  // Delete one row of this batch, upsert ten others (they must stay exactly once).
  const gone = first + (n % ROWS);
  process.stdout.write(`DTRY ${gone}\n`);
  await svc.delete({ ...name, filter: `id == ${gone}` });
  process.stdout.write(`DACK ${gone}\n`);
  const up = first + ((n + 50) % (ROWS - 10));
  await svc.upsert({ ...name, numRows: 10, columns: batch(up, 10, DIM, rng(up + 1)) });
  if (n % 2 === 1) await svc.flush({ collectionNames: ['cc'] });
  if (n % 5 === 4) await svc.compact(name);
}
