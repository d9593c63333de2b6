/**
 * Password hashing with scrypt (node:crypto). Stored as `scrypt$N$r$p$salt$hash` so the cost
 * can be raised later without breaking stored hashes. Async: a login never blocks the loop.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { APP_ROOT } from '../../config/paths.js';

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 64;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEYLEN, { N: n, r, p, maxmem: 128 * n * r * 2 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Shortest password the box ever accepts; `console.passwordMinLength` can only raise it. */
export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 128;

export const COMMON_PASSWORDS_FILE = resolve(APP_ROOT, 'edge', 'console', 'auth', 'common-passwords.txt');
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.normalize('NFC').toLowerCase()),
  );
  return common;
}

/** What each policy rule says when it refuses (the API message; the UI translates the key). */
export const PROBLEM_TEXT = {
  'password.tooShort': 'shorter than %d characters',
  'password.tooLong': `longer than ${MAX_PASSWORD_LENGTH} characters`,
  'password.tooCommon': 'in the list of common passwords',
  'password.sameAsUser': 'the same as the user name',
  'password.sameAsCurrent': 'the same as the current password',
} as const;

export type PasswordProblem = keyof typeof PROBLEM_TEXT;

/**
 * Reasons a new password is refused; empty when acceptable. "Not the current one" needs the
 * slow hash, so the route checks it with `verifyPassword` and adds `password.sameAsCurrent`.
 */
export function passwordProblems(password: string, username: string, minLength = MIN_PASSWORD_LENGTH): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const pw = password.normalize('NFC');
  // Characters, not UTF-16 units: a Chinese passphrase counts what the user typed.
  const length = [...pw].length;
  if (length < Math.max(MIN_PASSWORD_LENGTH, minLength)) problems.push('password.tooShort');
  if (length > MAX_PASSWORD_LENGTH) problems.push('password.tooLong');
  const lower = pw.toLowerCase();
  if (lower === username.normalize('NFC').toLowerCase()) problems.push('password.sameAsUser');
  // The seeds' shipped defaults (admin/admin, owner/changepassword, sunac123456) are in the list.
  if (commonPasswords().has(lower)) problems.push('password.tooCommon');
  return problems;
}

/** The API message for refused rules, e.g. `shorter than 10 characters; in the list of common passwords`. */
export function describeProblems(problems: readonly PasswordProblem[], minLength = MIN_PASSWORD_LENGTH): string {
  return problems.map((p) => PROBLEM_TEXT[p].replace('%d', String(Math.max(MIN_PASSWORD_LENGTH, minLength)))).join('; ');
}
