/**
 * The REST layer's own errors (Milvus' 1800-range codes, reference §1.10). They are MilvusErrors
 * like every other failure; core/errors.ts has no factories for them because only the HTTP doors
 * can produce them.
 */
import { formatReason, MilvusError } from '../../core/errors.js';

const input = { inputError: true } as const;

export const restErrors = {
  /** 1801: the body is not JSON, or a member has the wrong JSON type. */
  notJson: (why: string) => new MilvusError(1801, `can only accept json format request, error: ${why}`, input),
  /** 1802: a required member is absent (the wording of Milvus' binding error). */
  missingRequired: (key: string) => new MilvusError(1802,
    `missing required parameters, error: Key: '${key}' Error:Field validation for '${key}' failed on the 'required' tag`, input),
  /** 1102: the body is larger than the configured limit. */
  bodyTooLarge: (limitBytes: number, sizeBytes: number) =>
    new MilvusError(1102, formatReason('request body too large: parameter too large', { maxBytes: limitBytes, actualBytes: sizeBytes }), input),
  /** No route: the method + path pair is not served here. */
  notFound: (method: string, path: string) => new MilvusError(404, formatReason('404 page not found', { method, path }), input),
} as const;
