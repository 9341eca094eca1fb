import { describe, expect, it } from 'vitest';
import { inspectImage, MAX_IMAGE_PIXELS, NOT_AN_IMAGE, SNIFF_BYTES, sniffImageType } from '../../src/lib/image-type';
import {
  concat,
  HOSTILE,
  IMAGES,
  ihdr,
  JPEG,
  jpegSegment,
  jpegSegmentAt,
  PNG,
  padded,
  patched,
  pngChunk,
  pngFile,
  pngOf,
  riffChunk,
  VARIANTS,
  vp8x,
  WEBP,
  webpFile,
  zlibZeros,
} from '../helpers/images';

const reasonFor = (bytes: Uint8Array, maxPixels?: number) => {
  const result = inspectImage(bytes, { maxPixels });
  return result.ok ? 'accepted' : result.reason;
};
const splice = (bytes: Uint8Array, start: number, end: number, ...insert: Uint8Array[]) => concat(bytes.subarray(0, start), ...insert, bytes.subarray(end));
const cases = (list: [string, Uint8Array, string][]) => {
  for (const [name, bytes, reason] of list) it(`${name}: ${reason}`, () => expect(reasonFor(bytes)).toBe(reason));
};
const ALL = [...IMAGES, ...VARIANTS];

describe('sniffImageType, the first look at 16 bytes', () => {
  for (const { format, bytes, type } of IMAGES)
    it(`recognises ${format} from its first ${SNIFF_BYTES} bytes`, () => expect(sniffImageType(bytes.slice(0, SNIFF_BYTES))).toBe(type));
  for (const { kind, bytes } of HOSTILE.filter((h) => h.reason === NOT_AN_IMAGE))
    it(`refuses ${kind}`, () => expect(sniffImageType(bytes.slice(0, SNIFF_BYTES))).toBeNull());
  it('is fooled by an image header in front of anything, which is why inspectImage reads the whole file', () => {
    expect(sniffImageType(HOSTILE.find((h) => h.kind === 'a JPEG signature followed by HTML')!.bytes)).toBe('image/jpeg');
  });
  it('accepts the other WebP chunk kinds (lossless VP8L, extended VP8X)', () => {
    for (const chunk of ['VP8L', 'VP8X']) expect(sniffImageType(concat(WEBP.slice(0, 12), new TextEncoder().encode(chunk)))).toBe('image/webp');
  });
  it('refuses a JPEG whose first marker is not a marker, a PNG whose first chunk is not IHDR, bytes not at the start', () => {
    expect(sniffImageType(Uint8Array.of(0xff, 0xd8, 0xff, 0x00, 0x10))).toBeNull();
    expect(sniffImageType(patched(PNG, 12, 0x49, 0x44, 0x41, 0x54))).toBeNull();
    expect(sniffImageType(Uint8Array.of(0x20, ...PNG.slice(0, SNIFF_BYTES - 1)))).toBeNull();
  });
});

describe('inspectImage', () => {
  for (const { format, bytes, type, width, height } of ALL) {
    it(`accepts ${format} as ${type}, ${width}×${height}`, () => expect(inspectImage(bytes)).toEqual({ ok: true, type, width, height }));
  }
  for (const { kind, bytes, reason } of HOSTILE) it(`refuses ${kind}: ${reason}`, () => expect(reasonFor(bytes)).toBe(reason));

  it('throws only for a maxPixels that is not a positive integer', () => {
    for (const maxPixels of [0, -1, 1.5, Number.NaN]) expect(() => inspectImage(PNG, { maxPixels })).toThrow(RangeError);
  });
});

describe('padded(), a valid image of exactly the size asked', () => {
  for (const { format, bytes, type, width, height } of ALL) {
    it(`pads ${format} to 2 KiB and 1 MiB`, () => {
      for (const size of [2048, 1024 * 1024]) {
        const out = padded(bytes, size);
        expect([out.length, inspectImage(out)]).toEqual([size, { ok: true, type, width, height }]);
      }
    });
  }
  it('pads a JPEG by any number of bytes, a PNG by 12 or more, a WebP by an even 26 or more', () => {
    for (let extra = 0; extra <= 70; extra++) expect(reasonFor(padded(JPEG, JPEG.length + extra))).toBe('accepted');
    for (const extra of [0, 12, 13, 70_000]) expect(reasonFor(padded(PNG, PNG.length + extra))).toBe('accepted');
    for (const extra of [0, 26, 28, 70_000]) expect(reasonFor(padded(WEBP, WEBP.length + extra))).toBe('accepted');
    for (const [image, extra] of [
      [PNG, 11],
      [WEBP, 24],
      [WEBP, 27],
      [JPEG, -1],
    ] as const)
      expect(() => padded(image, image.length + extra)).toThrow(RangeError);
    expect(() => padded(JPEG.slice(0, -2), 1024)).toThrow(TypeError);
  });
});

describe('dimensions', () => {
  it(`accepts exactly ${MAX_IMAGE_PIXELS} pixels and refuses one more`, () => {
    expect(inspectImage(pngOf(8000, 5000))).toEqual({ ok: true, type: 'image/png', width: 8000, height: 5000 });
    expect(reasonFor(pngOf(40_000_001, 1))).toBe('the image is larger than 40 megapixels');
    expect(reasonFor(pngOf(8001, 5000))).toBe('the image is larger than 40 megapixels');
  });
  it('applies a lower maxPixels to every format, at the exact boundary', () => {
    for (const { format, bytes } of VARIANTS)
      expect([format, reasonFor(bytes, 6), reasonFor(bytes, 5)]).toEqual([format, 'accepted', 'the image is larger than 5 pixels']);
  });
  it('refuses a zero width or height in every format', () => {
    const [sof] = jpegSegmentAt(JPEG, 0xc0);
    for (const bytes of [pngOf(1, 0), patched(JPEG, sof + 5, 0, 0), patched(JPEG, sof + 7, 0, 0), patched(WEBP, 28, 0, 0)]) {
      expect(reasonFor(bytes)).toBe('the image has no width or height');
    }
  });
});

describe('PNG structure', () => {
  const idat = pngChunk('IDAT', zlibZeros(2));
  const [head, end] = [ihdr(1, 1), pngChunk('IEND')];
  const palette = (length: number) => pngChunk('PLTE', new Uint8Array(length));
  cases([
    ['an IHDR of 14 bytes', pngFile(pngChunk('IHDR', new Uint8Array(14)), idat, end), 'the PNG does not start with its header (IHDR)'],
    ['bit depth 3', pngFile(ihdr(1, 1, 3, 0), idat, end), 'the PNG header (IHDR) is invalid'],
    ['a 16-bit palette', pngFile(ihdr(1, 1, 16, 3), palette(3), idat, end), 'the PNG header (IHDR) is invalid'],
    ['a 4-bit RGB image', pngFile(ihdr(1, 1, 4, 2), idat, end), 'the PNG header (IHDR) is invalid'],
    ['a width of 2^31', pngFile(ihdr(2 ** 31, 1), idat, end), 'the PNG header (IHDR) is invalid'],
    ['a chunk length of 2^31', concat(PNG.subarray(0, 33), Uint8Array.of(0x80, 0, 0, 0), PNG.subarray(37)), 'the PNG has an invalid chunk length'],
    ['a digit in a chunk type', pngFile(head, pngChunk('tE5t'), idat, end), 'the PNG has a chunk with an invalid name'],
    ['a lower-case third letter (reserved bit)', pngFile(head, pngChunk('tExt'), idat, end), 'the PNG has a chunk with an invalid name'],
    ['an unknown critical chunk', pngFile(head, pngChunk('CRIT'), idat, end), 'the PNG has an unknown critical chunk'],
    ['a second IHDR', pngFile(head, head, idat, end), 'the PNG has its chunks in the wrong order'],
    ['IDAT chunks that are not consecutive', pngFile(head, idat, pngChunk('tEXt'), idat, end), 'the PNG has its chunks in the wrong order'],
    ['PLTE after IDAT', pngFile(ihdr(1, 1, 8, 2), idat, palette(3), end), 'the PNG has its chunks in the wrong order'],
    ['a palette in a grey image', pngFile(head, palette(3), idat, end), 'the PNG palette is invalid'],
    ['a palette image without PLTE', pngFile(ihdr(1, 1, 8, 3), idat, end), 'the PNG palette is invalid'],
    ['a PLTE of 4 bytes', pngFile(ihdr(1, 1, 8, 3), palette(4), idat, end), 'the PNG palette is invalid'],
    ['5 palette entries for 2-bit pixels', pngFile(ihdr(1, 1, 2, 3), palette(15), idat, end), 'the PNG palette is invalid'],
    ['no IDAT', pngFile(head, end), 'the PNG has no image data'],
    ['IDAT data that is not zlib', pngFile(head, pngChunk('IDAT', new TextEncoder().encode('<?php')), end), 'the PNG image data is not a zlib stream'],
    ['an IEND with data', pngFile(head, idat, pngChunk('IEND', Uint8Array.of(0))), 'the PNG end chunk (IEND) is invalid'],
  ]);
  it('accepts ancillary and private chunks anywhere between IHDR and IEND, and IDAT split in two', () => {
    const split = [pngChunk('IDAT', zlibZeros(2).subarray(0, 1)), pngChunk('IDAT', zlibZeros(2).subarray(1))];
    expect(reasonFor(pngFile(head, pngChunk('tEXt', new TextEncoder().encode('a\0b')), ...split, pngChunk('prVt'), end))).toBe('accepted');
  });
  it('refuses every single-byte change to a PNG (each byte is under a CRC, a length or the signature)', () => {
    for (let at = 0; at < PNG.length; at++) for (const bit of [0x01, 0x80]) expect(inspectImage(patched(PNG, at, PNG[at]! ^ bit)).ok).toBe(false);
  });
});

describe('JPEG structure', () => {
  const [sof, sofEnd] = jpegSegmentAt(JPEG, 0xc0);
  const [sos, sosEnd] = jpegSegmentAt(JPEG, 0xda);
  const [dht] = jpegSegmentAt(JPEG, 0xc4);
  const [dqt] = jpegSegmentAt(JPEG, 0xdb);
  const withoutAll = (marker: number) => {
    let out: Uint8Array = JPEG;
    while (out[jpegSegmentAt(out, marker)[0] + 1] === marker) out = splice(out, ...jpegSegmentAt(out, marker));
    return out;
  };
  it('walks entropy-coded data past stuffed FF 00 bytes, RSTn markers and fill bytes before a marker', () => {
    const data = Uint8Array.of(0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff, 0xd1, 0x78, 0xff, 0xff);
    expect(reasonFor(splice(JPEG, sosEnd, JPEG.length - 2, new Uint8Array(40).fill(0x11), data))).toBe('accepted');
  });
  cases([
    ['a second frame header', splice(JPEG, sos, sos, JPEG.subarray(sof, sofEnd)), 'the JPEG has more than one frame'],
    ['a lossless frame (SOF3)', patched(JPEG, sof + 1, 0xc3), 'the JPEG uses an unsupported compression (lossless, hierarchical or arithmetic coding)'],
    [
      'an arithmetic-coded frame (SOF9)',
      patched(JPEG, sof + 1, 0xc9),
      'the JPEG uses an unsupported compression (lossless, hierarchical or arithmetic coding)',
    ],
    ['12-bit samples', patched(JPEG, sof + 4, 12), 'the JPEG uses an unsupported sample precision (only 8-bit is accepted)'],
    ['a frame length that does not match its components', patched(JPEG, sof + 9, 2), 'the JPEG frame header (SOF) is invalid'],
    ['a sampling factor of 0', patched(JPEG, sof + 11, 0x02), 'the JPEG frame header (SOF) is invalid'],
    ['a scan of a component the frame lacks', patched(JPEG, sos + 5, 9), 'the JPEG scan header (SOS) is invalid'],
    ['a scan naming a component twice', patched(JPEG, sos + 7, 1), 'the JPEG scan header (SOS) is invalid'],
    ['a baseline scan with table 2', patched(JPEG, sos + 6, 0x22), 'the JPEG scan header (SOS) is invalid'],
    ['a baseline scan that is not 0–63', patched(JPEG, sosEnd - 2, 0x3e), 'the JPEG scan header (SOS) is invalid'],
    ['no Huffman tables', withoutAll(0xc4), 'the JPEG uses a Huffman table it does not define'],
    ['no quantization tables', withoutAll(0xdb), 'the JPEG uses a quantization table it does not define'],
    ['a Huffman table that uses the all-ones code', patched(JPEG, dht + 5, 2, 0), 'the JPEG has an invalid table'], // codes 0 and 1
    ['a quantization value of 0', patched(JPEG, dqt + 5, 0), 'the JPEG has an invalid table'],
    ['a restart interval of 3 bytes', splice(JPEG, sos, sos, jpegSegment(0xdd, Uint8Array.of(0, 1, 2))), 'the JPEG has an invalid table'],
    ['a segment length of 1', patched(JPEG, dqt + 2, 0, 1), 'the JPEG has an invalid segment length'],
    ['a marker segment running past the end', patched(JPEG, 4, 0xff, 0xff), 'the JPEG is cut short'],
    ['an RST marker among the headers', splice(JPEG, sos, sos, Uint8Array.of(0xff, 0xd3)), 'the JPEG has a marker out of place'],
    ['a second SOI', splice(JPEG, 2, 2, Uint8Array.of(0xff, 0xd8)), 'the JPEG has a marker out of place'],
    ['a DNL marker', splice(JPEG, sos, sos, jpegSegment(0xdc, Uint8Array.of(0, 1))), 'the JPEG has an unsupported marker'],
    ['a byte where a marker should be', splice(JPEG, dqt, dqt, Uint8Array.of(0x00)), 'the JPEG has data where a marker should be'],
    ['headers and EOI but no scan', concat(JPEG.subarray(0, sos), Uint8Array.of(0xff, 0xd9)), 'the JPEG has no image data'],
    ['a scan before its frame header', splice(JPEG, sof, sofEnd), 'the JPEG has no frame header (SOF) before its image data'],
  ]);
  it('checks progressive scans (spectral selection, one component per AC scan)', () => {
    const progressive = VARIANTS[0]!.bytes;
    const [, scanEnd] = jpegSegmentAt(progressive, 0xda); // the first: a DC scan of three components
    expect(reasonFor(patched(progressive, scanEnd - 2, 5))).toBe('the JPEG scan header (SOS) is invalid'); // DC and AC in one scan
    expect(reasonFor(patched(progressive, scanEnd - 3, 1, 5))).toBe('the JPEG scan header (SOS) is invalid'); // AC of three components
  });
});

describe('WebP structure', () => {
  const vp8 = WEBP.subarray(12); // the 'VP8 ' chunk of the 1×1 fixture
  const [lossless, alpha] = [VARIANTS[5]!.bytes, VARIANTS[6]!.bytes];
  const alph = riffChunk('ALPH', Uint8Array.of(0));
  const oddJunk = webpFile(vp8x(1, 1), vp8, riffChunk('JUNK', Uint8Array.of(7)));
  cases([
    [
      'a simple WebP with a second chunk',
      webpFile(vp8, riffChunk('JUNK', new Uint8Array(2))),
      'the WebP has chunks a simple WebP may not have (only the extended format allows them)',
    ],
    ['an odd length', patched(concat(WEBP, Uint8Array.of(0)), 4, WEBP.length - 7), 'the WebP has an odd length, which RIFF does not allow'],
    ['a non-zero pad byte', patched(oddJunk, oddJunk.length - 1, 1), 'the WebP has an invalid chunk padding byte'],
    [
      'a chunk size past the RIFF end',
      webpFile(vp8x(1, 1), vp8, patched(riffChunk('JUNK', new Uint8Array(2)), 4, 9)),
      'the WebP has a chunk that runs past its end',
    ],
    ['a chunk name with a control character', webpFile(vp8x(1, 1), vp8, riffChunk('JU\nK', new Uint8Array(2))), 'the WebP has a chunk with an invalid name'],
    ['a VP8X of 12 bytes', webpFile(riffChunk('VP8X', new Uint8Array(12)), vp8), 'the WebP extended header (VP8X) is invalid'],
    ['a canvas larger than its image', webpFile(vp8x(2, 1), vp8), 'the WebP canvas size does not match its image'],
    ['a VP8X without an image', webpFile(vp8x(1, 1), riffChunk('EXIF', new Uint8Array(4))), 'the WebP has no image data'],
    ['two images', webpFile(vp8x(1, 1), vp8, vp8), 'the WebP has more than one image'],
    ['the animation flag on a still image', webpFile(vp8x(1, 1, 0x02), vp8), 'animated WebP images are not accepted'],
    ['ANIM without the animation flag', webpFile(vp8x(1, 1), riffChunk('ANIM', new Uint8Array(6)), vp8), 'animated WebP images are not accepted'],
    ['ALPH after the image', webpFile(vp8x(1, 1), vp8, alph), 'the WebP has its chunks in the wrong order'],
    ['ALPH before a lossless image', webpFile(vp8x(3, 2), alph, lossless.subarray(12)), 'the WebP has its chunks in the wrong order'],
    ['ICCP after the image', webpFile(vp8x(1, 1), vp8, riffChunk('ICCP', new Uint8Array(4))), 'the WebP has its chunks in the wrong order'],
    ['ALPH with compression method 2', patched(alpha, 38, 2), 'the WebP transparency (ALPH) chunk is invalid'],
    ['a VP8 inter frame', patched(WEBP, 20, 0x31), 'the WebP lossy image header is invalid'],
    ['a VP8 first partition larger than the chunk', patched(WEBP, 22, 0x10), 'the WebP lossy image header is invalid'],
    ['a VP8 without its start code', patched(WEBP, 23, 0x9c), 'the WebP lossy image header is invalid'],
    ['a VP8L without its signature', patched(lossless, 20, 0x2e), 'the WebP lossless image header is invalid'],
    ['a VP8L of version 1', patched(lossless, 24, lossless[24]! | 0x20), 'the WebP lossless image header is invalid'],
  ]);
  it('accepts an extended WebP with ICCP, XMP and unknown chunks around its image', () => {
    expect(
      reasonFor(
        webpFile(vp8x(1, 1, 0x24), riffChunk('ICCP', new Uint8Array(3)), riffChunk('abcd', new Uint8Array(1)), vp8, riffChunk('XMP ', new Uint8Array(5))),
      ),
    ).toBe('accepted');
  });
});

describe('robustness', () => {
  const samples = [...ALL.map((image) => image.bytes), padded(JPEG, 600), padded(PNG, 600), padded(WEBP, 600)];
  let seed = 20_261_201; // a fixed seed: the same mutants every run
  const random = (n: number) => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return (seed >>> 16) % n;
  };
  const sane = (bytes: Uint8Array) => {
    const result = inspectImage(bytes); // must not throw
    if (result.ok) expect(result.width > 0 && result.height > 0 && result.width * result.height <= MAX_IMAGE_PIXELS).toBe(true);
    return result.ok;
  };
  it('refuses every truncation of every valid image', () => {
    for (const bytes of samples) for (let length = 0; length < bytes.length; length++) expect(sane(bytes.subarray(0, length))).toBe(false);
  });
  it('never throws on random byte changes, insertions and deletions, and refuses all appended data', () => {
    for (const bytes of samples) {
      for (let round = 0; round < 400; round++) {
        const mutant = bytes.slice();
        for (let n = 1 + random(4); n > 0; n--) mutant[random(mutant.length)] = random(256);
        const at = random(bytes.length);
        sane(mutant);
        sane(splice(bytes, at, at + random(3), Uint8Array.of(random(256))));
        expect(sane(concat(bytes, Uint8Array.of(random(256))))).toBe(false);
      }
    }
  });
});
