import { type Checked, fourcc, refuse, sized, u32be } from './bytes';

/**
 * PNG structure check, after the PNG specification (W3C, 3rd edition; ISO/IEC 15948):
 * §5.2 the signature; §5.3 every chunk is length (≤ 2^31 − 1), type, data, CRC-32 of type and data;
 * §5.4 a type is four ASCII letters, bit 5 of the first says ancillary, of the third must be 0;
 * §5.6 ordering: IHDR first, PLTE at most once and before the first IDAT, the IDATs consecutive,
 * IEND last; §11.2 the critical chunks (IHDR fields, Table 11.1 colour type × bit depth, PLTE).
 * A decoder stops at IEND, so anything after it (a ZIP, a script) rides along unseen: refused.
 * The pixels are not inflated; the zlib header of the IDAT stream (RFC 1950 §2.2) is checked.
 */

const [IHDR, PLTE, IDAT, IEND] = ['IHDR', 'PLTE', 'IDAT', 'IEND'].map(fourcc);
/** APNG's chunks (3rd edition, "animation information"): a profile photo is one still picture, so animation is refused. */
const ANIMATION = new Set(['acTL', 'fcTL', 'fdAT'].map(fourcc));
/** Table 11.1: the bit depths allowed for each colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA). */
const DEPTHS: Readonly<Record<number, readonly number[]>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

const CUT = 'the PNG is cut short';
const ORDER = 'the PNG has its chunks in the wrong order';
const PALETTE = 'the PNG palette is invalid';

let crcTables: Uint32Array | undefined;

/**
 * CRC-32 as PNG §5.5 (and zlib, ZIP) define it: polynomial 0xEDB88320, reflected, over
 * `bytes[from, to)`. Four bytes a step ("slicing by 4", four 256-entry tables, 4 KiB): a 5 MiB
 * file is checked in a few milliseconds.
 */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  crcTables ??= makeTables();
  const t = crcTables;
  let c = 0xffffffff;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[c >>> 24]!;
  }
  for (; i < to; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function makeTables(): Uint32Array {
  const t = new Uint32Array(1024);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 256; n < 1024; n++) t[n] = (t[n - 256]! >>> 8) ^ t[t[n - 256]! & 0xff]!;
  return t;
}

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

type Header = { width: number; height: number; colourType: number; depth: number };

/** §11.2 IHDR: width, height (at most 2^31 − 1), bit depth × colour type, methods 0 (interlace 0 or 1). */
function header(b: Uint8Array, at: number): Header | null {
  const width = u32be(b, at);
  const height = u32be(b, at + 4);
  const [depth = 0, colourType = 0, compression, filter, interlace = 2] = b.subarray(at + 8, at + 13);
  const valid = width <= 0x7fffffff && height <= 0x7fffffff && DEPTHS[colourType]?.includes(depth) && compression === 0 && filter === 0 && interlace <= 1;
  return valid ? { width, height, colourType, depth } : null;
}

/** RFC 1950 §2.2: CM 8 (deflate), a window of at most 32 KiB, FCHECK, and no preset dictionary (PNG defines none). */
const zlibHeader = (cmf: number, flg: number) => (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0 && (flg & 0x20) === 0;

/** Walks every chunk of a file that starts with the PNG signature; see the module comment. */
export function inspectPng(b: Uint8Array, maxPixels: number): Checked {
  let pos = 8;
  let ihdr: Header | null = null;
  let palette = false;
  let idat: 'none' | 'open' | 'closed' = 'none';
  const zlib: number[] = []; // the first two bytes of the concatenated IDAT data
  for (;;) {
    if (pos + 12 > b.length) return refuse(CUT);
    const length = u32be(b, pos);
    if (length > 0x7fffffff) return refuse('the PNG has an invalid chunk length');
    const data = pos + 8;
    const end = data + length;
    if (end + 4 > b.length) return refuse(CUT);
    const type = u32be(b, pos + 4);
    const validName = isLetter(b[pos + 4]!) && isLetter(b[pos + 5]!) && isLetter(b[pos + 6]!) && isLetter(b[pos + 7]!) && !(b[pos + 6]! & 0x20);
    if (!validName) return refuse('the PNG has a chunk with an invalid name');
    if (crc32(b, pos + 4, end) !== u32be(b, end)) return refuse('the PNG is damaged (a chunk checksum does not match)');
    pos = end + 4;

    if (!ihdr) {
      if (type !== IHDR || length !== 13) return refuse('the PNG does not start with its header (IHDR)');
      ihdr = header(b, data);
      if (!ihdr) return refuse('the PNG header (IHDR) is invalid');
      const size = sized(ihdr.width, ihdr.height, maxPixels);
      if (!size.ok) return size;
      continue;
    }
    if (type === IHDR) return refuse(ORDER);
    if (type === PLTE) {
      // §11.2 PLTE: 1–256 RGB entries, no more than the bit depth can index; not for grey images.
      const entries = length / 3;
      if (palette || idat !== 'none') return refuse(ORDER);
      if (!Number.isInteger(entries) || entries < 1 || entries > 256 || ihdr.colourType === 0 || ihdr.colourType === 4) return refuse(PALETTE);
      if (ihdr.colourType === 3 && entries > 1 << ihdr.depth) return refuse(PALETTE);
      palette = true;
    } else if (type === IDAT) {
      if (idat === 'closed') return refuse(ORDER);
      if (ihdr.colourType === 3 && !palette) return refuse(PALETTE);
      idat = 'open';
      for (let i = data; i < end && zlib.length < 2; i++) zlib.push(b[i]!);
    } else if (type === IEND) {
      if (idat === 'none') return refuse('the PNG has no image data');
      if (length !== 0) return refuse('the PNG end chunk (IEND) is invalid');
      if (zlib.length < 2 || !zlibHeader(zlib[0]!, zlib[1]!)) return refuse('the PNG image data is not a zlib stream');
      if (pos !== b.length) return refuse('the PNG has data after its end');
      return { ok: true, width: ihdr.width, height: ihdr.height };
    } else {
      if (ANIMATION.has(type)) return refuse('animated PNGs are not accepted');
      // §5.4: a critical chunk the decoder does not know means an image it cannot safely show; ancillary ones are skipped.
      if (!(type & 0x20000000)) return refuse('the PNG has an unknown critical chunk');
      if (idat === 'open') idat = 'closed';
    }
  }
}
