/**
 * Name rules for collections, fields, partitions, aliases, databases and indexes (Milvus proxy
 * `validateCollectionNameOrAlias`, `validateFieldName`, `validatePartitionTag`): ASCII letters,
 * digits and underscores, first character a letter or underscore (partitions may also start with a
 * digit), at most limits.maxNameLength characters.
 */
import { errors, type MilvusError } from '../core/errors.js';
import { limits } from '../core/limits.js';

export type NameKind = 'collection' | 'field' | 'partition' | 'alias' | 'database' | 'index';

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const UNDERSCORE = 95;

function fail(kind: NameKind, name: string, rule: string): MilvusError {
  const what = `Invalid ${kind} name: ${name}. ${rule}`;
  return kind === 'field' ? errors.fieldNameInvalid(name, what) : errors.invalidParameter(what);
}

/**
 * Throws 1100 (1701 "field name invalid" for fields, as Milvus does) when `name` breaks the rules.
 * Messages follow Milvus, e.g. `Invalid collection name: 1a. the first character of a collection
 * name must be an underscore or letter: invalid parameter`.
 */
export function validateName(kind: NameKind, name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    const what = `${kind} name should not be empty`;
    throw kind === 'field' ? errors.fieldNameInvalid(String(name), what) : errors.invalidParameter(what);
  }
  if (name.length > limits.maxNameLength) {
    throw fail(kind, name, `the length of a ${kind} name must be less than ${limits.maxNameLength} characters`);
  }
  const first = name.charCodeAt(0);
  const digitFirstOk = kind === 'partition';
  if (first !== UNDERSCORE && !isLetter(first) && !(digitFirstOk && isDigit(first))) {
    throw fail(kind, name, `the first character of a ${kind} name must be an underscore or letter`);
  }
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c !== UNDERSCORE && !isLetter(c) && !isDigit(c)) {
      throw fail(kind, name, `${kind} name can only contain numbers, letters and underscores`);
    }
  }
}
