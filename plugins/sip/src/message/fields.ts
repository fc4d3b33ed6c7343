/**
 * Parsed header fields kept with a message's header index, so Via, From,
 * To, CSeq and Contact are parsed once a message and every later step
 * (validation, registrar, response building) reads the same result. The
 * objects returned are shared and frozen: copy before changing one.
 */
import { headerKey } from './compact';
import { parseCSeq } from './cseq';
import { firstLineByKey, headerIndex, listValuesByKey, type HeaderSource } from './headers';
import { parseContacts, parseNameAddr } from './name-addr';
import { parseVia } from './via';
import type { CSeq, NameAddr, Via } from './types';

/** `fields` entry of one single-line header: valid while its line still holds `source`. */
function cachedLine<T>(message: HeaderSource, key: string, parse: (text: string) => T | undefined): T | undefined {
  const line = firstLineByKey(message, key);
  if (line === undefined) return undefined;
  const fields = headerIndex(message).fields;
  const entry = fields.get(key);
  if (entry !== undefined && entry.source === line.value) return entry.value as T | undefined;
  const value = parse(line.value);
  fields.set(key, { source: line.value, value });
  return value;
}

function frozenAddress(text: string): NameAddr | undefined {
  const address = parseNameAddr(text);
  if (address === undefined) return undefined;
  Object.freeze(address.params);
  return Object.freeze(address);
}

function frozenVia(text: string): Via | undefined {
  const via = parseVia(text);
  if (via === undefined) return undefined;
  Object.freeze(via.params);
  return Object.freeze(via);
}

/** The parsed CSeq of the (first) CSeq line; undefined when absent or malformed. */
export function messageCSeq(message: HeaderSource): Readonly<CSeq> | undefined {
  return cachedLine(message, 'cseq', (text) => {
    const cseq = parseCSeq(text);
    return cseq && Object.freeze(cseq);
  });
}

/** The parsed From (first line); undefined when absent or malformed. */
export function messageFrom(message: HeaderSource): NameAddr | undefined {
  return cachedLine(message, 'from', frozenAddress);
}

/** The parsed To (first line); undefined when absent or malformed. */
export function messageTo(message: HeaderSource): NameAddr | undefined {
  return cachedLine(message, 'to', frozenAddress);
}

/**
 * Every Via element, parsed, in order: `undefined` in place of a malformed
 * one. The list is shared with the index: do not modify.
 */
export function messageVias(message: HeaderSource): readonly (Via | undefined)[] {
  const index = headerIndex(message);
  const entry = index.fields.get('via');
  if (entry !== undefined) return entry.value as (Via | undefined)[];
  const vias = listValuesByKey(message, 'via').map(frozenVia);
  index.fields.set('via', { source: undefined, value: vias });
  return vias;
}

/**
 * Records the parsed Vias of a message built from parsed parts (a response
 * whose top Via was stamped), so reading them back does not parse the text
 * just written. Each must be what `parseVia` gives for its header text.
 */
export function seedVias(message: HeaderSource, vias: readonly (Via | undefined)[]): void {
  for (const via of vias) {
    if (via === undefined || Object.isFrozen(via)) continue;
    Object.freeze(via.params);
    Object.freeze(via);
  }
  headerIndex(message).fields.set('via', { source: undefined, value: vias });
}

/** The value of a header's first line, as written (From, To, Call-ID, CSeq are single-valued). */
export function firstLineValue(message: HeaderSource, name: string): string | undefined {
  return firstLineByKey(message, headerKey(name))?.value;
}

/** The top Via, parsed; undefined when there is none or it is malformed. */
export function messageTopVia(message: HeaderSource): Via | undefined {
  return messageVias(message)[0];
}

/**
 * Every Contact of a message, across lines and comma lists, parsed once.
 * `*` gives one entry with `wildcard: true`. Undefined when a Contact is
 * malformed, empty, or `*` appears with other contacts. `[]` when there is
 * no Contact. The list and its entries are shared: do not modify.
 */
export function messageContacts(message: HeaderSource): readonly NameAddr[] | undefined {
  const index = headerIndex(message);
  const entry = index.fields.get('contact');
  if (entry !== undefined) return entry.value as NameAddr[] | undefined;
  const contacts = parseContacts(message);
  for (const contact of contacts ?? []) {
    Object.freeze(contact.params);
    Object.freeze(contact);
  }
  index.fields.set('contact', { source: undefined, value: contacts });
  return contacts;
}

