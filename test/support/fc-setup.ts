/**
 * Preloaded by `npm test`: under CI every property test runs with one fixed seed, so a landing is
 * never decided by a lucky draw; developers' runs keep exploring new seeds (set FC_SEED to replay).
 * It also applies the wasm settings named in the environment (below).
 */
import fc from 'fast-check';
import { configureWasm } from '../../src/index/wasm/settings.js';

const seed = process.env['FC_SEED'] ?? (process.env['CI'] ? '20261125' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });

// The test harness keeps SEXTANT_WASM=off / SEXTANT_WASM_BLOCK_BYTES working for `npm test` (src/
// reads no environment below the entry points; the settings are threaded as options).
if (process.env['SEXTANT_WASM'] === 'off') configureWasm({ enabled: false });
if (process.env['SEXTANT_WASM_BLOCK_BYTES'] !== undefined) configureWasm({ blockBytes: Number(process.env['SEXTANT_WASM_BLOCK_BYTES']) });
