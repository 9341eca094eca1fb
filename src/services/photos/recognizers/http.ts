import { z } from 'zod';
import { ConfigError, type Config } from '../../../config';
import { RecognizerError, type RemoteRecognizer } from './types';

/** What your own recognizer answers; `name: null` means no face it knows. */
const HttpAnswer = z.object({
  name: z.string().max(1000).nullable(),
  confidence: z.number().min(0).max(1),
});

/**
 * POSTs the image bytes (with their content type) to `RECOGNIZER_URL`, with
 * `X-Recognizer-Secret` when `RECOGNIZER_SECRET` is set, and expects `{name, confidence}`.
 * Redirects are not followed: they would carry the photo and the secret to another address.
 */
export function httpRecognizer(config: Config): RemoteRecognizer {
  if (!config.RECOGNIZER_URL) throw new ConfigError('RECOGNIZER=http needs RECOGNIZER_URL');
  let url: URL;
  try {
    url = new URL(config.RECOGNIZER_URL);
  } catch {
    throw new ConfigError('invalid configuration: RECOGNIZER_URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('invalid configuration: RECOGNIZER_URL');
  const secret = config.RECOGNIZER_SECRET;
  return {
    kind: 'remote',
    name: 'http',
    async recognize(image, type, signal) {
      const headers: Record<string, string> = { 'content-type': type, accept: 'application/json' };
      if (secret) headers['x-recognizer-secret'] = secret;
      const res = await fetch(url, { method: 'POST', headers, body: image, signal, redirect: 'manual' });
      if (!res.ok) {
        await res.body?.cancel();
        throw new RecognizerError(`recognizer answered ${res.status}`);
      }
      const answer = HttpAnswer.safeParse(await res.json().catch(() => undefined));
      if (!answer.success) throw new RecognizerError('recognizer answered something other than {name, confidence}');
      return answer.data.name === null ? null : { name: answer.data.name, confidence: answer.data.confidence };
    },
  };
}
