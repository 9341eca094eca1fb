import { AwsClient } from 'aws4fetch';
import { z } from 'zod';
import { ConfigError, type Config } from '../../../config';
import { RecognizerError, type RemoteRecognizer } from './types';

/** An AWS region name; it becomes part of the endpoint's host name, so nothing else may pass. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const RecognizeCelebritiesAnswer = z.object({
  CelebrityFaces: z
    .array(z.object({ Name: z.string(), MatchConfidence: z.number().min(0).max(100) }))
    .optional()
    .default([]),
});

/** Standard base64 in slices, so a 5 MiB photo never builds one huge argument list. */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Amazon Rekognition RecognizeCelebrities over a SigV4-signed fetch (aws4fetch). The image goes
 * inline as `Image.Bytes` (Rekognition takes at most 5 MB that way); the face with the highest
 * MatchConfidence (0–100) decides. No retries: the recognizer timeout bounds the whole call.
 */
export function rekognitionRecognizer(config: Config): RemoteRecognizer {
  const accessKeyId = config.AWS_ACCESS_KEY_ID;
  const secretAccessKey = config.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError('RECOGNIZER=rekognition needs the secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  if (!REGION.test(config.AWS_REGION)) throw new ConfigError('invalid configuration: AWS_REGION');
  const client = new AwsClient({ accessKeyId, secretAccessKey, service: 'rekognition', region: config.AWS_REGION, retries: 0 });
  const endpoint = `https://rekognition.${config.AWS_REGION}.amazonaws.com/`;
  return {
    kind: 'remote',
    name: 'rekognition',
    async recognize(image, _type, signal) {
      const res = await client.fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'RekognitionService.RecognizeCelebrities',
        },
        body: JSON.stringify({ Image: { Bytes: base64(image) } }),
        signal,
      });
      if (!res.ok) {
        // AWS names the failure in __type (e.g. InvalidImageFormatException); log it, not the body.
        const type = await res.json<{ __type?: unknown }>().then(
          (b) => String(b?.__type ?? ''),
          () => '',
        );
        throw new RecognizerError(`rekognition answered ${res.status} ${type}`.trim());
      }
      const answer = RecognizeCelebritiesAnswer.safeParse(await res.json().catch(() => undefined));
      if (!answer.success) throw new RecognizerError('rekognition answered something that is not a RecognizeCelebrities result');
      const best = answer.data.CelebrityFaces.reduce<{ Name: string; MatchConfidence: number } | null>(
        (top, face) => (top === null || face.MatchConfidence > top.MatchConfidence ? face : top),
        null,
      );
      return best ? { name: best.Name, confidence: best.MatchConfidence / 100 } : null;
    },
  };
}
