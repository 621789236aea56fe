/**
 * The one error catalogue. Every failure that reaches a caller is a `MilvusError` built by a named
 * factory below. Codes follow Milvus' `pkg/util/merr`; `errorCode` is the legacy `common.ErrorCode`
 * enum name the SDKs compare against. Only the transports (server/grpc, server/rest) and the
 * embedded client turn a MilvusError into a wire `status`, each in exactly one place.
 */

/** Legacy `common.ErrorCode` enum (name -> number), as the SDKs see it. */
export const LegacyErrorCode = {
  Success: 0,
  UnexpectedError: 1,
  ConnectFailed: 2,
  PermissionDenied: 3,
  CollectionNotExists: 4,
  IllegalArgument: 5,
  IllegalDimension: 7,
  IllegalIndexType: 8,
  IllegalCollectionName: 9,
  IllegalTOPK: 10,
  IllegalRowRecord: 11,
  IllegalVectorID: 12,
  IllegalSearchResult: 13,
  FileNotFound: 14,
  MetaFailed: 15,
  IllegalNLIST: 22,
  IllegalMetricType: 23,
  OutOfMemory: 24,
  IndexNotExist: 25,
  EmptyCollection: 26,
  NoReplicaAvailable: 46,
  SegmentNotFound: 47,
  ForceDeny: 48,
  RateLimit: 49,
  NodeIDNotMatch: 50,
  UpsertAutoIDTrue: 51,
  InsufficientMemoryToLoad: 52,
  MemoryQuotaExhausted: 53,
  DiskQuotaExhausted: 54,
  TimeTickLongDelay: 55,
  NotReadyServe: 56,
  SchemaMismatch: 62,
  CreateCredentialFailure: 29,
  UpdateCredentialFailure: 30,
  DeleteCredentialFailure: 31,
  CreateRoleFailure: 35,
  DropRoleFailure: 36,
  OperateUserRoleFailure: 37,
  SelectRoleFailure: 38,
  SelectUserFailure: 39,
  OperatePrivilegeFailure: 41,
  SelectGrantFailure: 42,
  CreatePrivilegeGroupFailure: 58,
  DropPrivilegeGroupFailure: 59,
  ListPrivilegeGroupsFailure: 60,
  OperatePrivilegeGroupFailure: 61,
} as const;
export type LegacyErrorCodeName = keyof typeof LegacyErrorCode;

/** Milvus' fixed mapping from modern code to legacy ErrorCode (everything else: UnexpectedError). */
export function legacyErrorCodeFor(code: number): LegacyErrorCodeName {
  switch (code) {
    case 0: return 'Success';
    case 100: return 'CollectionNotExists';
    case 1100: return 'IllegalArgument';
    case 700: return 'IndexNotExist';
    case 1: return 'NotReadyServe';
    case 8: return 'RateLimit';
    case 9: return 'ForceDeny';
    case 3: return 'InsufficientMemoryToLoad';
    case 7: return 'DiskQuotaExhausted';
    case 11: return 'TimeTickLongDelay';
    case 600: return 'SegmentNotFound';
    case 200: case 400: return 'MetaFailed';
    case 401: case 503: case 905: return 'NoReplicaAvailable';
    case 904: return 'NodeIDNotMatch';
    default: return 'UnexpectedError';
  }
}

export interface ErrorDetail {
  readonly [key: string]: string | number | bigint | boolean | undefined;
}

export class MilvusError extends Error {
  readonly code: number;
  readonly errorCode: LegacyErrorCodeName;
  readonly retriable: boolean;
  readonly inputError: boolean;

  constructor(
    code: number,
    reason: string,
    opts: { errorCode?: LegacyErrorCodeName; retriable?: boolean; inputError?: boolean } = {},
  ) {
    super(reason);
    this.name = 'MilvusError';
    this.code = code;
    this.errorCode = opts.errorCode ?? legacyErrorCodeFor(code);
    this.retriable = opts.retriable ?? false;
    this.inputError = opts.inputError ?? false;
  }

  /** The `reason` text as Milvus prints it. */
  get reason(): string {
    return this.message;
  }
}

/** The same error with `prefix` before its reason (Milvus wraps lower errors this way). */
export function prefixed(e: MilvusError, prefix: string): MilvusError {
  return new MilvusError(e.code, `${prefix}${e.message}`, { errorCode: e.errorCode, retriable: e.retriable, inputError: e.inputError });
}

/** `base[key=value][key=value]`, the Milvus message shape. */
export function formatReason(base: string, detail: ErrorDetail = {}): string {
  let out = base;
  for (const [k, v] of Object.entries(detail)) {
    if (v === undefined) continue;
    out += `[${k}=${String(v)}]`;
  }
  return out;
}

const input = { inputError: true } as const;

// ---- factories: one per failure kind, named after what went wrong ----

export const errors = {
  /** merr.WrapErrParameterInvalid(expected, actual[, msg]): code 1100, msg first when given. */
  parameterInvalid: (expected: string, actual: string, msg?: string) => {
    const base = formatReason('invalid parameter', { expected, actual });
    return new MilvusError(1100, msg === undefined ? base : `${msg}: ${base}`, input);
  },
  /** merr.WrapErrParameterInvalidMsg(text): `<text>: invalid parameter`. */
  parameterInvalidMsg: (text: string) => new MilvusError(1100, `${text}: invalid parameter`, input),
  serviceNotReady: (what: string) => new MilvusError(1, formatReason('service not ready', { reason: what }), { retriable: true }),
  internal: (what: string) => new MilvusError(5, `service internal error: ${what}`),
  /** The disk failed under a write (I/O error, failed fsync): nothing more is acknowledged until a restart recovers from the WAL. */
  storageFailed: (what: string) => new MilvusError(5, formatReason(
    'service internal error: storage failed, writes are refused until the server restarts and recovers from its write-ahead log',
    { reason: what },
  )),
  /** A write found no space (ENOSPC, EFBIG, EDQUOT) and left nothing behind; writes resume once space returns. */
  diskLimitExceeded: (what: string) => new MilvusError(7, formatReason('disk limit exceeded', { reason: what })),
  insufficientMemoryToLoad: (needBytes: number, budgetBytes: number, usedBytes: number) =>
    new MilvusError(3, formatReason('insufficient memory to load', {
      requiredBytes: needBytes, usedBytes, budgetBytes,
    })),
  collectionNotFound: (collection: string, database = 'default') =>
    new MilvusError(100, formatReason('collection not found', { database, collection }), input),
  /** DescribeCollection's pymilvus-compatible variant (code 100, legacy UnexpectedError). */
  cantFindCollection: (collection: string, database = 'default') =>
    new MilvusError(100, formatReason("can't find collection", { database, collection }), { errorCode: 'UnexpectedError', inputError: true }),
  /** merr.WrapErrNodeNotFound: code 901, `node not found[node=N]`, the reason first when given. */
  nodeNotFound: (node: bigint | number, why?: string) =>
    new MilvusError(901, `${why === undefined ? '' : `${why}: `}${formatReason('node not found', { node: String(node) })}`, input),
  collectionNotLoaded: (collection: string) =>
    new MilvusError(101, formatReason('collection not loaded', { collection })),
  collectionNumLimit: (limit: number) =>
    new MilvusError(102, formatReason('exceeded the limit number of collections', { limit })),
  /** `why`: what was refused, as Milvus wraps it (`why: collection already loaded[collection=X]`). */
  collectionAlreadyLoaded: (collection: string, why?: string) =>
    new MilvusError(104, `${why === undefined ? '' : `${why}: `}${formatReason('collection already loaded', { collection })}`),
  illegalSchema: (what: string) => new MilvusError(105, formatReason('illegal collection schema', { reason: what }), input),
  partitionNotFound: (partition: string) =>
    new MilvusError(200, formatReason('partition not found', { partition }), input),
  partitionNotLoaded: (partition: string) =>
    new MilvusError(201, formatReason('partition not loaded', { partition })),
  indexNotFound: (detail: ErrorDetail) => new MilvusError(700, formatReason('index not found', detail), input),
  indexNotSupported: (indexType: string) =>
    new MilvusError(701, formatReason('index type not supported', { indexType }), input),
  indexDuplicate: (what: string) => new MilvusError(702, `index duplicates: ${what}`, input),
  databaseNotFound: (database: string) =>
    new MilvusError(800, formatReason('database not found', { database }), input),
  databaseNumLimit: (limit: number) =>
    new MilvusError(801, formatReason('exceeded the limit number of database', { limit }), input),
  invalidDatabaseName: (what: string) => new MilvusError(802, formatReason('invalid database name', { reason: what }), input),
  /** The workhorse validation error: `what: invalid parameter[expected=..][actual=..]`. */
  invalidParameter: (what: string, detail: ErrorDetail = {}) =>
    new MilvusError(1100, formatReason(`${what}: invalid parameter`, detail), input),
  missingParameter: (name: string) =>
    new MilvusError(1101, formatReason('missing parameter', { name }), input),
  /** Milvus's WrapErrParameterMissing(Msg): `what: missing parameter[param=name]`. */
  missingParameterMsg: (what: string, param?: string) =>
    new MilvusError(1101, formatReason(`${what}: missing parameter`, { param }), input),
  parameterTooLarge: (what: string, detail: ErrorDetail = {}) =>
    new MilvusError(1102, formatReason(`${what}: parameter too large`, detail), input),
  aliasNotFound: (alias: string, database = 'default') =>
    new MilvusError(1600, formatReason('alias not found', { database, alias }), input),
  aliasCollectionNameConflict: (name: string) =>
    new MilvusError(1601, formatReason('alias and collection name conflict', { name }), input),
  aliasAlreadyExists: (alias: string, collection: string) =>
    new MilvusError(1602, formatReason('alias already exist', { alias, collection }), input),
  fieldNotFound: (field: string) => new MilvusError(1700, formatReason('field not found', { field }), input),
  fieldNameInvalid: (field: string, why: string) =>
    new MilvusError(1701, formatReason('field name invalid', { field, reason: why }), input),
  unsupported: (operation: string) =>
    new MilvusError(3000, formatReason('unsupported operation', { operation })),
  /** A commit fenced off: this process no longer holds the lease of the data set (expired, taken over). */
  leaseLost: (what: string, detail: ErrorDetail = {}) =>
    new MilvusError(1, formatReason(`service not ready: lease lost, ${what} refused`, detail), { retriable: true }),
  /** A catalog commit found another version than the one it was built on; nothing was changed. */
  catalogConflict: (detail: ErrorDetail) =>
    new MilvusError(5, formatReason('service internal error: catalog version moved, commit refused', detail), { retriable: true }),
  /** A remote store (etcd, JetStream, S3) stayed unreachable past its bounded retries. */
  remoteUnavailable: (store: string, what: string) =>
    new MilvusError(1001, formatReason(`${store} unavailable`, { reason: what }), { retriable: true }),
  /**
   * `<vector field> is [not] null`: Milvus's planner accepts it and its segment core refuses it at
   * execution, naming the C++ data type (`unsupported data type: VECTOR_FLOAT`, code 65535), so the
   * text carries no "failed to create query plan" prefix.
   */
  nullCheckOnVector: (segcoreType: string) => new MilvusError(65535, `unsupported data type: ${segcoreType}`),
  /** Untyped errors in Milvus surface as 65535; a few documented checks keep that code. */
  unexpected: (message: string) => new MilvusError(65535, message),
} as const;

/** Bulk import (merr 2100 ErrImportFailed: `<what>: importing data failed`). */
export const importErrors = {
  failed: (what: string) => new MilvusError(2100, `${what}: importing data failed`, input),
  jobNotFound: (jobId: string) => new MilvusError(2100, `import job does not exist, jobID=${jobId}: importing data failed`, input),
} as const;

/**
 * Authentication and authorization failures. Milvus raises these as gRPC status errors before any
 * handler (never in-band), so the SDKs do not retry them: `grpcCode` 16 UNAUTHENTICATED or
 * 7 PERMISSION_DENIED. REST answers them with HTTP 401 / 403 (`httpStatus`).
 */
export class AccessError extends MilvusError {
  constructor(readonly grpcCode: 7 | 16, message: string) {
    super(grpcCode === 16 ? 1800 : 65535, message);
    this.name = 'AccessError';
  }

  get httpStatus(): 401 | 403 {
    return this.grpcCode === 16 ? 401 : 403;
  }
}

export const accessErrors = {
  missingAuthorization: () => new AccessError(16, 'missing authorization in header'),
  invalidTokenFormat: () => new AccessError(16, 'invalid token format'),
  apiKeyRefused: () => new AccessError(16, 'auth check failure, please check api key is correct'),
  badCredentials: () => new AccessError(16, 'auth check failure, please check username and password are correct'),
  /** `Privilege<Name>: permission deny to <user> in the `<db>` database`. */
  permissionDenied: (privilege: string, user: string, db: string) =>
    new AccessError(7, `Privilege${privilege}: permission deny to ${user} in the \`${db}\` database`),
} as const;

/** In-band RBAC errors (codes from merr: 1400 not authenticated, 1401 not permitted, 1402 bad group name). */
export const rbacErrors = {
  notAuthenticated: (what: string, errorCode?: LegacyErrorCodeName) =>
    new MilvusError(1400, `${what}: not authenticated`, errorCode ? { errorCode } : {}),
  notPermitted: (what: string, errorCode?: LegacyErrorCodeName) =>
    new MilvusError(1401, `${what}: privilege not permitted`, errorCode ? { errorCode } : {}),
  invalidGroupName: (what: string) => new MilvusError(1402, `${what}: invalid privilege group name`, input),
  /** A failed RBAC request: code 1100 with the RPC's legacy `*Failure` code (2.6 wraps rootcoord errors so). */
  failed: (what: string, errorCode: LegacyErrorCodeName) => new MilvusError(1100, `${what}: invalid parameter`, { errorCode, inputError: true }),
} as const;

/**
 * Resource group errors (merr 300-305) and the untyped parameter errors the resource manager
 * raises (`invalid parameter[expected=..][actual=..]` with no leading text, or `<text>: invalid parameter`).
 */
export const resourceGroupErrors = {
  /** `[<wrap>: ]resource group not found[rg=..]`. */
  notFound: (rg: string, wrap?: string) => {
    const base = formatReason('resource group not found', { rg });
    return new MilvusError(300, wrap === undefined ? base : `${wrap}: ${base}`, input);
  },
  alreadyExist: (rg: string) => new MilvusError(301, formatReason('resource group already exist, but create with different config', { rg }), input),
  reachLimit: (rg: string, limit: number) => new MilvusError(302, formatReason('resource group num reach limit', { rg, limit }), input),
  /** `<why>: resource group illegal config[rg=..][config=..]` (config in protobuf text form). */
  illegalConfig: (rg: string, config: string, why: string) =>
    new MilvusError(303, `${why}: ${formatReason('resource group illegal config', { rg, config })}`, input),
  nodeNotEnough: (rg: string, current: number, expected: number) =>
    new MilvusError(304, formatReason('resource group node not enough', { rg, currentNodeNum: current, expectedNodeNum: expected }), input),
} as const;

/** Narrow anything thrown into a MilvusError, keeping assertion failures visible as internal errors. */
export function toMilvusError(e: unknown): MilvusError {
  if (e instanceof MilvusError) return e;
  if (e instanceof Error) return errors.unexpected(e.message);
  return errors.unexpected(String(e));
}
