/**
 * Passwords as Milvus keeps them: bcrypt at cost 4 (`bcrypt.MinCost`, `$2b$04$...`; Go's bcrypt
 * reads it and bcryptjs reads Milvus' `$2a$` hashes, so BackupRBAC / RestoreRBAC move users between
 * the two), 6 to 72 bytes, no complexity rule. A verified password is remembered as
 * SHA-256(password + username) so bcrypt stays off the request path; the entry is tied to the
 * stored hash, so changing or deleting the user drops it. Comparisons are constant-time.
 */
import bcrypt from 'bcryptjs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { MilvusError } from '../../core/errors.js';

export const PASSWORD_MIN_BYTES = 6;
export const PASSWORD_MAX_BYTES = 72;
export const BCRYPT_COST = 4;

/** `invalid password length: invalid parameter[3 out of range 6 <= value <= 72]` (code 1100). */
export function validatePassword(password: string): void {
  const n = Buffer.byteLength(password, 'utf8');
  if (n < PASSWORD_MIN_BYTES || n > PASSWORD_MAX_BYTES) {
    throw new MilvusError(1100, `invalid password length: invalid parameter[${n} out of range ${PASSWORD_MIN_BYTES} <= value <= ${PASSWORD_MAX_BYTES}]`, { inputError: true });
  }
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

function fastDigest(user: string, password: string): Buffer {
  return createHash('sha256').update(password).update(user).digest();
}

/** A hash no password matches, so an unknown user costs as much as a wrong password. */
const DUMMY_HASH = '$2b$04$QYZ52d6MOj5D6n90rsFoPug/pOBF6.juN56NkyVg2LqOy9bgKTvE2';

export class PasswordChecker {
  /** user -> the stored hash it was verified against and the fast digest of the password. */
  private readonly verified = new Map<string, { hash: string; digest: Buffer }>();

  /** True when `password` is the user's (storedHash undefined: no such user, answers false in bcrypt time). */
  async verify(user: string, password: string, storedHash: string | undefined): Promise<boolean> {
    if (storedHash === undefined) {
      await bcrypt.compare(password, DUMMY_HASH);
      return false;
    }
    if (this.checkCached(user, password, storedHash)) return true;
    if (!(await bcrypt.compare(password, storedHash))) return false;
    this.verified.set(user, { hash: storedHash, digest: fastDigest(user, password) });
    return true;
  }

  /** The fast path alone: true only when this exact password was verified against this hash before. */
  checkCached(user: string, password: string, storedHash: string | undefined): boolean {
    const hit = this.verified.get(user);
    if (hit === undefined || storedHash === undefined) return false;
    if (hit.hash !== storedHash) {
      this.verified.delete(user);
      return false;
    }
    return timingSafeEqual(hit.digest, fastDigest(user, password));
  }

  forget(user: string): void {
    this.verified.delete(user);
  }
}
