/**
 * Child process for the import kill -9 test: opens the data dir (which resumes any unfinished
 * import job), starts one import of `files/big.json` when none exists yet, prints
 *   JOB id                the job (started or found)
 *   STATE s rows          the job's state and the rows the collection holds, every few ms
 * and waits to be killed (or exits 0 once the job has ended and been reported).
 * argv: dataDir collection (created here when missing)
 */
import { join } from 'node:path';
import { SextantService } from '../../src/service/service.js';
import { vectorCollection } from '../support/fixtures.js';

const [dataDir, collection] = process.argv.slice(2);
if (!dataDir || !collection) throw new Error('usage: import-child dataDir collection');
const svc = await SextantService.open({ dataDir: join(dataDir, 'data'), import: { root: join(dataDir, 'files') }, sealRows: 2_000 });
const name = { collectionName: collection };
if (!(await svc.hasCollection(name))) await svc.createCollection(vectorCollection(collection, 8));
let jobs = await svc.listImports(name);
if (jobs.length === 0) {
  await svc.importData({ ...name, files: [['big.json']] });
  jobs = await svc.listImports(name);
}
const jobId = jobs[0]!.jobId;
process.stdout.write(`JOB ${jobId}\n`);
for (;;) {
  const j = await svc.getImportProgress({ jobId });
  const n = (await svc.getCollectionStatistics(name)).rowCount;
  process.stdout.write(`STATE ${j.state} ${n}\n`);
  if (j.state === 'Completed' || j.state === 'Failed') break;
  await new Promise((resolve) => setTimeout(resolve, 3));
}
await svc.close();
