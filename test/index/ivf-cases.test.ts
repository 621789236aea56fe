/** The shared index case suite run against the IVF family. */
import { runIndexCases } from './cases.js';

runIndexCases('IVF_FLAT');
runIndexCases('BIN_IVF_FLAT');
// Quantised indexes report distances computed on their codes: scores are checked with a looser tolerance.
runIndexCases('IVF_SQ8', { scoreTolerance: 0.05 });
runIndexCases('IVF_PQ', { buildParams: { m: '8' }, scoreTolerance: 0.25 });
