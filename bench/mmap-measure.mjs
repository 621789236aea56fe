// Loaded bytes and RSS of one collection (50k x 128, id + vec): build a data dir, then load it in a fresh process.
// usage: node --expose-gc bench/mmap-measure.mjs <distRoot> <dataDir> build|load <indexType> [mmap]
import { setFlagsFromString } from 'node:v8';
const [distRoot, dataDir, mode, indexType, mmap] = process.argv.slice(2);
const { SextantService } = await import(`${distRoot}/src/service/service.js`);
const { DataType } = await import(`${distRoot}/src/core/enums.js`);
const dim = 128, rows = 50_000;
let seed = 7;
const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const MB = 1024 * 1024;
const settle = () => { for (let i = 0; i < 4; i++) globalThis.gc(); return process.memoryUsage().rss; };
if (mode === 'build') {
  const svc = await SextantService.open({ dataDir });
  await svc.createCollection({ collectionName: 'c', fields: [
    { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
    { name: 'vec', dataType: DataType.FloatVector, dim },
  ], ...(mmap === 'mmap' ? { properties: { 'mmap.enabled': 'true' } } : {}) });
  for (let first = 0; first < rows; first += 10_000) {
    const ids = new BigInt64Array(10_000), vec = new Float32Array(10_000 * dim);
    for (let i = 0; i < 10_000; i++) { ids[i] = BigInt(first + i); for (let d = 0; d < dim; d++) vec[i * dim + d] = rand() * 2 - 1; }
    await svc.insert({ collectionName: 'c', numRows: 10_000, columns: new Map([['id', { kind: 'int64', data: ids, valid: null }], ['vec', { kind: 'floatVector', dim, data: vec, valid: null }]]) });
  }
  await svc.flush({ collectionNames: ['c'] });
  await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: indexType, metric_type: 'L2' } });
  await svc.engine.indexer.idle();
  await svc.close();
  console.log(JSON.stringify({ built: indexType, dataDir }));
} else {
  const svc = await SextantService.open({ dataDir });
  await svc.engine.indexer.idle();
  svc.engine.searchThreads.get();
  const before = settle();
  const t0 = performance.now();
  await svc.loadCollection({ collectionName: 'c' });
  const loadMs = performance.now() - t0;
  const loadedBytes = svc.engine.loader.loadedBytes;
  const cache = svc.engine.loader.pageCache;
  const q = new Float32Array(dim).fill(0.1);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < 50; i++) { q[i % dim] = rand(); await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: { kind: 'floatVector', dim, data: q, valid: null }, filter: 'id >= 0' }); }
  const cpu = process.cpuUsage(cpu0);
  const loaded = settle();
  const held = cache ? cache.heldBytes : null;
  await svc.releaseCollection({ collectionName: 'c' });
  let after = settle();
  for (let i = 0; i < 20 && after > before * 1.1; i++) { await new Promise((r) => setTimeout(r, 100)); after = settle(); }
  await svc.close();
  console.log(JSON.stringify({ dist: distRoot, indexType, mmap: mmap ?? '', rows, dim, loadMs: Math.round(loadMs), loadedMB: +(loadedBytes / MB).toFixed(1), cacheHeldAfterSearchMB: held === null ? null : +(held / MB).toFixed(1),
    rssBeforeMB: +(before / MB).toFixed(1), rssLoadedMB: +(loaded / MB).toFixed(1), rssAfterReleaseMB: +(after / MB).toFixed(1),
    searchCpuMsPer: +((cpu.user + cpu.system) / 1000 / 50).toFixed(2) }));
}
