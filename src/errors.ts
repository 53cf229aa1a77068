/**
 * Errors that end a run. Each carries its exit code and a one-line message with a
 * hint; cli.ts prints exactly that, never a stack trace (knip, gemini-cli FatalError).
 */
export class FatalError extends Error {
  constructor(message: string, readonly exitCode: number, readonly hint?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments: exit 2. */
export class UsageError extends FatalError {
  constructor(message: string, hint?: string) {
    super(message, 2, hint ?? 'run `ipsec-doctor --help` for usage');
  }
}

/** An input that cannot be read or is not what it claims to be: exit 2. */
export class InputError extends FatalError {
  constructor(message: string, hint?: string) {
    super(message, 2, hint);
  }
}

/**
 * A file given where a log was expected (positionally or with --log) whose content is a
 * config or a ruleset: the run reads it as one (`what` says which), as `file` would sniff it.
 */
export class NotALogError extends InputError {
  constructor(message: string, hint: string | undefined, readonly path: string, readonly what: string) {
    super(message, hint);
  }
}
