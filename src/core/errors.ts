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

/**
 * Error codes of the machine, not of an input: the disk or quota is full, the device failed,
 * the file system is read-only, the process ran out of memory or file handles, a file hit the
 * size limit.
 */
const MACHINE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'ENOMEM', 'EMFILE', 'ENFILE', 'EFBIG']);
const MACHINE_TEXT = /no space left on device|disk quota exceeded|file too large|out of memory|input\/output error|read-only file system|too many open files/i;
/** DuckDB's errors about the values of a statement (what a strange file can cause), as against its I/O, memory or internal errors. */
const DATA_LEVEL_DB = /\b(Conversion|Invalid Input|Out of Range) Error:/;

/** The error, then its `cause`s. */
function* chain(error: unknown): Generator<unknown> {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

/** True for a fault of the machine (MACHINE_CODES, or their message), also as the `cause` of another error. */
export function isMachineFault(error: unknown): boolean {
  for (const e of chain(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && MACHINE_CODES.has(code)) return true;
    if (e instanceof Error && MACHINE_TEXT.test(e.message)) return true;
  }
  return false;
}

/**
 * Which faults fail a run rather than refuse the one inbox file being loaded when they happen:
 * the machine's (a full disk or quota, a failing device, no memory or file handles: every file
 * after it would meet the same fault, and a night that refused good files because a disk was
 * full would publish findings built on missing sources) and the database's (a DuckDB error
 * other than one about the values of a statement: I/O, memory, internal or catalog errors, a
 * broken transaction). Everything else that goes wrong while one file is read (it cannot be
 * opened, is not what it claims, trips a value error) is that file's problem: it is refused
 * with the message and the night goes on.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (isMachineFault(error)) return true;
  for (const e of chain(error)) if (e instanceof DbError) return !DATA_LEVEL_DB.test(e.message);
  return false;
}
