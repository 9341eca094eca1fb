import { describe, expect, it } from 'vitest';
import { sniffImageType, SNIFF_BYTES } from '../../src/lib/image-type';
import { HOSTILE, IMAGES, JPEG, PNG, WEBP } from '../helpers/images';

describe('sniffImageType', () => {
  for (const { format, bytes, type } of IMAGES) {
    it(`recognises ${format} from its first ${SNIFF_BYTES} bytes`, () => {
      expect(sniffImageType(bytes.slice(0, SNIFF_BYTES))).toBe(type);
    });
  }

  for (const { kind, bytes } of HOSTILE) {
    it(`refuses ${kind}`, () => {
      expect(sniffImageType(bytes.slice(0, SNIFF_BYTES))).toBeNull();
    });
  }

  it('accepts the other WebP chunk kinds (lossless VP8L, extended VP8X)', () => {
    for (const chunk of ['VP8L', 'VP8X']) {
      const bytes = WEBP.slice(0, SNIFF_BYTES);
      bytes.set(new TextEncoder().encode(chunk), 12);
      expect(sniffImageType(bytes)).toBe('image/webp');
    }
  });

  it('refuses a JPEG whose first marker is not a marker', () => {
    expect(sniffImageType(Uint8Array.of(0xff, 0xd8, 0xff, 0x00, 0x10))).toBeNull();
    expect(sniffImageType(JPEG.slice(0, 3))).toBeNull();
  });

  it('refuses a PNG whose first chunk is not IHDR', () => {
    const bytes = PNG.slice(0, SNIFF_BYTES);
    bytes.set(new TextEncoder().encode('IDAT'), 12);
    expect(sniffImageType(bytes)).toBeNull();
  });

  it('refuses image bytes that do not start the file', () => {
    expect(sniffImageType(Uint8Array.of(0x20, ...PNG.slice(0, SNIFF_BYTES - 1)))).toBeNull();
  });
});
