import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchingStep, otpauthUri, stepAt, totpAt } from '../../src/lib/totp';

const ascii = (s: string) => new TextEncoder().encode(s);
/** RFC 6238 Appendix B's SHA-1 seed and RFC 4226 Appendix D's: the ASCII of "12345678901234567890". */
const SEED = ascii('12345678901234567890');

describe('HOTP (RFC 4226 Appendix D)', () => {
  it('gives the ten published values', async () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    for (let counter = 0; counter < 10; counter += 1) expect(await hotp(SEED, counter)).toBe(expected[counter]);
  });
});

describe('TOTP (RFC 6238 Appendix B, SHA-1)', () => {
  // Time (s) → the 8-digit value the RFC lists; our 6-digit code is its last six digits.
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, value] of vectors) {
    it(`gives ${value} at T=${seconds}`, async () => {
      expect(await totpAt(SEED, seconds * 1000, 8)).toBe(value);
      expect(await totpAt(SEED, seconds * 1000)).toBe(value.slice(2));
    });
  }
});

describe('matchingStep', () => {
  const at = 1_234_567_890_000;
  it('accepts the current code and one step of drift either way, and names the step', async () => {
    const step = stepAt(at);
    expect(await matchingStep(SEED, await hotp(SEED, step), at)).toBe(step);
    expect(await matchingStep(SEED, await hotp(SEED, step - 1), at)).toBe(step - 1);
    expect(await matchingStep(SEED, await hotp(SEED, step + 1), at)).toBe(step + 1);
  });

  it('refuses two steps off, a wrong code and anything that is not six digits', async () => {
    const step = stepAt(at);
    expect(await matchingStep(SEED, await hotp(SEED, step - 2), at)).toBeNull();
    expect(await matchingStep(SEED, await hotp(SEED, step + 2), at)).toBeNull();
    const code = await hotp(SEED, step);
    expect(await matchingStep(SEED, code === '000000' ? '000001' : '000000', at)).toBeNull();
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 12345', '١٢٣٤٥٦']) expect(await matchingStep(SEED, bad, at)).toBeNull();
  });
});

describe('base32 and the otpauth URI', () => {
  it('round-trips and matches RFC 4648 §10', () => {
    expect(base32Encode(ascii('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Encode(ascii('f'))).toBe('MY');
    expect(base32Decode('mzxw 6ytb oi==')).toEqual(ascii('foobar'));
    expect(base32Decode('not base32!')).toBeNull();
  });

  it('carries issuer, account and the secret', () => {
    const uri = otpauthUri('UserAuth', 'ada@example.com', SEED);
    expect(uri).toBe('otpauth://totp/UserAuth:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=UserAuth&algorithm=SHA1&digits=6&period=30');
  });
});
