import { type Checked, fourcc, refuse, sized, u16le, u24le, u32be, u32le } from './bytes';

/**
 * WebP structure check, after the WebP container specification (RFC 9649 §2, also at
 * developers.google.com/speed/webp/docs/riff_container):
 * - 'RIFF', File Size, 'WEBP', then chunks: FourCC, uint32 size, payload, and a pad byte (0) when
 *   the size is odd, so every chunk and the whole file have an even length. File Size counts the
 *   file from offset 8 and must equal it exactly: more is a cut-short file, less hides data after
 *   the RIFF chunk (which "SHOULD NOT contain anything after it"; decoders ignore it, we refuse it).
 * - Simple format: the one chunk is 'VP8 ' (lossy) or 'VP8L' (lossless), and nothing else.
 * - Extended format: 'VP8X' (flags, canvas width − 1 and height − 1 as uint24), then every chunk
 *   walked by its size: at most one ICCP first, at most one ALPH before a 'VP8 ', exactly one image
 *   chunk whose size is the canvas size; EXIF, XMP and unknown chunks are skipped as readers do.
 *   Animation (the VP8X flag, ANIM, ANMF) is refused: a profile photo is one still picture, and
 *   a later frame could show something other than what the first frame (a thumbnail) shows.
 * - 'VP8 ' (RFC 6386 §9.1): a shown key frame of version 0–3 whose first partition fits in the
 *   chunk, start code 9D 01 2A, 14-bit width and height (the top two bits are a scaling hint).
 * - 'VP8L' (RFC 9649 §3, the lossless header): signature 0x2F, 14-bit width − 1 and height − 1,
 *   an alpha hint bit and a 3-bit version that must be 0.
 */

const [VP8, VP8L, VP8X, ALPH, ICCP, ANIM, ANMF] = ['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ICCP', 'ANIM', 'ANMF'].map(fourcc);
const ANIMATED = 'animated WebP images are not accepted';
const ORDER = 'the WebP has its chunks in the wrong order';
const PAST_END = 'the WebP has a chunk that runs past its end';

type Chunk = { tag: number; at: number; size: number; next: number };
type Size = { width: number; height: number };

/** The chunk at `pos`: its tag, where its payload starts, its size and where the next chunk starts. */
function chunk(b: Uint8Array, pos: number): Chunk | string {
  if (pos + 8 > b.length) return PAST_END;
  const size = u32le(b, pos + 4);
  const at = pos + 8;
  const next = at + size + (size & 1);
  if (next > b.length) return PAST_END;
  if (size & 1 && b[next - 1] !== 0) return 'the WebP has an invalid chunk padding byte';
  for (let i = pos; i < pos + 4; i++) if (b[i]! < 0x20 || b[i]! > 0x7e) return 'the WebP has a chunk with an invalid name';
  return { tag: u32be(b, pos), at, size, next };
}

function lossy(b: Uint8Array, c: Chunk): Size | string {
  const invalid = 'the WebP lossy image header is invalid';
  if (c.size < 10) return invalid;
  const tag = u24le(b, c.at);
  const keyFrame = (tag & 1) === 0 && ((tag >> 1) & 7) <= 3 && (tag >> 4) & 1;
  if (!keyFrame || 10 + (tag >> 5) > c.size) return invalid;
  if (b[c.at + 3] !== 0x9d || b[c.at + 4] !== 0x01 || b[c.at + 5] !== 0x2a) return invalid;
  return { width: u16le(b, c.at + 6) & 0x3fff, height: u16le(b, c.at + 8) & 0x3fff };
}

function lossless(b: Uint8Array, c: Chunk): Size | string {
  const invalid = 'the WebP lossless image header is invalid';
  if (c.size < 5 || b[c.at] !== 0x2f) return invalid;
  const bits = u32le(b, c.at + 1);
  if (bits >>> 29 !== 0) return invalid;
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}

const bitstream = (b: Uint8Array, c: Chunk) => (c.tag === VP8 ? lossy(b, c) : lossless(b, c));

/** RFC 9649 §2.7: the VP8X header, then the chunks it announces, in order. */
function extended(b: Uint8Array, header: Chunk, maxPixels: number): Checked {
  if (header.size !== 10) return refuse('the WebP extended header (VP8X) is invalid');
  if (b[header.at]! & 0x02) return refuse(ANIMATED);
  const canvas = sized(u24le(b, header.at + 4) + 1, u24le(b, header.at + 7) + 1, maxPixels);
  if (!canvas.ok) return canvas;
  let image: Size | undefined;
  let alpha = false;
  let icc = false;
  for (let pos = header.next; pos < b.length; ) {
    const c = chunk(b, pos);
    if (typeof c === 'string') return refuse(c);
    pos = c.next;
    if (c.tag === ANIM || c.tag === ANMF) return refuse(ANIMATED);
    if (c.tag === VP8X) return refuse(ORDER);
    if (c.tag === ICCP) {
      if (icc || alpha || image) return refuse(ORDER);
      icc = true;
    } else if (c.tag === ALPH) {
      if (alpha || image) return refuse(ORDER);
      // Compression method, the low two bits: 0 raw, 1 lossless; nothing else is defined.
      if (c.size < 1 || (b[c.at]! & 3) > 1) return refuse('the WebP transparency (ALPH) chunk is invalid');
      alpha = true;
    } else if (c.tag === VP8 || c.tag === VP8L) {
      if (image) return refuse('the WebP has more than one image');
      if (alpha && c.tag === VP8L) return refuse(ORDER); // VP8L carries its own alpha
      const size = bitstream(b, c);
      if (typeof size === 'string') return refuse(size);
      image = size;
    }
  }
  if (!image) return refuse('the WebP has no image data');
  if (image.width !== canvas.width || image.height !== canvas.height) return refuse('the WebP canvas size does not match its image');
  return canvas;
}

/** Checks a file that starts with 'RIFF', a size, 'WEBP' and a 'VP8 ', 'VP8L' or 'VP8X' chunk; see the module comment. */
export function inspectWebp(b: Uint8Array, maxPixels: number): Checked {
  const declared = b.length >= 8 ? u32le(b, 4) + 8 : Number.POSITIVE_INFINITY;
  if (declared > b.length) return refuse('the WebP is cut short');
  if (declared < b.length) return refuse('the WebP has data after its end');
  if (declared & 1) return refuse('the WebP has an odd length, which RIFF does not allow');
  const first = chunk(b, 12);
  if (typeof first === 'string') return refuse(first);
  if (first.tag === VP8X) return extended(b, first, maxPixels);
  if (first.tag !== VP8 && first.tag !== VP8L) return refuse('the WebP has no image data');
  const size = bitstream(b, first);
  if (typeof size === 'string') return refuse(size);
  if (first.next !== b.length) return refuse('the WebP has chunks a simple WebP may not have (only the extended format allows them)');
  return sized(size.width, size.height, maxPixels);
}
