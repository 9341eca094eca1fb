import { ConfigError, type Config } from '../../../config';
import type { ImageType } from '../../../lib/image-type';
import { ApiError } from '../../../lib/problem';
import { httpRecognizer } from './http';
import { manualRecognizer } from './manual';
import { rekognitionRecognizer } from './rekognition';

/** What a recognizer saw: the best face's name and its confidence in [0, 1]. */
export interface Recognition {
  name: string;
  confidence: number;
}

/** An admin decides later (`202`, review queue). */
export interface ManualRecognizer {
  readonly kind: 'manual';
}

/** A remote service decides now. `null` means no face was recognised at all. */
export interface RemoteRecognizer {
  readonly kind: 'remote';
  readonly name: 'rekognition' | 'http';
  recognize(image: Uint8Array, type: ImageType, signal: AbortSignal): Promise<Recognition | null>;
}

export type Recognizer = ManualRecognizer | RemoteRecognizer;

/** The upstream failed (status, malformed answer, network). The message is logged, never sent. */
export class RecognizerError extends Error {}

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
