/** Every error create-plugin reports: a code, and what to do about it. */
export const CREATE_PLUGIN_CODES = {
  SWY_ERR_CREATE_NAME: 'Give a valid npm package name: lowercase letters, digits and "-", optionally under a scope (my-monitor, @acme/my-monitor).',
  SWY_ERR_CREATE_KIND: 'Use one of the kinds --help lists.',
  SWY_ERR_CREATE_DIR_NOT_EMPTY: 'Choose another folder with --dir, or empty or remove that one.',
  SWY_ERR_CREATE_EVENT_PREFIX: 'Use two digits other than 00 and 01 (those belong to Switchyard), e.g. --event-prefix 77.',
  SWY_ERR_CREATE_USAGE: 'Run create-plugin --help for the usage.',
  SWY_ERR_CREATE_WRITE: 'Check that the folder is writable and the disk has room.',
} as const;

export type CreatePluginCode = keyof typeof CREATE_PLUGIN_CODES;

export class CreatePluginError extends Error {
  constructor(
    readonly code: CreatePluginCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CreatePluginError';
  }

  /** What to do, for this error's code. */
  get remedy(): string {
    return CREATE_PLUGIN_CODES[this.code];
  }
}
