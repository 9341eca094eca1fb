import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, MAX_PBKDF2_ITERATIONS } from '../../src/config';
import worker from '../../src/index';
import { BASE } from '../helpers/api';
import { expectProblem } from '../helpers/problems';

describe('loadConfig', () => {
  it('defaults to the SPEC values: 100,000 iterations, 15-character passwords, 15-minute access tokens', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PASSWORD_ITERATIONS: 100_000, PASSWORD_MIN_LENGTH: 15, ACCESS_TOKEN_TTL_SECONDS: 900, RECOGNIZER: 'manual' });
    expect(config.JWT_PRIVATE_KEY).toBeUndefined(); // no built-in default key
  });

  it('accepts PASSWORD_ITERATIONS up to the Workers limit of 100,000 and refuses more', () => {
    expect(MAX_PBKDF2_ITERATIONS).toBe(100_000);
    expect(loadConfig({ PASSWORD_ITERATIONS: '100000' }).PASSWORD_ITERATIONS).toBe(100_000);
    expect(() => loadConfig({ PASSWORD_ITERATIONS: '100001' })).toThrow(ConfigError);
    expect(() => loadConfig({ PASSWORD_ITERATIONS: '600000' })).toThrow('PASSWORD_ITERATIONS');
  });

  it('accepts PASSWORD_MIN_LENGTH down to 8 and refuses less', () => {
    expect(loadConfig({ PASSWORD_MIN_LENGTH: '8' }).PASSWORD_MIN_LENGTH).toBe(8);
    expect(() => loadConfig({ PASSWORD_MIN_LENGTH: '7' })).toThrow('PASSWORD_MIN_LENGTH');
    expect(() => loadConfig({ PASSWORD_MIN_LENGTH: 'eight' })).toThrow(ConfigError);
  });

  it('names the variable but never echoes its value', () => {
    const secretish = 'not-a-number-s3cr3t';
    expect(() => loadConfig({ PASSWORD_ITERATIONS: secretish })).toThrow(/^invalid configuration: PASSWORD_ITERATIONS$/);
  });

  it('refuses an absolute refresh lifetime shorter than the sliding one', () => {
    expect(() => loadConfig({ REFRESH_TOKEN_TTL_SECONDS: '7200', REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: '3600' })).toThrow(ConfigError);
  });

  it('refuses an empty or blank number instead of reading it as 0 (fails closed)', () => {
    for (const name of ['RECOGNIZER_MIN_CONFIDENCE', 'ACCESS_TOKEN_TTL_SECONDS', 'PASSWORD_MIN_LENGTH', 'PHOTO_MAX_BYTES', 'REFRESH_REUSE_GRACE_SECONDS']) {
      for (const value of ['', '   ', '0x10', '1e3', '12abc']) {
        expect(() => loadConfig({ [name]: value }), `${name}=${JSON.stringify(value)}`).toThrow(new RegExp(`^invalid configuration: ${name}$`));
      }
    }
    expect(loadConfig({ RECOGNIZER_MIN_CONFIDENCE: '0.5' }).RECOGNIZER_MIN_CONFIDENCE).toBe(0.5);
    expect(loadConfig({ RECOGNIZER_MIN_CONFIDENCE: ' .99 ' }).RECOGNIZER_MIN_CONFIDENCE).toBe(0.99);
    expect(loadConfig({ ACCESS_TOKEN_TTL_SECONDS: ' 600 ' }).ACCESS_TOKEN_TTL_SECONDS).toBe(600);
  });

  it('refuses an access token that would outlive the refresh lifetime', () => {
    expect(() => loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '3600', REFRESH_TOKEN_TTL_SECONDS: '1800', REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: '7200' })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS above REFRESH_TOKEN_TTL_SECONDS/,
    );
    expect(
      loadConfig({ ACCESS_TOKEN_TTL_SECONDS: '1800', REFRESH_TOKEN_TTL_SECONDS: '1800', REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: '7200' }).ACCESS_TOKEN_TTL_SECONDS,
    ).toBe(1800);
  });

  it('parses once per env object', () => {
    const vars = { PASSWORD_MIN_LENGTH: '20' };
    expect(loadConfig(vars)).toBe(loadConfig(vars));
  });
});

describe('a worker with a bad configuration', () => {
  for (const [name, value] of [
    ['PASSWORD_ITERATIONS', '200000'],
    ['PASSWORD_MIN_LENGTH', '6'],
  ] as const) {
    it(`answers 503 naming ${name}=${value} instead of running on it`, async () => {
      const res = await worker.fetch(new Request(`${BASE}/health`), { ...env, [name]: value }, createExecutionContext());
      const problem = await expectProblem(res, 503);
      expect(problem.detail).toContain(name);
      expect(problem.detail).not.toContain(value);
    });
  }
});
