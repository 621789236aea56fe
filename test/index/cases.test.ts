/** The shared index case suite run against every registered index type. */
import { runIndexCases } from './cases.js';

runIndexCases('FLAT');
runIndexCases('BIN_FLAT');
runIndexCases('SPARSE_INVERTED_INDEX');
runIndexCases('SPARSE_WAND');
runIndexCases('AUTOINDEX');
runIndexCases('HNSW');
// SQ8 scores are reconstructed from 8-bit codes: within ~2% of the exact metric on this data.
runIndexCases('HNSW_SQ', { scoreTolerance: 0.05 });
runIndexCases('HNSW_SQ', {
  label: 'HNSW_SQ(SQ6, refine)', buildParams: { sq_type: 'SQ6', refine: 'true', refine_type: 'FP32' }, searchParams: { refine_k: 2 },
});
// FP16 rows are searched in wasm (links in the space's memory); scores are the FP16-rounded rows'.
runIndexCases('HNSW_SQ', { label: 'HNSW_SQ(FP16)', buildParams: { sq_type: 'FP16' }, scoreTolerance: 0.01 });
