import { ConfigError, type Config } from '../../../config';
import type { ImageType } from '../../../lib/image-type';
import { ApiError } from '../../../lib/problem';
import { httpRecognizer } from './http';
import { manualRecognizer } from './manual';
import { rekognitionRecognizer } from './rekognition';
import type { Recognizer, RemoteRecognizer } from './types';

export { type ManualRecognizer, type Recognition, type Recognizer, RecognizerError, type RemoteRecognizer } from './types';

const cache = new WeakMap<Config, Recognizer>();

/**
 * The recognizer `RECOGNIZER` names. A remote one without its settings is a ConfigError (503
 * naming the variable), raised before the photo is stored, so misconfiguration leaves nothing.
 *
 * @example const recognizer = recognizerFor(c.get('config'));
 */
export function recognizerFor(config: Config): Recognizer {
  const hit = cache.get(config);
  if (hit) return hit;
  let recognizer: Recognizer;
  switch (config.RECOGNIZER) {
    case 'manual':
      recognizer = manualRecognizer;
      break;
    case 'rekognition':
      recognizer = rekognitionRecognizer(config);
      break;
    case 'http':
      recognizer = httpRecognizer(config);
      break;
    default:
      throw new ConfigError('invalid configuration: RECOGNIZER');
  }
  cache.set(config, recognizer);
  return recognizer;
}

class Timeout extends Error {}

/**
 * Runs a remote recognizer under `timeoutMs`. The timer aborts the fetch and also wins the race
 * itself, so a peer that stalls mid-body cannot hold the request. Failures become `502`, a
 * timeout `504`; the internal reason goes to the log only.
 */
export async function recognize(recognizer: RemoteRecognizer, image: Uint8Array, type: ImageType, timeoutMs: number, requestId: string) {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DOMException('recognizer timed out', 'TimeoutError'));
      reject(new Timeout());
    }, timeoutMs);
  });
  try {
    return await Promise.race([recognizer.recognize(image, type, controller.signal), timedOut]);
  } catch (err) {
    const timeout = err instanceof Timeout || controller.signal.aborted;
    const message = err instanceof Error ? err.message : String(err);
    console.error(JSON.stringify({ level: 'error', requestId, error: 'recognizer', recognizer: recognizer.name, timeout, message }));
    if (timeout) throw new ApiError('recognizer_timeout', 'The photo recognizer did not answer in time; the photo was not kept');
    throw new ApiError('recognizer_failed', 'The photo recognizer failed; the photo was not kept');
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
