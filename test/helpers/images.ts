/** Test images: tiny but real files of each accepted format, and files that only pretend. */

const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
const text = (s: string) => new TextEncoder().encode(s);

/** A real 1×1 PNG (signature, IHDR, IDAT, IEND). */
export const PNG = fromBase64('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==');

/** A 1×1 baseline JPEG (JFIF APP0, DQT, SOF0, DHT, SOS). */
export const JPEG = fromBase64(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
);

/** A 1×1 lossy WebP (RIFF … WEBP VP8 ). */
export const WEBP = fromBase64('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA');

export const IMAGES = [
  { format: 'JPEG', bytes: JPEG, type: 'image/jpeg' },
  { format: 'PNG', bytes: PNG, type: 'image/png' },
  { format: 'WebP', bytes: WEBP, type: 'image/webp' },
] as const;

/** Files that must be refused whatever name or type they are sent with. */
export const HOSTILE = [
  { kind: 'an SVG', bytes: text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') },
  { kind: 'a PDF', bytes: text('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n') },
  { kind: 'an HTML page', bytes: text('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>') },
  { kind: 'a zero-byte file', bytes: new Uint8Array(0) },
  { kind: 'a PNG signature cut short', bytes: PNG.slice(0, 6) },
  { kind: 'a PNG signature without its IHDR chunk', bytes: PNG.slice(0, 8) },
  { kind: 'a JPEG start-of-image marker alone', bytes: JPEG.slice(0, 2) },
  { kind: 'a RIFF header that is not WebP', bytes: text('RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00') },
] as const;

/** `image` followed by zero bytes up to `size`: still sniffed as the same type, just large. */
export function padded(image: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(image);
  return out;
}
