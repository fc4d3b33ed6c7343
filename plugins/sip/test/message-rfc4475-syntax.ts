/** RFC 4475 §3.1.1 valid messages that stress syntax: whitespace, folding, escaping, odd characters, long values. */
import { expect } from 'vitest';
import { headerValue, headerValues, parseContacts, parseCSeq, parseNameAddr, parseUri, parseVia } from '../src/message';
import type { ValidCase } from './message-rfc4475-cases';
import { SDP_150, wire } from './message-wire';

const long = (word: string, times: number): string => word.repeat(times);

export const SYNTAX_CASES: ValidCase[] = [
  {
    name: 'wsinv: a short tortuous INVITE (folding, odd whitespace, compact forms)',
    section: '3.1.1.1',
    data: wire(
      [
        'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0',
        'TO :',
        ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
        'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>',
        '  ;',
        '  tag = 98asjd8',
        'MaX-fOrWaRdS: 0068',
        'Call-ID: wsinv.ndaksdj@192.0.2.1',
        'Content-Length   : 150',
        'cseq: 0009',
        '  INVITE',
        'Via  : SIP  /   2.0',
        ' /UDP',
        '    192.0.2.2;branch=390skdjuw',
        's :',
        'NewFangledHeader:   newfangled value',
        ' continued newfangled value',
        'UnknownHeaderWithUnusualValue: ;;,,;;,;',
        'Content-Type: application/sdp',
        'Route:',
        ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
        'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
        '  branch  =   z9hG4bK9ikj8  ,',
        ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
        ' z9hG4bK30239',
        'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =',
        '      newvalue ;',
        '  secondparam ; q = 0.33',
      ],
      SDP_150,
    ),
    check: (m) => {
      expect(m.kind === 'request' && m.method).toBe('INVITE');
      expect(m.kind === 'request' && m.uri).toBe('sip:vivekg@chair-dnrc.example.com;unknownparam');
      expect(parseNameAddr(headerValue(m, 'To')!)).toEqual({
        uri: 'sip:vivekg@chair-dnrc.example.com',
        params: { tag: '1918181833n' },
      });
      const from = parseNameAddr(headerValue(m, 'From')!);
      expect(from?.displayName).toBe('J Rosenberg \\"');
      expect(from?.params).toEqual({ tag: '98asjd8' });
      expect(parseCSeq(headerValue(m, 'CSeq')!)).toEqual({ seq: 9, method: 'INVITE' });
      expect(headerValues(m, 'Via').map((v) => parseVia(v))).toEqual([
        { transport: 'UDP', host: '192.0.2.2', params: { branch: '390skdjuw' } },
        { transport: 'TCP', host: 'spindle.example.com', params: { branch: 'z9hG4bK9ikj8' } },
        { transport: 'UDP', host: '192.168.255.111', params: { branch: 'z9hG4bK30239' } },
      ]);
      expect(headerValue(m, 'Subject')).toBe('');
      expect(headerValue(m, 'NewFangledHeader')).toBe('newfangled value continued newfangled value');
      expect(headerValue(m, 'Max-Forwards')).toBe('0068');
      expect(parseContacts(m)).toEqual([
        { displayName: 'Quoted string ""', uri: 'sip:jdrosen@example.com', params: { newparam: 'newvalue', secondparam: null, q: '0.33' } },
      ]);
      expect(m.body.toString()).toBe(SDP_150);
    },
  },
  {
    name: 'intmeth: wide range of valid characters',
    section: '3.1.1.2',
    data: wire([
      "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0",
      "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~",
      'To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7F" <sip:1_unusual.URI~(to-be!sure)&isn\'t+it$/crazy?,/;;*@example.com>',
      "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"работающий\";tag=_token~1'+`*%!-.",
      'Call-ID: intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{',
      "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~",
      'Max-Forwards: 255',
      "extensionHeader-!.%*+_`'~:\uFEFF大停電",
      'Content-Length: 0',
    ]),
    check: (m) => {
      expect(m.kind === 'request' && m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
      const uri = parseUri(m.kind === 'request' ? m.uri : '');
      expect(uri?.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      expect(uri?.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      expect(uri?.host).toBe('example.com');
      expect(parseNameAddr(headerValue(m, 'To')!)?.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7F');
      const from = parseNameAddr(headerValue(m, 'From')!);
      expect(from?.displayName).toBe("token1~` token2'+_ token3*%!.-");
      expect(from?.params).toEqual({ "fromparam''~+*_!.-%": '"работающий"', tag: "_token~1'+`*%!-." });
      expect(headerValue(m, 'Call-ID')).toBe('intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      expect(headerValue(m, "extensionheader-!.%*+_`'~")).toBe('\uFEFF大停電');
    },
  },
  {
    name: 'esc01: valid use of % escaping',
    section: '3.1.1.3',
    data: wire(
      [
        'INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0',
        'To: sip:%75se%72@example.com',
        'From: <sip:I%20have%20spaces@example.net>;tag=938',
        'Max-Forwards: 87',
        'i: esc01.239409asdfakjkn23onasd0-3234',
        'CSeq: 234234 INVITE',
        'Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw',
        'C: application/sdp',
        'Contact:',
        '  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>',
        'Content-Length: 150',
      ],
      SDP_150,
    ),
    check: (m) => {
      expect(parseUri(m.kind === 'request' ? m.uri : '')).toMatchObject({ user: 'sips%3Auser%40example.com', host: 'example.net' });
      expect(headerValue(m, 'Content-Type')).toBe('application/sdp');
      expect(headerValue(m, 'Call-ID')).toBe('esc01.239409asdfakjkn23onasd0-3234');
      const [contact] = parseContacts(m)!;
      expect(parseUri(contact.uri)?.params).toEqual({ '%6c%72': null, 'n%61me': 'v%61lue%25%34%31' });
    },
  },
  {
    name: 'escnull: escaped nulls in URIs',
    section: '3.1.1.4',
    data: wire([
      'REGISTER sip:example.com SIP/2.0',
      'To: sip:null-%00-null@example.com',
      'From: sip:null-%00-null@example.com;tag=839923423',
      'Max-Forwards: 70',
      'Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd',
      'CSeq: 14398234 REGISTER',
      'Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw',
      'Contact: <sip:%00@host5.example.com>',
      'Contact: <sip:%00%00@host5.example.com>',
      'L:0',
    ]),
    check: (m) => {
      expect(parseContacts(m)?.map((c) => parseUri(c.uri)?.user)).toEqual(['%00', '%00%00']);
      expect(headerValue(m, 'Content-Length')).toBe('0');
    },
  },
  {
    name: 'esc02: escaped method and header names are not unescaped',
    section: '3.1.1.5',
    data: wire([
      'RE%47IST%45R sip:registrar.example.com SIP/2.0',
      'To: "%Z%45" <sip:resource@example.com>',
      'From: "%Z%45" <sip:resource@example.com>;tag=f232jadfj23',
      'Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf',
      'Via: SIP/2.0/TCP host.example.com;rport;branch=z9hG4bK209asdjf',
      'CSeq: 29344 RE%47IST%45R',
      'Max-Forwards: 70',
      'Contact: <sip:alias1@host1.example.com>',
      'C%6Fntact: <sip:alias2@host2.example.com>',
      'Contact: <sip:alias3@host3.example.com>',
      'l: 0',
    ]),
    check: (m) => {
      expect(m.kind === 'request' && m.method).toBe('RE%47IST%45R');
      expect(parseNameAddr(headerValue(m, 'To')!)?.displayName).toBe('%Z%45');
      expect(parseContacts(m)?.map((c) => c.uri)).toEqual(['sip:alias1@host1.example.com', 'sip:alias3@host3.example.com']);
      expect(headerValue(m, 'C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
      expect(parseVia(headerValue(m, 'Via')!)?.params).toEqual({ rport: null, branch: 'z9hG4bK209asdjf' });
    },
  },
  {
    name: 'lwsdisp: no LWS between display name and <',
    section: '3.1.1.6',
    data: wire([
      'OPTIONS sip:user@example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: caller<sip:caller@example.com>;tag=323',
      'Max-Forwards: 70',
      'Call-ID: lwsdisp.1234abcd@funky.example.com',
      'CSeq: 60 OPTIONS',
      'Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw',
      'l: 0',
    ]),
    check: (m) => {
      expect(parseNameAddr(headerValue(m, 'From')!)).toEqual({ displayName: 'caller', uri: 'sip:caller@example.com', params: { tag: '323' } });
    },
  },
  {
    name: 'longreq: long values in header fields',
    section: '3.1.1.7',
    data: wire(
      [
        'INVITE sip:user@example.com SIP/2.0',
        `To: "I have a user name of ${long('extreme', 10)} proportion"<sip:user@example.com:6000;unknownparam1=very${long('long', 20)}value;longparam${long('name', 25)}=shortvalue;very${long('long', 30)}ParameterNameWithNoValue>`,
        `F: sip:${long('amazinglylongcallername', 5)}@example.net;tag=12${long('982', 30)}424;unknownheaderparam${long('name', 20)}=unknowheaderparam${long('value', 15)};unknownValueless${long('paramname', 10)}`,
        `Call-ID: longreq.one${long('really', 40)}longcallid`,
        'CSeq: 3882340 INVITE',
        `Unknown-${long('Long', 20)}-Name: unknown-${long('long', 20)}-value; unknown-${long('long', 20)}-parameter-name = unknown-${long('long', 20)}-parameter-value`,
        ...Array.from({ length: 34 }, (_, i) => `${['Via', 'v', 'V'][i % 3]}: SIP/2.0/TCP sip${34 - i}.example.com`),
        `Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very${long('long', 50)}branchvalue`,
        'Max-Forwards: 70',
        `Contact: <sip:${long('amazinglylongcallername', 5)}@host5.example.net>`,
        'Content-Type: application/sdp',
        'l: 150',
      ],
      SDP_150,
    ),
    check: (m) => {
      expect(headerValues(m, 'Via')).toHaveLength(35);
      expect(parseNameAddr(headerValue(m, 'To')!)?.displayName).toBe(`I have a user name of ${long('extreme', 10)} proportion`);
      expect(parseUri(parseNameAddr(headerValue(m, 'To')!)!.uri)?.port).toBe(6000);
      expect(m.body.length).toBe(150);
    },
  },
  {
    name: 'semiuri: semicolon-separated parameters in the user part',
    section: '3.1.1.9',
    data: wire([
      'OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0',
      'To: sip:j_user@example.com',
      'From: sip:caller@example.org;tag=33242',
      'Max-Forwards: 3',
      'Call-ID: semiuri.0ha0isndaksdj',
      'CSeq: 8 OPTIONS',
      'Accept: application/sdp, application/pkcs7-mime,',
      '        multipart/mixed, multipart/signed,',
      '        message/sip, message/sipfrag',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw',
      'l: 0',
    ]),
    check: (m) => {
      expect(parseUri(m.kind === 'request' ? m.uri : '')).toMatchObject({ user: 'user;par=u%40example.net', host: 'example.com', params: {} });
      expect(headerValues(m, 'Accept')).toEqual([
        'application/sdp',
        'application/pkcs7-mime',
        'multipart/mixed',
        'multipart/signed',
        'message/sip',
        'message/sipfrag',
      ]);
    },
  },
];
