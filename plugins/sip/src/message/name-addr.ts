/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10, §25.1):
 * From, To, Contact, Route, Record-Route, Refer-To…
 */
import { headerLines, headerValues, type HeaderSource } from './headers';
import { formatHeaderParams, parseHeaderParams } from './params';
import { closingQuote, isToken, quote, trimLws, unquote } from './scan';
import { isValidUriText } from './uri';
import type { NameAddr } from './types';

function withDisplay(displayName: string | undefined, uri: string, params: NameAddr['params']): NameAddr {
  return displayName === undefined ? { uri, params } : { displayName, uri, params };
}

/**
 * Bare addr-spec: every `;` after the URI starts a header parameter, so a
 * URI containing `,` `?` or `;` must have been in `<>` (RFC 3261 §20.10).
 */
function parseAddrSpec(text: string): NameAddr | undefined {
  const semi = text.indexOf(';');
  const uri = trimLws(semi < 0 ? text : text.slice(0, semi));
  if (/[\s,?]/.test(uri) || !isValidUriText(uri)) return undefined;
  const params = parseHeaderParams(semi < 0 ? '' : text.slice(semi));
  return params === undefined ? undefined : { uri, params };
}

/**
 * Parses `"Display" <uri>;params`, `Display Tokens <uri>;params`,
 * `<uri>;params`, a bare `uri;params` (whose parameters are header
 * parameters) or `*` (`wildcard: true`, uri `*`). The display name is
 * returned unquoted; the URI as written between `<` and `>`. Undefined when
 * malformed: unbalanced quotes, non-token display names, whitespace inside
 * `<>`, an invalid sip/sips/tel URI.
 */
export function parseNameAddr(text: string): NameAddr | undefined {
  const source = trimLws(text);
  if (source === '*') return { uri: '*', params: {}, wildcard: true };
  let displayName: string | undefined;
  let rest: string;
  if (source.startsWith('"')) {
    const end = closingQuote(source, 0);
    if (end < 0) return undefined;
    displayName = unquote(source.slice(0, end + 1));
    rest = trimLws(source.slice(end + 1));
    if (!rest.startsWith('<')) return undefined;
  } else {
    const open = source.indexOf('<');
    if (open < 0) return source === '' ? undefined : parseAddrSpec(source);
    const words = trimLws(source.slice(0, open));
    if (words !== '') {
      if (!words.split(/[ \t]+/).every(isToken)) return undefined;
      displayName = words;
    }
    rest = source.slice(open);
  }
  const close = rest.indexOf('>');
  if (close < 0) return undefined;
  const uri = rest.slice(1, close);
  if (!isValidUriText(uri)) return undefined;
  const params = parseHeaderParams(rest.slice(close + 1));
  return params === undefined ? undefined : withDisplay(displayName, uri, params);
}

/** Writes `"Display" <uri>;params` (always with `<>`, display name quoted), or `*`. */
export function formatNameAddr(value: NameAddr): string {
  if (value.wildcard) return '*';
  const display = value.displayName === undefined ? '' : `${quote(value.displayName)} `;
  return `${display}<${value.uri}>${formatHeaderParams(value.params)}`;
}

/**
 * Every Contact of a message, across lines and comma lists. `*` gives one
 * entry with `wildcard: true`. Undefined when a Contact is malformed, empty,
 * or `*` appears with other contacts. `[]` when there is no Contact.
 */
export function parseContacts(message: HeaderSource): NameAddr[] | undefined {
  if (headerLines(message, 'Contact').some((header) => trimLws(header.value) === '')) return undefined;
  const contacts: NameAddr[] = [];
  for (const value of headerValues(message, 'Contact')) {
    const contact = parseNameAddr(value);
    if (contact === undefined) return undefined;
    contacts.push(contact);
  }
  if (contacts.length > 1 && contacts.some((contact) => contact.wildcard)) return undefined;
  return contacts;
}
