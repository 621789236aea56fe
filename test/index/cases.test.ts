/** The shared index case suite run against every registered index type. */
import { runIndexCases } from './cases.js';

runIndexCases('FLAT');
runIndexCases('BIN_FLAT');
runIndexCases('SPARSE_INVERTED_INDEX');
runIndexCases('SPARSE_WAND');
runIndexCases('AUTOINDEX');
