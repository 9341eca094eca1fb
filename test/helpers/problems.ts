import { expect } from 'vitest';
import { PROBLEMS, type Problem, type ProblemCode, problemType } from '../../src/lib/problem';

/**
 * Asserts an RFC 9457 problem+json answer with the given status and returns its body: the
 * content type, the shape, the stable `type` of its kind (`code` when given, else any kind of
 * that status), and that nothing internal (a stack, a SQL message) reached the client.
 */
export async function expectProblem(res: Response, status: number, code?: ProblemCode): Promise<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const text = await res.text();
  expect(text).not.toMatch(/\bat .+:\d+:\d+|SQLITE|D1_ERROR|constraint/i);
  const problem = JSON.parse(text) as Problem;
  expect(problem).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  const kinds = Object.entries(PROBLEMS)
    .filter(([, p]) => p.status === status)
    .map(([c]) => problemType(c as ProblemCode));
  expect(kinds).toContain(problem.type);
  if (code) expect(problem.type).toBe(problemType(code));
  return problem;
}

/** Asserts a 401 with an RFC 6750 Bearer challenge; `invalidToken` when a token was sent. */
export async function expectUnauthorized(res: Response, invalidToken: boolean): Promise<Problem> {
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer /);
  if (invalidToken) expect(challenge).toContain('error="invalid_token"');
  else expect(challenge).not.toContain('error=');
  return expectProblem(res, 401, invalidToken ? 'invalid_token' : 'token_required');
}
