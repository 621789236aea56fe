/** The shared index case suite run against the IVF family. */
import { runIndexCases } from './cases.js';

runIndexCases('IVF_FLAT');
runIndexCases('BIN_IVF_FLAT');
// Quantised indexes report distances computed on their codes: scores are checked with a looser tolerance.
runIndexCases('IVF_SQ8', { scoreTolerance: 0.05 });
runIndexCases('IVF_PQ', { buildParams: { m: '4' }, scoreTolerance: 0.25 }); // m divides every dim the suite uses (12, 16, 32)
