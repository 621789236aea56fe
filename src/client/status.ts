/**
 * The embedded client's one place where errors become SDK statuses. Like a Milvus server, most
 * calls answer errors in-band: `status.error_code` is the legacy enum name ('Success' when fine),
 * `code` the modern Milvus code. The few SDK calls that throw do so through `StatusError` (an Error
 * that also carries the status fields) or `clientError` (the SDK's client-side checks).
 */
import { AccessError, MilvusError, toMilvusError } from '../core/errors.js';

export interface ResStatus {
  extra_info: Record<string, string>;
  error_code: string;
  reason: string;
  code: number;
  retriable: boolean;
  detail: string;
}

export interface StatusResponse { status: ResStatus }

export function successStatus(): ResStatus {
  return { extra_info: {}, error_code: 'Success', reason: '', code: 0, retriable: false, detail: '' };
}

/**
 * A denied or unauthenticated call, as the SDK rejects it: grpc-js' ServiceError shape (`code` 7 or
 * 16, `details` Milvus' message, `message` `7 PERMISSION_DENIED: <details>`). Milvus raises these as
 * gRPC statuses, never in-band, and the SDK does not retry them.
 */
export class RpcStatusError extends Error {
  readonly code: 7 | 16;
  readonly details: string;

  constructor(e: AccessError) {
    super(`${e.grpcCode} ${e.grpcCode === 7 ? 'PERMISSION_DENIED' : 'UNAUTHENTICATED'}: ${e.message}`);
    this.name = 'RpcStatusError';
    this.code = e.grpcCode;
    this.details = e.message;
  }
}

/** The in-band status of a failed call; an AccessError is no status and is thrown as RpcStatusError. */
export function errorStatus(e: unknown): ResStatus {
  if (e instanceof AccessError) throw new RpcStatusError(e);
  const err = toMilvusError(e);
  return {
    extra_info: err.inputError ? { is_input_error: 'true' } : {},
    error_code: err.errorCode,
    reason: err.reason,
    code: err.code,
    retriable: err.retriable,
    detail: err.reason,
  };
}

export function isSuccess(s: ResStatus): boolean {
  return s.error_code === 'Success';
}

/** Thrown where the SDK throws a status (or a response carrying one); `status` and its fields are both readable. */
export class StatusError extends Error implements ResStatus {
  readonly extra_info: Record<string, string>;
  readonly error_code: string;
  readonly reason: string;
  readonly code: number;
  readonly retriable: boolean;
  readonly detail: string;
  readonly status: ResStatus;

  constructor(status: ResStatus, message = status.reason) {
    super(message);
    this.name = 'StatusError';
    this.status = status;
    this.extra_info = status.extra_info;
    this.error_code = status.error_code;
    this.reason = status.reason;
    this.code = status.code;
    this.retriable = status.retriable;
    this.detail = status.detail;
  }
}

/** The SDK's client-side validation failures (missing collection_name, ...): thrown, never a status. */
export class ClientError extends MilvusError {
  constructor(reason: string) {
    super(1100, reason, { inputError: true });
    this.name = 'ClientError';
  }
}

export function clientError(reason: string): ClientError {
  return new ClientError(reason);
}

/**
 * Run a service call: success gives `{status: Success, ...body}`, a failure the error status with
 * the `fallback` body (the defaults a Milvus server's response carries alongside an error).
 */
export async function answer<B extends object>(run: () => Promise<B> | B, fallback: () => B): Promise<StatusResponse & B> {
  try {
    const body = await run();
    return { status: successStatus(), ...body };
  } catch (e) {
    if (e instanceof ClientError) throw e;
    return { status: errorStatus(e), ...fallback() };
  }
}

/** For calls whose whole answer is a status. */
export async function statusOf(run: () => Promise<unknown>): Promise<ResStatus> {
  try {
    await run();
    return successStatus();
  } catch (e) {
    return errorStatus(e);
  }
}
