let lastMs = -1;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, a 12-bit counter (`rand_a`), then 62
 * random bits. The counter starts at a random value below 2048 each millisecond and counts
 * up within it (RFC 9562 §6.2, method 1), so ids made by one isolate sort in creation order
 * even inside one millisecond — "newest first" keyset pagination relies on it. Should the
 * counter run out, the timestamp moves on by a millisecond, as §6.2 allows.
 *
 * @example uuidv7() // '019a8f3e-6b1c-7d2e-9f10-…'
 */
export function uuidv7(now = Date.now()): string {
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    counter += 1;
    if (counter > 0xfff) {
      ms += 1;
      counter = crypto.getRandomValues(new Uint16Array(1))[0]! & 0x7ff;
    }
  } else {
    counter = crypto.getRandomValues(new Uint16Array(1))[0]! & 0x7ff;
  }
  lastMs = ms;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 5, t = ms; i >= 0; i--, t = Math.floor(t / 256)) bytes[i] = t % 256;
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The lowest or highest UUIDv7 of a millisecond: ids sort by their 48-bit time prefix, so a time
 * range is an id range (`since` → `id >= low`, `until` → `id <= high`), an index range scan.
 */
export function uuidv7Bound(ms: number, end: 'low' | 'high'): string {
  const t = Math.max(0, Math.min(Math.floor(ms), 0xffffffffffff))
    .toString(16)
    .padStart(12, '0');
  return end === 'low' ? `${t.slice(0, 8)}-${t.slice(8)}-0000-0000-000000000000` : `${t.slice(0, 8)}-${t.slice(8)}-ffff-ffff-ffffffffffff`;
}
