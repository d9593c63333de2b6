/**
 * The appAuthentication sign (seed 001 L41547-41562): MD5 of `TIME{time}MAC{mac}IP{ip}MANUFACTURE{…}`
 * read as the prose says (values in place of the braces) and as the sibling door protocol's example
 * proves (braces kept), either hex case; the box signs with the plain form.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeSign } from '../../protocols/door-standard/sign.js';
import { authSignContent, computeAuthSign, isSupportedSignMethod, verifyAuthSign } from '../../protocols/edge-security-event/index.js';

/** The seed's example request (L41584-41593). */
const EXAMPLE = { ip: '192.168.1.2', mac: '00-**-3D-40', time: 1589472000, manufacture: 'DH' };
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

describe('appAuthentication sign', () => {
  it('signs the text the prose describes, and the braces form on request', () => {
    expect(authSignContent(EXAMPLE)).toBe('TIME1589472000MAC00-**-3D-40IP192.168.1.2MANUFACTUREDH');
    expect(authSignContent(EXAMPLE, 'braces')).toBe('TIME{1589472000}MAC{00-**-3D-40}IP{192.168.1.2}MANUFACTURE{DH}');
    expect(computeAuthSign(EXAMPLE)).toBe(md5('TIME1589472000MAC00-**-3D-40IP192.168.1.2MANUFACTUREDH'));
    expect(computeAuthSign(EXAMPLE)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('accepts both forms in either hex case', () => {
    for (const form of ['plain', 'braces'] as const) {
      const sign = computeAuthSign(EXAMPLE, form);
      expect(verifyAuthSign(EXAMPLE, sign)).toBe(true);
      expect(verifyAuthSign(EXAMPLE, sign.toUpperCase())).toBe(true);
    }
  });

  it('refuses a sign over other values, a truncated one, and one of another field order', () => {
    expect(verifyAuthSign({ ...EXAMPLE, manufacture: 'HIK' }, computeAuthSign(EXAMPLE))).toBe(false);
    expect(verifyAuthSign({ ...EXAMPLE, time: EXAMPLE.time + 1 }, computeAuthSign(EXAMPLE))).toBe(false);
    expect(verifyAuthSign(EXAMPLE, computeAuthSign(EXAMPLE).slice(0, 31))).toBe(false);
    expect(verifyAuthSign(EXAMPLE, md5('MAC00-**-3D-40TIME1589472000IP192.168.1.2MANUFACTUREDH'))).toBe(false);
    expect(verifyAuthSign(EXAMPLE, '')).toBe(false);
  });

  it("shows the seed's redacted example sign is the door protocol's example sign, which verifies neither form here", () => {
    // The event API's example says "4db511**42" (L41590); the door protocol's only full example
    // (L35021-35029) is md5 4db51117ad87cef349f45a3b14c05142 over its own SN-bearing fields.
    const door = computeSign('md5', { time: 1589472000, mac: '00-16-EA-AE-3D-40', sn: '123456789', ip: '192.168.1.128' });
    expect(door).toBe('4db51117ad87cef349f45a3b14c05142');
    expect(door.startsWith('4db511') && door.endsWith('42')).toBe(true);
    expect(verifyAuthSign(EXAMPLE, door)).toBe(false);
    expect(verifyAuthSign(EXAMPLE, '4db511**42')).toBe(false);
  });

  it('supports MD5 only, in any case (the example writes md5)', () => {
    expect(isSupportedSignMethod('md5')).toBe(true);
    expect(isSupportedSignMethod('MD5')).toBe(true);
    expect(isSupportedSignMethod('SHA256')).toBe(false);
    expect(isSupportedSignMethod('SHA1')).toBe(false);
  });
});
