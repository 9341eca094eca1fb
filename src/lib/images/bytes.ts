/**
 * Shared pieces of the image structure checks (png.ts, jpeg.ts, webp.ts). Every reader here
 * trusts its caller to have checked the bounds first: the format checks compare each offset with
 * `bytes.length` before reading, so a cut-short or hostile file is refused, never read past.
 */

/** What a format check concludes: the image's dimensions, or a short reason a user understands. */
export type Checked = { ok: true; width: number; height: number } | { ok: false; reason: string };

export const refuse = (reason: string): Checked => ({ ok: false, reason });

export const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
export const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
export const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
export const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
export const u32le = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** A four-character chunk name as the big-endian number its bytes spell: compared without allocating. */
export const fourcc = (name: string) =>
  u32be(
    Uint8Array.from(name, (ch) => ch.charCodeAt(0)),
    0,
  );

/**
 * The dimensions, if sane: neither may be zero (nothing to show; a JPEG height of 0 defers it to a
 * DNL marker, refused too), and width × height may not exceed `maxPixels`, which bounds what a
 * decoder (the browser, the recognizer) must allocate however small the compressed file is.
 */
export function sized(width: number, height: number, maxPixels: number): Checked {
  if (width === 0 || height === 0) return refuse('the image has no width or height');
  if (width * height > maxPixels) {
    const limit = maxPixels % 1_000_000 === 0 ? `${maxPixels / 1_000_000} megapixels` : `${maxPixels} pixels`;
    return refuse(`the image is larger than ${limit}`);
  }
  return { ok: true, width, height };
}
