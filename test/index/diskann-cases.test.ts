/** The shared index case suite run against DISKANN (image in memory: the nodes are read from the built image). */
import { runIndexCases } from './cases.js';

runIndexCases('DISKANN');
