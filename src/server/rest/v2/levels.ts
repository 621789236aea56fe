/** Consistency level names as REST bodies spell them ("Strong", "Bounded", ...). */
import { ConsistencyLevel } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';

export function consistencyOfName(v: string | undefined): ConsistencyLevel | undefined {
  if (v === undefined || v === '') return undefined;
  if (!Object.prototype.hasOwnProperty.call(ConsistencyLevel, v)) {
    throw errors.invalidParameter('consistencyLevel', { expected: Object.keys(ConsistencyLevel).join('|'), actual: v });
  }
  return ConsistencyLevel[v as keyof typeof ConsistencyLevel];
}
