/** Test images: small but complete files of each accepted format, files that only pretend, and builders. */
import { inspectImage, NOT_AN_IMAGE } from '../../src/lib/image-type';
import { crc32 } from '../../src/lib/images/png';

const fromBase64 = (b64: string) => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
const text = (s: string) => new TextEncoder().encode(s);
const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const le32 = (n: number) => Uint8Array.of(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24);
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A copy of `bytes` with `values` written at `at`. */
export function patched(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(values, at);
  return out;
}

/** A real 1×1 RGBA PNG (signature, IHDR, IDAT, IEND). */
export const PNG = fromBase64('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==');

/** A real 1×1 baseline JPEG from libjpeg (SOI, JFIF APP0, 2 DQT, SOF0, 4 DHT, SOS, entropy-coded data, EOI). */
export const JPEG = fromBase64(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAABAAEDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAf/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAwj/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCSACWW/9k=',
);

/** A real 1×1 lossy WebP (RIFF … WEBP, one 'VP8 ' chunk). */
export const WEBP = fromBase64('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA');

export const IMAGES = [
  { format: 'JPEG', bytes: JPEG, type: 'image/jpeg', width: 1, height: 1 },
  { format: 'PNG', bytes: PNG, type: 'image/png', width: 1, height: 1 },
  { format: 'WebP', bytes: WEBP, type: 'image/webp', width: 1, height: 1 },
] as const;

/** More real encoder output (libjpeg, libpng, libwebp by way of sharp), each 3×2, for the less common paths. */
export const VARIANTS = [
  {
    format: 'progressive JPEG (SOF2, ten scans)',
    type: 'image/jpeg',
    bytes: fromBase64(
      '/9j/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wgARCAACAAMDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAVAQEBAAAAAAAAAAAAAAAAAAACB//aAAwDAQACEAMQAAABkQLL/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABBQJ//8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAgBAwEBPwF//8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAgBAgEBPwF//8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAGPwJ//8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPyF//9oADAMBAAIAAwAAABD/AP/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQMBAT8Qf//EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQIBAT8Qf//EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAT8Qf//Z',
    ),
  },
  {
    format: 'JPEG with Exif (APP1)',
    type: 'image/jpeg',
    bytes: fromBase64(
      '/9j/4QDORXhpZgAASUkqAAgAAAAHABIBAwABAAAAAQAAABoBBQABAAAAYgAAABsBBQABAAAAagAAACgBAwABAAAAAgAAABMCAwABAAAAAQAAAJiCAgAFAAAAcgAAAGmHBAABAAAAeAAAAAAAAAA4YwAA6AMAADhjAADoAwAAdGVzdAAABgAAkAcABAAAADAyMTABkQcABAAAAAECAwAAoAcABAAAADAxMDABoAMAAQAAAP//AAACoAQAAQAAAAMAAAADoAQAAQAAAAIAAAAAAAAA/9sAQwAGBAUGBQQGBgUGBwcGCAoQCgoJCQoUDg8MEBcUGBgXFBYWGh0lHxobIxwWFiAsICMmJykqKRkfLTAtKDAlKCko/9sAQwEHBwcKCAoTCgoTKBoWGigoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo/8AAEQgAAgADAwEiAAIRAQMRAf/EABUAAQEAAAAAAAAAAAAAAAAAAAAG/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/EABUBAQEAAAAAAAAAAAAAAAAAAAIH/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AkgBVd//Z',
    ),
  },
  {
    format: 'greyscale JPEG (one component)',
    type: 'image/jpeg',
    bytes: fromBase64(
      '/9j/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/wAALCAACAAMBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAABv/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8ACP/Z',
    ),
  },
  {
    format: 'palette PNG (PLTE)',
    type: 'image/png',
    bytes: fromBase64(
      'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAMAAACqqpYoAAAAA1BMVEXIKFruJexiAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAC0lEQVQImWNggAAAAAgAAa9T6iIAAAAASUVORK5CYII=',
    ),
  },
  {
    format: 'interlaced 16-bit RGBA PNG',
    type: 'image/png',
    bytes: fromBase64(
      'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACEAYAAAG644rPAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAFklEQVQImWM4waDBEMXQwMCAm4FOAwAbPwq9UQvJsAAAAABJRU5ErkJggg==',
    ),
  },
  { format: 'lossless WebP (VP8L)', type: 'image/webp', bytes: fromBase64('UklGRh4AAABXRUJQVlA4TBEAAAAvAkAAAAdQlCJXq/+BiOh/AAA=') },
  {
    format: 'WebP with transparency (VP8X, ALPH, VP8 )',
    type: 'image/webp',
    bytes: fromBase64('UklGRlYAAABXRUJQVlA4WAoAAAAQAAAAAgAAAQAAQUxQSAcAAAAAgICAgICAAFZQOCAoAAAAcAEAnQEqAwACAAFAJiWgAnQBQAAA/u+88VP/uDj/+4OP/7g4/dMAAA=='),
  },
  {
    format: 'WebP with Exif (VP8X, VP8 , EXIF)',
    type: 'image/webp',
    bytes: fromBase64(
      'UklGRhoBAABXRUJQVlA4WAoAAAAIAAAAAgAAAQAAVlA4ICgAAABwAQCdASoDAAIAAUAmJaACdAFAAAD+77zxU/+4OP/7g4//uDj90wAARVhJRswAAABFeGlmAABJSSoACAAAAAcAEgEDAAEAAAABAAAAGgEFAAEAAABiAAAAGwEFAAEAAABqAAAAKAEDAAEAAAACAAAAEwIDAAEAAAABAAAAmIICAAUAAAByAAAAaYcEAAEAAAB4AAAAAAAAADhjAADoAwAAOGMAAOgDAAB0ZXN0AAAGAACQBwAEAAAAMDIxMAGRBwAEAAAAAQIDAACgBwAEAAAAMDEwMAGgAwABAAAA//8AAAKgBAABAAAAAwAAAAOgBAABAAAAAgAAAAAAAAA=',
    ),
  },
].map((v) => ({ ...v, width: 3, height: 2 }));

/** A PNG chunk with its CRC-32 (PNG spec §5.3); `pngFile` puts the signature before chunks. */
export const pngChunk = (type: string, data: Uint8Array = new Uint8Array(0)) => {
  const body = concat(text(type), data);
  return concat(be32(data.length), body, be32(crc32(body)));
};
export const pngFile = (...chunks: Uint8Array[]) => concat(PNG.subarray(0, 8), ...chunks);
export const ihdr = (width: number, height: number, depth = 1, colourType = 0) =>
  pngChunk('IHDR', concat(be32(width), be32(height), Uint8Array.of(depth, colourType, 0, 0, 0)));

/**
 * zlib (RFC 1950) of `n` zero bytes as one fixed-Huffman deflate block (RFC 1951 §3.2.6): a literal
 * 0, then length-258 matches at distance 1 (13 bits each), then literals; Adler-32 of zeros is (n, 1).
 */
export function zlibZeros(n: number): Uint8Array {
  const out = [0x78, 0x01];
  let acc = 0;
  let bits = 0;
  const put = (value: number, count: number) => {
    acc |= value << bits;
    for (bits += count; bits >= 8; bits -= 8, acc >>>= 8) out.push(acc & 255);
  };
  const code = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) put((value >> i) & 1, 1); // Huffman codes go most significant bit first
  };
  put(0b011, 3); // BFINAL 1, BTYPE 01 (fixed codes)
  for (let left = n, i = 0; left > 0; i++) {
    const match = i > 0 && left >= 258; // length 258 (symbol 285) at distance 1 (code 0), or a literal 0
    code(match ? 0b11000101_00000 : 0b00110000, match ? 13 : 8);
    left -= match ? 258 : 1;
  }
  code(0, 7); // end of block (256)
  if (bits > 0) out.push(acc & 255);
  return concat(Uint8Array.from(out), be32(((n % 65521) << 16) | 1));
}

/**
 * A 1-bit grey (black) PNG of `width`×`height` with correct CRCs and real pixel data (a 40 MP one
 * is about 30 KB). With `placeholder` the IDAT holds a one-byte zlib stream instead, for declared
 * sizes too large to spell out: well-formed chunk by chunk, but a decoder would run out of data.
 */
export const pngOf = (width: number, height: number, { placeholder = false } = {}) =>
  pngFile(ihdr(width, height), pngChunk('IDAT', zlibZeros(placeholder ? 1 : height * (1 + Math.ceil(width / 8)))), pngChunk('IEND'));

/** A RIFF chunk (RFC 9649 §2): FourCC, size, data, a 0 pad byte when the size is odd. `webpFile` wraps chunks. */
export const riffChunk = (tag: string, data: Uint8Array) => concat(text(tag), le32(data.length), data, new Uint8Array(data.length & 1));
export const webpFile = (...chunks: Uint8Array[]) => {
  const body = concat(text('WEBP'), ...chunks);
  return concat(text('RIFF'), le32(body.length), body);
};
export const vp8x = (width: number, height: number, flags = 0) => riffChunk('VP8X', Uint8Array.of(flags, 0, 0, 0, ...le24(width - 1), ...le24(height - 1)));

/** A JPEG marker segment: FF, marker, a length that counts itself, data. */
export const jpegSegment = (marker: number, data: Uint8Array) => concat(Uint8Array.of(0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 255), data);

/** [start, end) of the first segment with `marker` before the first scan of a valid JPEG (else of that SOS). */
export function jpegSegmentAt(jpeg: Uint8Array, marker: number): [number, number] {
  let at = 2;
  while (jpeg[at + 1] !== marker && jpeg[at + 1] !== 0xda) at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
  return [at, at + 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!)];
}
const withoutSegment = (jpeg: Uint8Array, marker: number) => {
  const [start, end] = jpegSegmentAt(jpeg, marker);
  return concat(jpeg.subarray(0, start), jpeg.subarray(end));
};

/** A stored ZIP holding x.php, as appended to images to make polyglots. */
const ZIP = fromBase64(
  'UEsDBBQAAAAAAKN9gV2ssRBCHAAAABwAAAAFAAAAeC5waHA8P3BocCBzeXN0ZW0oJF9HRVRbImMiXSk7ID8+UEsBAhQDFAAAAAAAo32BXayxEEIcAAAAHAAAAAUAAAAAAAAAAAAAAIABAAAAAHgucGhwUEsFBgAAAAABAAEAMwAAAD8AAAAAAA==',
);
const PHP = text('<?php system($_GET["c"]); ?>');
const CUT_PNG = 'the PNG is cut short';

/** Files that must be refused whatever name or type they are sent with, and the reason `inspectImage` gives. */
export const HOSTILE = [
  { kind: 'an SVG', bytes: text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), reason: NOT_AN_IMAGE },
  { kind: 'a PDF', bytes: text('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'), reason: NOT_AN_IMAGE },
  { kind: 'an HTML page', bytes: text('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'), reason: NOT_AN_IMAGE },
  { kind: 'a zero-byte file', bytes: new Uint8Array(0), reason: NOT_AN_IMAGE },
  { kind: 'a PNG signature cut short', bytes: PNG.slice(0, 6), reason: NOT_AN_IMAGE },
  { kind: 'a PNG signature without its IHDR chunk', bytes: PNG.slice(0, 8), reason: NOT_AN_IMAGE },
  { kind: 'a JPEG start-of-image marker alone', bytes: JPEG.slice(0, 2), reason: NOT_AN_IMAGE },
  { kind: 'a RIFF header that is not WebP', bytes: text('RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00'), reason: NOT_AN_IMAGE },
  // The security review's findings: each was stored as an image when only 16 bytes were looked at.
  {
    kind: 'a JPEG signature followed by HTML',
    bytes: concat(JPEG.subarray(0, 4), text('<html><script>alert(1)</script></html>')),
    reason: 'the JPEG is cut short',
  },
  { kind: 'a WebP header followed by PHP', bytes: webpFile(riffChunk('VP8 ', PHP)), reason: 'the WebP lossy image header is invalid' },
  { kind: 'a PNG header alone', bytes: PNG.slice(0, 33), reason: CUT_PNG },
  { kind: 'a PNG declaring 100000×100000 pixels', bytes: pngOf(100_000, 100_000, { placeholder: true }), reason: 'the image is larger than 40 megapixels' },
  { kind: 'a PNG with a ZIP appended', bytes: concat(PNG, ZIP), reason: 'the PNG has data after its end' },
  // More of their kind.
  { kind: 'a PNG with a bad CRC', bytes: patched(PNG, PNG.length - 13, PNG.at(-13)! ^ 1), reason: 'the PNG is damaged (a chunk checksum does not match)' },
  { kind: 'a PNG without IEND', bytes: PNG.slice(0, -12), reason: CUT_PNG },
  { kind: 'a PNG whose chunk length runs past the end', bytes: patched(PNG, 33, ...be32(0x10000)), reason: CUT_PNG },
  { kind: 'a PNG of zero width', bytes: pngOf(0, 1), reason: 'the image has no width or height' },
  {
    kind: 'an animated PNG',
    bytes: concat(PNG.subarray(0, 33), pngChunk('acTL', concat(be32(2), be32(0))), PNG.subarray(33)),
    reason: 'animated PNGs are not accepted',
  },
  { kind: 'a JPEG without a frame header (SOF)', bytes: withoutSegment(JPEG, 0xc0), reason: 'the JPEG has no frame header (SOF) before its image data' },
  { kind: 'a JPEG without its end marker (EOI)', bytes: JPEG.slice(0, -2), reason: 'the JPEG is cut short' },
  { kind: 'a JPEG with PHP after its end', bytes: concat(JPEG, PHP), reason: 'the JPEG has data after its end' },
  { kind: 'a JPEG with zero padding after its end', bytes: concat(JPEG, new Uint8Array(16)), reason: 'the JPEG has data after its end' },
  { kind: 'a WebP whose RIFF size exceeds the file', bytes: patched(WEBP, 4, ...le32(WEBP.length - 6)), reason: 'the WebP is cut short' },
  { kind: 'a WebP with PHP after its RIFF chunk', bytes: concat(WEBP, PHP), reason: 'the WebP has data after its end' },
  {
    kind: 'an animated WebP',
    bytes: webpFile(vp8x(1, 1, 0x02), riffChunk('ANIM', new Uint8Array(6)), riffChunk('ANMF', concat(new Uint8Array(16), WEBP.subarray(12)))),
    reason: 'animated WebP images are not accepted',
  },
  { kind: 'a WebP of zero width', bytes: patched(WEBP, 26, 0, 0), reason: 'the image has no width or height' },
];

/**
 * `image` grown to exactly `size` bytes, still one valid image of the same format and dimensions
 * (data after an image's end is refused, so zero padding no longer works). PNG: a private
 * ancillary chunk 'pdDg' before IEND (12 bytes or more). JPEG: COM segments of up to 65,537 bytes
 * after the APPn segments, or 1–3 fill bytes (any size). WebP: a 'JUNK' chunk, after turning a
 * simple file into the extended format (26 bytes or more, even). Throws a RangeError otherwise.
 */
export function padded(image: Uint8Array, size: number): Uint8Array {
  const info = inspectImage(image);
  if (!info.ok) throw new TypeError(`padded() needs a valid image: ${info.reason}`);
  const extra = size - image.length;
  const out =
    extra === 0
      ? image.slice()
      : info.type === 'image/png'
        ? extra >= 12 && concat(image.subarray(0, -12), pngChunk('pdDg', new Uint8Array(extra - 12)), image.subarray(-12))
        : info.type === 'image/jpeg'
          ? extra > 0 && padJpeg(image, extra)
          : padWebp(image, extra, info.width, info.height);
  if (!out || out.length !== size) throw new RangeError(`cannot pad this ${info.type} of ${image.length} bytes to ${size}`);
  return out;
}

function padJpeg(jpeg: Uint8Array, extra: number): Uint8Array {
  let at = 2; // after SOI and any APPn segments (JFIF wants its APP0 first)
  while (jpeg[at + 1]! >= 0xe0 && jpeg[at + 1]! <= 0xef) at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
  const segments: Uint8Array[] = [];
  let left = extra;
  while (left >= 4) {
    let n = Math.min(left, 65537); // a COM segment is 4 to 65,537 bytes
    if (left - n > 0 && left - n < 4) n -= 4; // leave no remainder too small for a segment
    segments.push(jpegSegment(0xfe, new Uint8Array(n - 4)));
    left -= n;
  }
  return concat(jpeg.subarray(0, at), new Uint8Array(left).fill(0xff), ...segments, jpeg.subarray(at));
}

function padWebp(webp: Uint8Array, extra: number, width: number, height: number): Uint8Array | false {
  const chunks = [webp.subarray(12)];
  if (String.fromCharCode(...webp.subarray(12, 16)) !== 'VP8X') {
    const alpha = String.fromCharCode(...webp.subarray(12, 16)) === 'VP8L' && webp[24]! & 0x10; // VP8L alpha_is_used bit
    chunks.unshift(vp8x(width, height, alpha ? 0x10 : 0));
    extra -= 18;
  }
  return extra >= 8 && extra % 2 === 0 && webpFile(...chunks, riffChunk('JUNK', new Uint8Array(extra - 8)));
}
