import { type Checked, refuse, sized, u16be } from './bytes';

/**
 * JPEG structure check, after ITU-T T.81 | ISO/IEC 10918-1 Annex B (JFIF, ITU-T T.871, only adds
 * an APP0 segment, so it is not required: Exif files start with APP1):
 * - B.1.1.2/B.1.1.4: the file is SOI, then marker segments (`FF xx`, a 2-byte length counting
 *   itself), each marker optionally preceded by `FF` fill bytes, and ends with EOI.
 * - B.2.2 a frame header (SOF0 baseline, SOF1 extended, SOF2 progressive: the Huffman processes
 *   every browser decodes; 8-bit samples, 1–4 components) must precede the first scan. Lossless,
 *   hierarchical and arithmetic-coded JPEGs are refused, and so are a second frame and DNL.
 * - B.2.3 each scan header (SOS) names frame components and tables already defined (B.2.4.1 DQT,
 *   B.2.4.2 DHT; B.2.4.4 DRI); B.1.1.5 its entropy-coded data runs to the next marker that is not an RSTn or
 *   a stuffed `FF 00`. Further tables and scans may follow (progressive, multi-scan) until EOI.
 * Nothing may follow EOI, not even zero padding: a decoder stops there, so trailing bytes (a
 * second file, a script, a Motion Photo video) would be stored without being an image.
 */

const [DHT, SOI, EOI, SOS, DQT, DRI, COM] = [0xc4, 0xd8, 0xd9, 0xda, 0xdb, 0xdd, 0xfe];
const CUT = 'the JPEG is cut short';
const FRAME = 'the JPEG frame header (SOF) is invalid';
const SCAN = 'the JPEG scan header (SOS) is invalid';
const TABLE = 'the JPEG has an invalid table';

type Frame = { width: number; height: number; marker: number; ids: number[]; quant: number[] };

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== DHT && m !== 0xc8 && m !== 0xcc;
const isRst = (m: number) => m >= 0xd0 && m <= 0xd7;

/** B.2.2: P, Y, X, Nf, then Nf × (Ci, Hi|Vi, Tqi); Lf = 8 + 3 × Nf. */
function frame(b: Uint8Array, at: number, end: number, marker: number): Frame | string {
  if (marker > 0xc2) return 'the JPEG uses an unsupported compression (lossless, hierarchical or arithmetic coding)';
  const count = end - at >= 6 ? b[at + 5]! : 0;
  if (count < 1 || count > 4 || end - at !== 6 + 3 * count) return FRAME;
  if (b[at] !== 8) return 'the JPEG uses an unsupported sample precision (only 8-bit is accepted)';
  const f: Frame = { height: u16be(b, at + 1), width: u16be(b, at + 3), marker, ids: [], quant: [] };
  for (let c = at + 6; c < end; c += 3) {
    const h = b[c + 1]! >> 4;
    const v = b[c + 1]! & 15;
    if (f.ids.includes(b[c]!) || h < 1 || h > 4 || v < 1 || v > 4 || b[c + 2]! > 3) return FRAME;
    f.ids.push(b[c]!);
    f.quant.push(b[c + 2]!);
  }
  return f;
}

/** B.2.4.1: one or more (Pq|Tq, 64 values of 8 or 16 bits, none zero). Returns the tables defined as a bit mask. */
function quantTables(b: Uint8Array, at: number, end: number): number {
  let defined = 0;
  while (at < end) {
    const wide = b[at]! >> 4;
    const size = 64 << wide;
    if (wide > 1 || (b[at]! & 15) > 3 || at + 1 + size > end) return -1;
    for (let k = at + 1; k < at + 1 + size; k += 1 + wide) if (b[k] === 0 && (!wide || b[k + 1] === 0)) return -1;
    defined |= 1 << (b[at]! & 15);
    at += 1 + size;
  }
  return defined || -1;
}

/**
 * B.2.4.2: one or more (Tc|Th, 16 code counts, the values). The counts must describe a prefix code
 * that leaves the all-ones code unused (Annex C; the check libjpeg makes). Bit mask: DC n → bit n, AC n → bit 4 + n.
 */
function huffmanTables(b: Uint8Array, at: number, end: number): number {
  let defined = 0;
  while (at < end) {
    const tableClass = b[at]! >> 4;
    const id = b[at]! & 15;
    if (tableClass > 1 || id > 3 || at + 17 > end) return -1;
    let total = 0;
    let code = 0;
    for (let length = 1; length <= 16; length++) {
      const n = b[at + length]!;
      total += n;
      code += n;
      if (n && code >= 1 << length) return -1;
      code <<= 1;
    }
    if (total > 256 || at + 17 + total > end) return -1;
    defined |= 1 << (tableClass * 4 + id);
    at += 17 + total;
  }
  return defined || -1;
}

/** B.2.3: Ns, Ns × (Cs, Td|Ta), Ss, Se, Ah|Al; Ls = 6 + 2 × Ns. Progressive scans as Annex G limits them. */
function scan(b: Uint8Array, at: number, end: number, f: Frame, huffman: number, quant: number): string | null {
  const count = end > at ? b[at]! : 0;
  if (count < 1 || count > 4 || end - at !== 4 + 2 * count) return SCAN;
  const ss = b[end - 3]!;
  const se = b[end - 2]!;
  const a = b[end - 1]!; // Ah|Al
  const progressive = f.marker === 0xc2;
  const valid = progressive
    ? ss <= se && se <= 63 && (ss === 0) === (se === 0) && (ss === 0 || count === 1) && a >> 4 <= 13 && (a & 15) <= 13
    : ss === 0 && se === 63 && a === 0;
  if (!valid) return SCAN;
  const needsDc = ss === 0 && a >> 4 === 0;
  const needsAc = !progressive || ss > 0;
  let seen = 0; // the frame components (by index) this scan has named
  for (let c = at + 1; c < end - 3; c += 2) {
    const index = f.ids.indexOf(b[c]!);
    const dc = b[c + 1]! >> 4;
    const ac = b[c + 1]! & 15;
    if (index < 0 || seen & (1 << index) || dc > 3 || ac > 3) return SCAN;
    if (f.marker === 0xc0 && (dc > 1 || ac > 1)) return SCAN; // baseline: two tables of each class
    if ((needsDc && !(huffman & (1 << dc))) || (needsAc && !(huffman & (1 << (4 + ac))))) return 'the JPEG uses a Huffman table it does not define';
    if (!(quant & (1 << f.quant[index]!))) return 'the JPEG uses a quantization table it does not define';
    seen |= 1 << index;
  }
  return null;
}

/**
 * B.1.1.5: the entropy-coded data from `at` to the offset of the next real marker, or -1 if the
 * file ends first. `indexOf` finds the rare `FF` fast; a few bytes are looked at one by one first,
 * so data dense with `FF 00` does not cost a call per pair.
 */
function entropyEnd(b: Uint8Array, at: number): number {
  for (;;) {
    let ff = at;
    const near = Math.min(at + 16, b.length);
    while (ff < near && b[ff] !== 0xff) ff++;
    if (ff === near) ff = b.indexOf(0xff, near);
    if (ff < 0) return -1;
    let next = ff + 1;
    while (next < b.length && b[next] === 0xff) next++; // fill bytes
    if (next >= b.length) return -1;
    if (b[next] !== 0x00 && !isRst(b[next]!)) return ff;
    at = next + 1;
  }
}

/** Walks a file that starts with SOI (`FF D8`); see the module comment. */
export function inspectJpeg(b: Uint8Array, maxPixels: number): Checked {
  let pos = 2;
  let f: Frame | undefined;
  let huffman = 0;
  let quant = 0;
  let scans = 0;
  for (;;) {
    if (pos >= b.length) return refuse(CUT);
    if (b[pos] !== 0xff) return refuse('the JPEG has data where a marker should be');
    while (pos < b.length && b[pos] === 0xff) pos++;
    if (pos >= b.length) return refuse(CUT);
    const marker = b[pos++]!;
    if (marker === EOI) {
      if (!scans || !f) return refuse('the JPEG has no image data');
      if (pos !== b.length) return refuse('the JPEG has data after its end');
      return { ok: true, width: f.width, height: f.height };
    }
    if (marker === 0x00 || marker === 0x01 || isRst(marker) || marker === SOI) return refuse('the JPEG has a marker out of place');
    if (pos + 2 > b.length) return refuse(CUT);
    const end = pos + u16be(b, pos);
    const at = pos + 2;
    if (end < at) return refuse('the JPEG has an invalid segment length');
    if (end > b.length) return refuse(CUT);
    pos = end;
    if (isSof(marker)) {
      if (f) return refuse('the JPEG has more than one frame');
      const parsed = frame(b, at, end, marker);
      if (typeof parsed === 'string') return refuse(parsed);
      const size = sized(parsed.width, parsed.height, maxPixels);
      if (!size.ok) return size;
      f = parsed;
    } else if (marker === DHT || marker === DQT) {
      const defined = marker === DHT ? huffmanTables(b, at, end) : quantTables(b, at, end);
      if (defined < 0) return refuse(TABLE);
      if (marker === DHT) huffman |= defined;
      else quant |= defined;
    } else if (marker === DRI) {
      if (end - at !== 2) return refuse(TABLE);
    } else if (marker === SOS) {
      if (!f) return refuse('the JPEG has no frame header (SOF) before its image data');
      const problem = scan(b, at, end, f, huffman, quant);
      if (problem) return refuse(problem);
      pos = entropyEnd(b, pos);
      if (pos < 0) return refuse(CUT);
      scans++;
    } else if ((marker < 0xe0 || marker > 0xef) && marker !== COM) {
      return refuse('the JPEG has an unsupported marker');
    }
  }
}
