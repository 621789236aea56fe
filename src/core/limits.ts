/** Every limit Sextant enforces, in one place (reference §3.8 plus our own resource bounds). */
export const limits = {
  maxNameLength: 255,
  maxFieldsPerCollection: 64,
  maxVectorFieldsPerCollection: 4,
  maxPartitionsPerCollection: 1024,
  maxCollections: 65_536,
  maxDatabases: 64,
  /** Resource groups, the default one included (Milvus quotaAndLimits.limits.maxResourceGroupNumOfQueryNode). */
  maxResourceGroups: 1_024,
  maxShards: 16,
  minDim: 2,
  maxDim: 32_768,
  maxVarCharBytes: 65_535,
  maxJsonBytes: 65_536,
  maxArrayCapacity: 4_096,
  maxTopK: 16_384,
  maxNq: 16_384,
  /** offset + limit for search and query. */
  maxResultWindow: 16_384,
  maxNumPartitionsPartitionKey: 4_096,
  defaultNumPartitionsPartitionKey: 16,
  /** Bytes per insert/search/query request. */
  maxRequestBytes: 64 * 1024 * 1024,
  /** How long a query node lets a read wait for the log to reach its consistency level (issue #14). */
  consistencyWaitMs: 10_000,
  /** Filter expressions. */
  maxExprLength: 65_536,
  maxExprDepth: 256,
  maxExprInListLength: 100_000,
  /** Rows a growing segment holds before it is sealed into a segment file. */
  growingSealRows: 131_072,
  /** Bytes a growing segment holds before it is sealed into a segment file. */
  growingSealBytes: 64 * 1024 * 1024,
  /** Largest sealed segment compaction writes (Milvus dataCoord.segment.maxSize, 1024 MB). */
  maxSegmentBytes: 1024 * 1024 * 1024,
  /** Largest sealed segment a DISKANN-only collection's compaction writes (Milvus dataCoord.segment.diskSegmentMaxSize, 2048 MB). */
  diskSegmentMaxBytes: 2048 * 1024 * 1024,
  /** Ceiling of a force merge's `target_size` (Milvus sizes an unbounded target from its nodes' memory; Sextant caps it). */
  compactionTargetMaxBytes: 16 * 1024 * 1024 * 1024,
  /** A sealed segment below this share of maxSegmentBytes is small (Milvus dataCoord.segment.smallProportion). */
  smallSegmentRatio: 0.5,
  /** Automatic compaction starts after a flush once a partition has more small segments than this. */
  compactionMinSmallSegments: 8,
  /** Source segments one compaction plan merges at most (Milvus dataCoord.compaction.max.segment). */
  compactionMaxSegmentsPerPlan: 30,
  /** Finished compactions GetCompactionState remembers. */
  compactionJobsKept: 1_024,
  /** WAL records waiting for group commit before writers are made to wait. */
  walQueueMaxRecords: 4_096,
  /** A WAL file is rotated once it holds this many bytes. */
  walMaxFileBytes: 64 * 1024 * 1024,
  /** Nesting depth of a JSON value (JSON fields and the dynamic field). */
  maxJsonDepth: 128,
  /** One WAL record, encoded. */
  walMaxRecordBytes: 128 * 1024 * 1024,
  /** Hybrid search sub-requests. */
  maxHybridRequests: 1024,
  rrfKMax: 16_384,
  maxGroupSize: 1024,
  maxRoundDecimal: 6,
  /**
   * mmap.enabled fields: bytes of segment-file pages held in memory across the engine (one shared,
   * bounded cache; counted once in the load budget instead of the mapped columns' bytes).
   */
  mmapCacheBytes: 64 * 1024 * 1024,
  /**
   * Sealed segments a load reads at once: their positional reads overlap in the I/O threads while
   * this thread checksums and decodes; each holds at most two read pieces besides its own columns.
   */
  loadSegmentsInFlight: 4,
  /** One page of that cache: the unit of a positional read from a segment file. */
  mmapPageBytes: 64 * 1024,
  /**
   * Rows of a mapped column a scan reads at once: at most this many bytes per window (below the
   * exact-search kernels' column cache threshold, so a window is copied per call, never cached).
   */
  mmapWindowBytes: 128 * 1024,
  /**
   * A mapped field's rows rewritten in an index's order at load (IVF_FLAT's list-order file): bytes
   * of rows gathered in memory before each write, and row reads in flight meanwhile.
   */
  mmapReorderBlockBytes: 4 * 1024 * 1024,
  mmapReorderReadsInFlight: 32,
  /** Bulk import: bytes of one input file (read whole: JSON, CSV, Parquet, one .npy). */
  importMaxFileBytes: 512 * 1024 * 1024,
  /** Bulk import: files one job reads (Milvus's maxFilesPerImportReq). */
  importMaxFilesPerJob: 1_024,
  /** Bulk import: rows one job adds (staged on disk until its one catalog commit). */
  importMaxRowsPerJob: 50_000_000,
  /** Bulk import: jobs running at once; the rest wait as Pending. */
  importMaxConcurrentJobs: 2,
  /** Bulk import: jobs remembered (GetImportState / ListImports); the oldest finished ones go first. */
  importJobsKept: 1_024,
  /** Bulk import: rows converted and validated per batch while a file is read. */
  importBatchRows: 4_096,
} as const;

export type Limits = typeof limits;
