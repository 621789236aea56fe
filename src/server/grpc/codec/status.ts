/**
 * The one place a thrown error becomes a wire `common.Status` (reference §1.10). `error_code` is the
 * legacy enum number on the wire; the Node SDK decodes it to the name string (`enums: String`).
 */
import { LegacyErrorCode, toMilvusError } from '../../../core/errors.js';

export interface WireStatus {
  error_code: number;
  reason: string;
  code: number;
  retriable: boolean;
  detail: string;
  extra_info: Record<string, string>;
}

export function successStatus(): WireStatus {
  return { error_code: LegacyErrorCode.Success, reason: '', code: 0, retriable: false, detail: '', extra_info: {} };
}

export function statusFrom(e: unknown): WireStatus {
  const err = toMilvusError(e);
  const extra: Record<string, string> = {};
  if (err.inputError) extra['is_input_error'] = 'true';
  return {
    error_code: LegacyErrorCode[err.errorCode],
    reason: err.reason,
    code: err.code,
    retriable: err.retriable,
    detail: err.reason,
    extra_info: extra,
  };
}
