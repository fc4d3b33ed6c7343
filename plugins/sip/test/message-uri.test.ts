/** URIs: parse, format, RFC 3261 §19.1.4 comparison, AOR keys. */
import { describe, expect, it } from 'vitest';
import { aorKey, formatUri, parseUri, uriEquals } from '../src/message';

describe('parseUri', () => {
  it('parses every component of a SIP URI', () => {
    expect(parseUri('sip:alice:secretword@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent')).toEqual({
      scheme: 'sip',
      user: 'alice',
      password: 'secretword',
      host: 'atlanta.com',
      port: 5061,
      params: { transport: 'tcp', lr: null },
      headers: { subject: 'project%20x', priority: 'urgent' },
    });
  });

  it('parses IPv4 and bracketed IPv6 hosts, and sips', () => {
    expect(parseUri('sips:1.2.3.4:5061')).toMatchObject({ scheme: 'sips', host: '1.2.3.4', port: 5061 });
    expect(parseUri('sip:[2001:db8::10]:5070;maddr=[2001:db8::1]')).toMatchObject({ host: '[2001:db8::10]', port: 5070, params: { maddr: '[2001:db8::1]' } });
    expect(parseUri('SIP:user@EXAMPLE.com')).toMatchObject({ scheme: 'sip', user: 'user', host: 'EXAMPLE.com' });
  });

  it('keeps escapes in the user part as written (RFC 4475 esc01)', () => {
    expect(parseUri('sip:sips%3Auser%40example.com@example.net')?.user).toBe('sips%3Auser%40example.com');
    expect(parseUri('sip:null-%00-null@example.com')?.user).toBe('null-%00-null');
  });

  it('parses tel URIs with the number in user', () => {
    expect(parseUri('tel:+1-201-555-0123;ext=1234')).toEqual({ scheme: 'tel', user: '+1-201-555-0123', host: '', params: { ext: '1234' }, headers: {} });
    expect(parseUri('tel:7042;phone-context=example.com')?.params).toEqual({ 'phone-context': 'example.com' });
  });

  it.each([
    'sip:',
    'sip:user@',
    'sip:us er@example.com',
    'sip:user@exa_mple.com',
    'sip:user@1.2.3',
    'sip:user@[::1',
    'sip:user@[zz::1]',
    'sip:user@example.com:',
    'sip:user@example.com:65536',
    'sip:user@example.com;',
    'sip:user@example.com;;lr',
    'sip:user@example.com;lr;LR',
    'sip:user@example.com?',
    'sip:user@example.com?novalue',
    'sip:us%zzer@example.com',
    'sip:user@example.com;a=b@c',
    'tel:',
    'tel:+',
    'tel:+1 555',
    'http://example.com',
    'example.com',
  ])('rejects %j', (text) => {
    expect(parseUri(text)).toBeUndefined();
  });

  it('formats back to an equal URI', () => {
    for (const text of [
      'sip:alice:pw@atlanta.com:5061;transport=tcp;lr?subject=x&priority=urgent',
      'sips:[2001:db8::1];maddr=239.255.255.1',
      'sip:%61lice@example.com',
      'tel:+1-201-555-0123;ext=1',
    ]) {
      expect(formatUri(parseUri(text)!)).toBe(text);
    }
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  it.each([
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
    ['sip:[2001:db8:0:0::1]', 'sip:[2001:DB8::1]'],
    ['tel:+1-201-555-0123', 'tel:+1(201)5550123'],
  ])('%s equals %s', (a, b) => {
    expect(uriEquals(a, b)).toBe(true);
    expect(uriEquals(b, a)).toBe(true);
  });

  it.each([
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
    ['sip:alice@atlanta.com;user=phone', 'sip:alice@atlanta.com'],
    ['sip:alice@atlanta.com;maddr=1.2.3.4', 'sip:alice@atlanta.com'],
    ['sip:alice@atlanta.com;ttl=1', 'sip:alice@atlanta.com'],
    ['sip:alice@atlanta.com;method=INVITE', 'sip:alice@atlanta.com'],
    ['sip:alice:a@atlanta.com', 'sip:alice:A@atlanta.com'],
    ['sip:alice@atlanta.com;lr', 'sip:alice@atlanta.com;lr=on'],
    ['tel:+1-201-555-0123', 'tel:+1-201-555-0123;ext=1'],
  ])('%s differs from %s', (a, b) => {
    expect(uriEquals(a, b)).toBe(false);
    expect(uriEquals(b, a)).toBe(false);
  });

  it('compares URIs it cannot parse textually', () => {
    expect(uriEquals('urn:x:y', 'urn:x:y')).toBe(true);
    expect(uriEquals('urn:x:y', 'URN:x:y')).toBe(false);
  });
});

describe('aorKey (RFC 3261 §10.3)', () => {
  it('drops parameters, canonicalises escapes and host case', () => {
    expect(aorKey('sip:%61lice@AtLanTa.com;transport=tcp?x=y')).toBe('sip:alice@atlanta.com');
    expect(aorKey('sip:a%3Bb@example.com')).toBe(aorKey('sip:a;b@example.com'));
    expect(aorKey('sip:I%20have%20spaces@example.net')).toBe('sip:I%20have%20spaces@example.net');
    expect(aorKey('sips:bob@example.com:5061')).toBe('sips:bob@example.com:5061');
    expect(aorKey('tel:+1-201-555-0123;ext=5')).toBe('tel:+12015550123');
    expect(aorKey('http://x')).toBeUndefined();
  });
});
