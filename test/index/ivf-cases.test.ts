/** The shared index case suite run against the IVF family. */
import { runIndexCases } from './cases.js';

runIndexCases('IVF_FLAT');
runIndexCases('BIN_IVF_FLAT');
// Quantised indexes report distances computed on their codes: scores are checked with a looser tolerance.
runIndexCases('IVF_SQ8', { scoreTolerance: 0.05 });
runIndexCases('IVF_PQ', { buildParams: { m: '4' }, scoreTolerance: 0.25 }); // m divides every dim the suite uses (12, 16, 32)
// SCANN re-scores its reorder_k candidates on the raw rows: exact scores. Without raw data it reports PQ scores.
runIndexCases('SCANN');
runIndexCases('SCANN', { label: 'SCANN with_raw_data=false', buildParams: { with_raw_data: 'false' }, scoreTolerance: 0.5 });
// IVF_RABITQ reports RaBitQ estimates (one bit per dimension: at the suite's dim 16 an estimate can be
// off by |r| |q| / 4, so scores only roughly); with refine FP32 the exact scores.
runIndexCases('IVF_RABITQ', { scoreTolerance: 1 });
runIndexCases('IVF_RABITQ', { label: 'IVF_RABITQ refine FP32', buildParams: { refine: 'true', refine_type: 'FP32' }, searchParams: { refine_k: 2 } });
