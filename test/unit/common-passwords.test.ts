import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORD_COUNT } from '../../src/lib/common-passwords.data';
import { commonPasswordEntries, foldPassword, isCommonPassword } from '../../src/lib/common-passwords';
import { passwordProblem } from '../../src/lib/password-policy';

const entries = commonPasswordEntries();

describe('the shipped common-password list', () => {
  it('holds at least the 10,000 most common passwords, as many as the generator wrote', () => {
    expect(entries.length).toBe(COMMON_PASSWORD_COUNT);
    expect(entries.length).toBeGreaterThanOrEqual(10_000);
    expect(entries).not.toContain('');
  });

  it('is sorted strictly by UTF-16 code units (so binary search is exact) and has no duplicates', () => {
    for (let i = 1; i < entries.length; i++) expect(entries[i - 1]! < entries[i]!, `${entries[i - 1]} < ${entries[i]}`).toBe(true);
  });

  it('stores every entry already folded (NFC, lower case)', () => {
    expect(entries.filter((e) => foldPassword(e) !== e)).toEqual([]);
  });

  it('contains the best-known entries of the top 10,000 and the long ones', () => {
    for (const p of ['123456', 'password', 'qwerty', 'letmein', 'trustno1', 'passwordpassword', '1qaz2wsx3edc4rfv']) {
      expect(entries).toContain(p);
    }
  });
});

describe('isCommonPassword', () => {
  it('finds every entry of the list, the first and last included', () => {
    expect(entries.filter((e) => !isCommonPassword(e))).toEqual([]);
  });

  it('finds nothing between neighbours or outside the ends', () => {
    const between = entries.map((e) => `${e}\u0001`);
    expect(between.filter((e) => isCommonPassword(e))).toEqual([]);
    expect(isCommonPassword('\u0001')).toBe(false);
    expect(isCommonPassword('\u{10FFFF}')).toBe(false);
    expect(isCommonPassword('')).toBe(false);
    expect(isCommonPassword('password\n123456')).toBe(false);
    expect(isCommonPassword('password\t123456')).toBe(false);
  });

  it('ignores case', () => {
    expect(isCommonPassword('PassWord')).toBe(true);
    expect(isCommonPassword('QWERTY')).toBe(true);
    expect(isCommonPassword('PasswordPassword')).toBe(true);
  });

  it('compares the NFC form, so a decomposed accent matches its composed entry', () => {
    // No list entry is non-ASCII, so the property is shown through the folding itself.
    expect(foldPassword('Cafe\u0301')).toBe('caf\u00e9');
    expect(foldPassword('CAF\u00c9')).toBe('caf\u00e9');
  });

  it('does not match a password that merely contains a common one', () => {
    expect(isCommonPassword('password1234 and more words')).toBe(false);
  });
});

describe('passwordProblem with the list', () => {
  it('refuses a common password of an allowed length, naming the reason', () => {
    expect(passwordProblem('PasswordPassword', { minLength: 15 })).toBe('is a commonly used password; choose another');
    expect(passwordProblem('trustno1', { minLength: 8 })).toBe('is a commonly used password; choose another');
  });

  it('accepts an uncommon password of the same length', () => {
    expect(passwordProblem('violet lantern 42', { minLength: 15 })).toBeNull();
  });
});
