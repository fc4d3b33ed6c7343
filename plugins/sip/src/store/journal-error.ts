/**
 * Errors of the bindings journal. Codes follow the `SWY_ERR_<AREA>_<PROBLEM>`
 * convention; the remedy is printed with each.
 */
export const JOURNAL_ERROR_CODES = {
  SWY_ERR_SIP_JOURNAL_WRITE:
    'Check free space and permissions of the journal directory; bindings stay in memory and the write is retried at the next flush.',
  SWY_ERR_SIP_JOURNAL_READ:
    'Part of the journal could not be read and was skipped; the peer node re-sends its bindings on the next catch-up. Keep the file for diagnosis if it recurs.',
  SWY_ERR_SIP_JOURNAL_OWNER:
    'Give the journal folder and its files to the user the node runs as (chown -R), or remove them; a journal another user can write could plant bindings, so it is not loaded.',
  SWY_ERR_SIP_JOURNAL_STATE: 'Call load() once before record(), and do not use the journal after close(); this is a bug in the caller.',
} as const;

export type JournalErrorCode = keyof typeof JOURNAL_ERROR_CODES;

/** A journal failure, with the file and operation concerned in `details`. */
export class JournalError extends Error {
  readonly code: JournalErrorCode;
  readonly details: { file: string; operation: string } & Record<string, unknown>;

  constructor(
    code: JournalErrorCode,
    message: string,
    details: { file: string; operation: string } & Record<string, unknown>,
    cause?: unknown,
  ) {
    super(`${message} ${JOURNAL_ERROR_CODES[code]}`, cause === undefined ? undefined : { cause });
    this.name = 'JournalError';
    this.code = code;
    this.details = details;
  }
}
