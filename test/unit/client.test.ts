import { describe, expect, it } from 'vitest';
import { ipLimitKey, UNKNOWN_IP_KEY } from '../../src/lib/client';

describe('ipLimitKey: IPv4', () => {
  it('keys a dotted quad on itself', () => {
    for (const ip of ['192.0.2.1', '0.0.0.0', '255.255.255.255', '10.20.30.40', '198.51.100.9']) expect(ipLimitKey(ip)).toBe(ip);
  });

  it('keeps neighbouring IPv4 addresses apart (no grouping: one IPv4 address is one client or one NAT)', () => {
    expect(ipLimitKey('192.0.2.1')).not.toBe(ipLimitKey('192.0.2.2'));
  });

  it('refuses octets out of range, leading zeros (octal to some parsers) and other shapes', () => {
    for (const ip of [
      '256.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3.4 ',
      ' 1.2.3.4',
      '1.2.3.4\n',
      '1..3.4',
      '0x7f.0.0.1',
      '127.1',
      '1.2.3.-4',
      '1.2.3.4/32',
      '1.2.3.4%eth0',
    ]) {
      expect(ipLimitKey(ip), JSON.stringify(ip)).toBe(UNKNOWN_IP_KEY);
    }
  });
});

describe('ipLimitKey: IPv6', () => {
  it('gives every textual form of one address the same RFC 5952 /64 key', () => {
    const forms = [
      '2001:db8:1:2::1',
      '2001:DB8:1:2::1',
      '2001:0db8:0001:0002:0000:0000:0000:0001',
      '2001:db8:1:2:0:0:0:1',
      '2001:0DB8:1:2:0::1',
      '2001:db8:1:2::0.0.0.1',
      '2001:db8:1:2:0:0:0.0.0.1',
    ];
    for (const ip of forms) expect(ipLimitKey(ip), ip).toBe('2001:db8:1:2::/64');
  });

  it('puts every address of one /64 in one bucket', () => {
    const key = ipLimitKey('2001:db8:1:2::1');
    for (const ip of ['2001:db8:1:2::', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:a1b2:c3d4:e5f6:789', '2001:db8:1:2:1::']) {
      expect(ipLimitKey(ip), ip).toBe(key);
    }
  });

  it('keeps neighbouring /64s apart', () => {
    const key = ipLimitKey('2001:db8:1:2::1');
    for (const ip of ['2001:db8:1:1:ffff:ffff:ffff:ffff', '2001:db8:1:3::', '2001:db8:2:2::1', '2001:db9:1:2::1']) {
      expect(ipLimitKey(ip), ip).not.toBe(key);
    }
    expect(ipLimitKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(ipLimitKey('2001:db8:1:1:ffff::1')).toBe('2001:db8:1:1::/64');
  });

  it('writes the prefix as RFC 5952 text: lower case, no leading zeros, longest zero run compressed', () => {
    expect(ipLimitKey('::1')).toBe('::/64');
    expect(ipLimitKey('::')).toBe('::/64');
    expect(ipLimitKey('2001:0:0:1::1')).toBe('2001:0:0:1::/64');
    expect(ipLimitKey('0:0:0:1::1')).toBe('0:0:0:1::/64');
    expect(ipLimitKey('2001:db8::1')).toBe('2001:db8::/64');
    expect(ipLimitKey('ABCD:EF01:2345:6789:ABCD:EF01:2345:6789')).toBe('abcd:ef01:2345:6789::/64');
    expect(ipLimitKey('2001:db8:0:1::')).toBe('2001:db8:0:1::/64');
  });

  it('drops a zone id (RFC 4007 §11): it names our interface, not the client', () => {
    expect(ipLimitKey('fe80::1%eth0')).toBe('fe80::/64');
    expect(ipLimitKey('fe80::abcd%25')).toBe('fe80::/64');
    expect(ipLimitKey('FE80:0:0:0:0:0:0:1%en0')).toBe('fe80::/64');
    for (const ip of ['fe80::1%', '%eth0', 'fe80::zz%eth0']) expect(ipLimitKey(ip), ip).toBe(UNKNOWN_IP_KEY);
  });

  it('keys an IPv4-mapped address (RFC 4291 §2.5.5.2) on the IPv4 address, in any spelling', () => {
    for (const ip of ['::ffff:192.0.2.1', '::FFFF:192.0.2.1', '0:0:0:0:0:ffff:192.0.2.1', '::ffff:c000:201', '0000:0000:0000:0000:0000:FFFF:C000:0201']) {
      expect(ipLimitKey(ip), ip).toBe('192.0.2.1');
    }
    expect(ipLimitKey('::ffff:192.0.2.2')).toBe('192.0.2.2');
    // Not mapped: the IPv4-compatible form (deprecated) and a non-zero prefix stay IPv6.
    expect(ipLimitKey('::192.0.2.1')).toBe('::/64');
    expect(ipLimitKey('1::ffff:192.0.2.1')).toBe('1::/64');
    expect(ipLimitKey('::ffff:256.0.2.1')).toBe(UNKNOWN_IP_KEY);
  });
});

describe('ipLimitKey: garbage', () => {
  it('puts anything unparseable, and a missing address, in the one shared bucket (never skips the limiter)', () => {
    const garbage = [
      '',
      'unknown',
      'localhost',
      'not an ip',
      ':',
      ':::',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '::1:2:3:4:5:6:7:8',
      '1::2::3',
      ':1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:',
      '12345::1',
      'g::1',
      '::1.2.3.4:5',
      '1.2.3.4::',
      '[2001:db8::1]',
      '2001:db8::1/64',
      ' 2001:db8::1',
      '2001:db8::-1',
      '1:2:3:4:5:6:7:1.2.3.4',
      `2001:db8::1%${'x'.repeat(60)}`,
    ];
    for (const ip of garbage) expect(ipLimitKey(ip), JSON.stringify(ip)).toBe(UNKNOWN_IP_KEY);
    expect(ipLimitKey(null)).toBe(UNKNOWN_IP_KEY);
    expect(ipLimitKey(undefined)).toBe(UNKNOWN_IP_KEY);
  });

  it('never produces a key a real address could also produce', () => {
    expect(UNKNOWN_IP_KEY).not.toMatch(/[.:]/);
  });
});
