import { describe, expect, it } from 'vitest';
import { body, get } from '../helpers/api';
import { signedIn } from '../helpers/factories';

describe('GET /user/me', () => {
  it('returns the caller for a fresh access token', async () => {
    const user = await signedIn();
    const res = await get('/user/me', { token: user.access });
    expect(res.status).toBe(200);
    expect((await body(res)).uuid).toBe(user.uuid);
  });
});
