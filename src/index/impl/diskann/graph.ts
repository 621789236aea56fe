/** The Vamana graph's parameters and shape, shared by the JS builder (vamana.ts) and the wasm one (native-build.ts). */
export interface VamanaParams {
  maxDegree: number;
  searchListSize: number;
  alpha: number;
}

export interface VamanaGraph {
  /** n x maxDegree neighbour ids; row i's first degrees[i] are its edges. */
  readonly links: Int32Array;
  readonly degrees: Int32Array;
  /** Entry point (-1 when no row is present). */
  readonly medoid: number;
  /** Where a search starts: the medoid first, then rows spread over the data (entries.ts). */
  readonly entries: Int32Array;
}
