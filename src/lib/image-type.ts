/** The photo formats the service stores; anything else (SVG, PDF, HTML, …) is refused. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** How many leading bytes `sniffImageType` needs to decide; read no more than this. */
export const SNIFF_BYTES = 16;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ascii = (bytes: Uint8Array, from: number, text: string) =>
  [...text].every((ch, i) => bytes[from + i] === ch.charCodeAt(0));

/**
 * The image type of a file, decided by its leading bytes only (never by its name or declared
 * type, which the client controls). A header cut short is no image:
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
