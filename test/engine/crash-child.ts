/**
 * Child process for the kill -9 test: inserts batches with explicit ids into a collection and
 * prints `TRY first last` before and `ACK first last` after each acknowledged insert, until killed.
 * argv: dataDir firstId batchSize
 */
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const [dataDir, firstArg, sizeArg] = process.argv.slice(2);
if (!dataDir || !firstArg || !sizeArg) throw new Error('usage: crash-child dataDir firstId batchSize');
const dim = 8;
const service = await SextantService.open({ dataDir, sealRows: 3000 });
if (!(await service.hasCollection({ collectionName: 'crash' }))) {
  await service.createCollection(vectorCollection('crash', dim));
}
let next = Number(firstArg);
const size = Number(sizeArg);
const rand = rng(next);
process.stdout.write('READY\n');
for (;;) {
  const first = next;
  next += size;
  process.stdout.write(`TRY ${first} ${first + size - 1}\n`);
  await service.insert({ collectionName: 'crash', numRows: size, columns: batch(first, size, dim, rand) });
  process.stdout.write(`ACK ${first} ${first + size - 1}\n`);
  if (first % 7 === 0) {
    // Deletes and upserts of acknowledged rows must survive too; keep them idempotent: upsert same row.
    await service.upsert({ collectionName: 'crash', numRows: size, columns: batch(first, size, dim, rng(first)) });
    process.stdout.write(`UPSERTED ${first}\n`);
  }
}
