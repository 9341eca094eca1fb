import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { body, del, patch } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { JPEG, PNG, WEBP } from '../helpers/images';
import { remoteStandIn, roleOf, upload } from '../helpers/photos';

/**
 * A recognised name makes at most one account celebrity at a time (names compared after NFKC,
 * case, accents and spacing): the first claims it, any other account the recognizer sees as
 * the same name waits in the admin review queue (202) instead of being granted.
 */
const HTTP = { RECOGNIZER: 'http', RECOGNIZER_URL: 'https://recognizer.example/v1/recognize' };
const tomHanks = () => remoteStandIn(vi.spyOn, () => Response.json({ name: 'Tom Hanks', confidence: 0.99 }));
const uniqueSurname = () => `Hanks${crypto.randomUUID().slice(0, 4)}`;
const claimOf = async (key: string) =>
  (await env.DB.prepare('select user_uuid from celebrity_names where name_key = ?').bind(key).first<{ user_uuid: string }>())?.user_uuid;

afterEach(() => vi.restoreAllMocks());

describe('one celebrity per recognised name', () => {
  it('grants "Tom Hanks" once; "ＴＯＭ ｈａｎｋｓ" and "Tóm Hànks" with the same photo go to the review queue', async () => {
    const surname = uniqueSurname();
    remoteStandIn(vi.spyOn, () => Response.json({ name: `Tom ${surname}`, confidence: 0.99 }));
    const first = await signedIn('normal', { name: 'Tom', surname });
    const fullWidth = await signedIn('normal', { name: 'ＴＯＭ', surname: surname.replace(/./g, (ch) => String.fromCodePoint(ch.codePointAt(0)! + 0xfee0)) });
    const accents = await signedIn('normal', { name: 'Tóm', surname: surname.replace('a', 'à') });

    const granted = await upload(first, PNG, { vars: HTTP });
    expect(granted.status).toBe(200);
    expect((await body(granted)).role).toBe('celebrity');
    for (const claimant of [fullWidth, accents]) {
      const queued = await upload(claimant, PNG, { vars: HTTP });
      expect(queued.status).toBe(202);
      expect(await body(queued)).toMatchObject({ status: 'pending', user_uuid: claimant.uuid });
      expect(await roleOf(claimant.uuid)).toBe('normal');
    }
    expect(await claimOf(`tom ${surname.toLowerCase()}`)).toBe(first.uuid);
  });

  it("lets the holder re-upload, and frees the name when an admin changes the holder's role or the holder is erased", async () => {
    tomHanks();
    const admin = await signedIn('admin');
    const holder = await signedIn('normal', { name: 'Tom', surname: 'Hanks' });
    const namesake = await signedIn('normal', { name: 'Tom', surname: 'Hanks' });
    const third = await signedIn('normal', { name: 'Tom', surname: 'Hanks' });

    expect((await upload(holder, PNG, { vars: HTTP })).status).toBe(200);
    expect((await upload(holder, JPEG, { vars: HTTP })).status).toBe(200);
    expect((await upload(namesake, PNG, { vars: HTTP })).status).toBe(202);

    expect((await patch(`/user/${holder.uuid}`, { token: admin.access, json: { role: 'normal' } })).status).toBe(200);
    expect((await upload(namesake, WEBP, { vars: HTTP })).status).toBe(200);
    expect(await roleOf(namesake.uuid)).toBe('celebrity');
    expect((await upload(third, PNG, { vars: HTTP })).status).toBe(202);

    expect((await del('/user/me', { token: namesake.access })).status).toBe(204);
    expect((await upload(third, JPEG, { vars: HTTP })).status).toBe(200);
    expect(await roleOf(third.uuid)).toBe('celebrity');
  });
});
