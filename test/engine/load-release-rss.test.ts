/**
 * Loading never holds the data twice, and release gives memory back, at a size CI affords: 200k x 128
 * float vectors, loaded and released in a fresh child process (--expose-gc, bench/load.ts). The peak
 * RSS while loading (VmHWM) stays within one bounded piece (plus slack) of the loaded RSS — reading
 * the segment file whole before copying its columns out peaked ~100 MB (the file) above it — and RSS
 * after release is within 10% of the pre-load baseline. SEXTANT_SOAK=rss adds an HNSW index (M 8),
 * SEXTANT_SOAK=long measures 1M rows with HNSW M 16.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoadBench } from '../../bench/load.js';
import { withTempDir } from '../support/tmp.js';

const SOAK = process.env['SEXTANT_SOAK'];
const LONG = SOAK === 'long';
const ROWS = LONG ? 1_000_000 : 200_000;
const M = LONG ? 16 : SOAK === 'rss' ? 8 : 0;

test(`load and release of ${ROWS} x 128${M > 0 ? ` with HNSW M ${M}` : ''}: peak RSS within a piece of the loaded RSS, RSS back within 10% after release`, { timeout: LONG ? 7_200_000 : 600_000 }, async (t) => {
  await withTempDir(async (dir) => {
    const f = await runLoadBench({ dir, rows: ROWS, dim: 128, m: M, efc: LONG ? 200 : 16 });
    t.diagnostic(`rows=${f.rows} dim=${f.dim} M=${M}: rss before ${f.rssBeforeMb.toFixed(0)} MB, peak while loading ${f.rssPeakMb.toFixed(0)} MB, ` +
      `loaded ${f.rssLoadedMb.toFixed(0)} MB, released ${f.rssReleasedMb.toFixed(0)} MB; load ${f.loadWallMs.toFixed(0)} ms wall, ` +
      `${f.loadCpuMs.toFixed(0)} ms CPU; accounted ${f.accountedMb.toFixed(0)} MB for ${f.vectorMb.toFixed(0)} MB of vectors`);
    assert.ok(f.accountedMb >= f.vectorMb, 'the accounting covers at least the vectors');
    assert.ok(f.rssLoadedMb - f.rssBeforeMb >= 0.8 * f.vectorMb, 'the load brought the vectors into memory');
    if (M === 0 && !Number.isNaN(f.rssPeakMb)) {
      // Vectors alone: the peak may pass the loaded size by a read piece (4 MiB) and heap noise, not by a column.
      assert.ok(f.rssPeakMb - f.rssLoadedMb <= 0.2 * f.vectorMb, `peak ${f.rssPeakMb.toFixed(0)} MB while loading is more than ${(0.2 * f.vectorMb).toFixed(0)} MB above the loaded ${f.rssLoadedMb.toFixed(0)} MB`);
    }
    assert.ok(f.rssReleasedMb <= f.rssBeforeMb * 1.1, `RSS after release ${f.rssReleasedMb.toFixed(0)} MB is not within 10% of ${f.rssBeforeMb.toFixed(0)} MB`);
  });
});
