import type { Checked } from './images/bytes';
import { inspectJpeg } from './images/jpeg';
import { inspectPng } from './images/png';
import { inspectWebp } from './images/webp';

/** The photo formats the service stores; anything else (SVG, PDF, HTML, …) is refused. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** How many leading bytes `sniffImageType` needs for its first look. */
export const SNIFF_BYTES = 16;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (bytes: Uint8Array, from: number, text: string) => [...text].every((ch, i) => bytes[from + i] === ch.charCodeAt(0));

/**
 * The type a file claims by its leading bytes (never by its name or declared type, which the
 * client controls): a cheap first look, NOT a check that the file is an image. A JPEG signature
 * followed by HTML passes it; use `inspectImage` on the whole file before storing anything.
 * A header cut short is no image:
 * - JPEG: SOI `FF D8`, then the first marker `FF xx` (xx ≥ C0: APPn, DQT, SOF, … or a fill byte).
 * - PNG: the full 8-byte signature, then the first chunk, which the PNG spec requires to be IHDR.
 * - WebP: `RIFF`, a size, `WEBP`, then a `VP8 `, `VP8L` or `VP8X` chunk.
 *
 * @example sniffImageType(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer())) // 'image/png' | null
 */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff && bytes[3]! >= 0xc0) {
    return 'image/jpeg';
  }
  if (bytes.length >= 16 && PNG_SIGNATURE.every((b, i) => bytes[i] === b) && ascii(bytes, 12, 'IHDR')) return 'image/png';
  if (bytes.length >= 16 && ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP') && ['VP8 ', 'VP8L', 'VP8X'].some((c) => ascii(bytes, 12, c))) {
    return 'image/webp';
  }
  return null;
}

/**
 * The most pixels (width × height) a photo may have. Decoded at 4 bytes a pixel, 40 MP is 160 MB:
 * the bound on what a small, highly compressed file can make a browser or recognizer allocate.
 * Phones save 12–24 MP photos by default; their full-resolution 48–200 MP modes are refused.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

export type ImageLimits = { maxPixels?: number };
export type ImageInspection = { ok: true; type: ImageType; width: number; height: number } | { ok: false; reason: string };

/** The reason given for a file that does not even start like a JPEG, PNG or WebP. */
export const NOT_AN_IMAGE = 'the file is not a JPEG, PNG or WebP image';

const CHECKS: Record<ImageType, (bytes: Uint8Array, maxPixels: number) => Checked> = {
  'image/jpeg': inspectJpeg,
  'image/png': inspectPng,
  'image/webp': inspectWebp,
};

/**
 * Whether `bytes` (the WHOLE file) is one complete, well-formed JPEG, PNG or WebP image of sane
 * dimensions, judged by walking its structure (src/lib/images/*.ts; no pixels are decoded):
 * every segment or chunk lies within the file, the format's required parts are present and in
 * order, nothing follows the image's end, width and height are non-zero and their product is at
 * most `maxPixels` (default `MAX_IMAGE_PIXELS`). Animated PNG and WebP are refused.
 *
 * Never throws for any input (a cut-short or hostile file is `ok: false`), reads each byte at most
 * a few times and allocates only per chunk. `reason` is a short sentence for the user.
 * Throws a RangeError only for a `maxPixels` that is not a positive integer (a caller bug).
 *
 * @example inspectImage(new Uint8Array(await file.arrayBuffer())) // { ok: true, type: 'image/png', width: 1, height: 1 }
 */
export function inspectImage(bytes: Uint8Array, limits: ImageLimits = {}): ImageInspection {
  const maxPixels = limits.maxPixels ?? MAX_IMAGE_PIXELS;
  if (!Number.isSafeInteger(maxPixels) || maxPixels < 1) throw new RangeError(`maxPixels must be a positive integer, not ${maxPixels}`);
  const type = sniffImageType(bytes);
  if (!type) return { ok: false, reason: NOT_AN_IMAGE };
  const checked = CHECKS[type](bytes, maxPixels);
  return checked.ok ? { ok: true, type, width: checked.width, height: checked.height } : checked;
}
