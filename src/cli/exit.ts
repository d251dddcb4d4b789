import { ConfigError, LockError } from '../core/errors.ts';

/** Exit codes, documented in the README; cron and shell scripts test them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  warnings: 3,
  locked: 4,
} as const;

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return EXIT.usage;
  if (error instanceof LockError) return EXIT.locked;
  return EXIT.failed;
}
