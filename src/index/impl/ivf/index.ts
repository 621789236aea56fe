/** IVF index family: IVF_FLAT, IVF_SQ8, IVF_PQ, BIN_IVF_FLAT, SCANN, IVF_RABITQ. */
export { IVF_FLAT, IVF_SQ8, IVF_PQ, BIN_IVF_FLAT, SCANN, IVF_RABITQ, IVF_DESCRIPTORS } from './descriptors.js';
export { IvfFlatIndex } from './ivf-flat.js';
export { IvfSq8Index } from './ivf-sq8.js';
export { IvfPqIndex } from './ivf-pq.js';
export { BinIvfFlatIndex } from './bin-ivf-flat.js';
export { trainKMeans } from './kmeans.js';
export { trainKModes } from './kmodes.js';
