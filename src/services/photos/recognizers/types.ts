import type { ImageType } from '../../../lib/image-type';

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
