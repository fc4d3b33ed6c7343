/** Shape of the RFC 4475 table cases (test data, ESLint RuleTester style). */
import type { SipMessage, SipParseErrorCode } from '../src/message';

/** A message a parser must accept; `check` asserts the fields it must see. */
export interface ValidCase {
  name: string;
  /** RFC 4475 section. */
  section: string;
  data: Buffer;
  check: (message: SipMessage) => void;
}

/** A message a parser must reject with `code`. */
export interface InvalidCase {
  name: string;
  section: string;
  data: Buffer;
  code: SipParseErrorCode;
}
