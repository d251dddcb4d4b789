/**
 * The error family. Every message says what failed and what to do about it; the CLI maps
 * each class to an exit code (see README, "Exit codes").
 */
export class ReconError extends Error {
  override readonly name: string = 'ReconError';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A pipeline file, flag or parameter is wrong: nothing ran. */
export class ConfigError extends ReconError {
  override readonly name = 'ConfigError';
}

/** An input file (or a row of it) does not meet its contract. */
export class InputError extends ReconError {
  override readonly name = 'InputError';
}

/** A rule cannot run: a missing column, a bad parameter, a failing statement. */
export class RuleError extends ReconError {
  override readonly name = 'RuleError';
}

/** A database statement failed; carries the step and the SQL. */
export class DbError extends ReconError {
  override readonly name = 'DbError';
}

/** A run built everything but failed a check before publishing: nothing was published. */
export class AuditError extends ReconError {
  override readonly name = 'AuditError';
}

/** Another process holds the database's write lock. */
export class LockError extends ReconError {
  override readonly name = 'LockError';
}

/** The message of anything thrown, for logs and reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
