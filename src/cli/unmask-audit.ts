import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, errorMessage } from '../core/errors.ts';
import { maskIdNumbers } from '../core/personal.ts';

/**
 * The record of every use of `--unmask` (`recon query --unmask`, `recon person --unmask`):
 * `<output folder>/unmask-audit.log`, one JSON line per use, readable by the service account
 * alone (0600, whatever the umask). A line says when, which OS account, which command (its
 * arguments as typed), the SQL or the lookup, how many rows, and whether it ended well. Full ID
 * numbers never go into it (it is a log): the SQL and the lookup are written with their IDs
 * masked, and `recon person` adds the person keys (persons.person_key) it showed, which the
 * database resolves for whoever audits the file.
 */
export const AUDIT_FILE = 'unmask-audit.log';

export interface UnmaskAuditEntry {
  /** `query` or `person`. */
  command: string;
  /** The SQL (`recon query`) or the ID/name looked up (`recon person`); masked when written. */
  sql?: string;
  lookup?: string;
  rows: number;
  /** The person keys shown (`recon person`). */
  person_keys?: string[];
  /** The file written (`-o`), if any. */
  output?: string;
  status: 'ok' | 'failed';
  error?: string;
}

/** The OS account running the command: its name, else $USER, else its uid. */
export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['LOGNAME'] ?? `uid:${process.getuid?.() ?? '?'}`;
  }
}

/** A lookup as the log keeps it: ID numbers masked (6+4), a name as its first character and stars (张**). */
export function maskLookup(lookup: string): string {
  const masked = maskIdNumbers(lookup.trim());
  if (masked !== lookup.trim() || /\d/.test(masked)) return masked;
  const chars = [...masked];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/** The command line as typed (`recon query --unmask "SELECT ..."`), IDs masked. */
function commandLine(lookup: string | undefined): string {
  const args = process.argv.slice(2).map((a) => {
    const shown = lookup !== undefined && a.trim() === lookup.trim() ? maskLookup(a) : maskIdNumbers(a);
    return /[\s"'$]/.test(shown) ? JSON.stringify(shown) : shown;
  });
  return ['recon', ...args].join(' ');
}

/**
 * Opens the audit log for appending (created 0600; an existing one is tightened to 0600) before
 * anything unmasked is shown: a use that cannot be recorded is refused.
 */
export function openUnmaskAudit(outputDir: string): { file: string; record: (entry: UnmaskAuditEntry) => void } {
  const file = path.join(path.resolve(outputDir), AUDIT_FILE);
  let fd: number;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    fs.fchmodSync(fd, 0o600);
  } catch (error) {
    throw new ConfigError(
      `--unmask is recorded in ${file}, which cannot be written (${errorMessage(error)}): nothing was shown. Run recon as the account that owns the output folder.`,
    );
  }
  return {
    file,
    record: (entry) => {
      const line = {
        time: new Date().toISOString(),
        user: osUser(),
        command: entry.command,
        argv: commandLine(entry.lookup),
        ...(entry.sql !== undefined ? { sql: maskIdNumbers(entry.sql) } : {}),
        ...(entry.lookup !== undefined ? { lookup: maskLookup(entry.lookup) } : {}),
        rows: entry.rows,
        ...(entry.person_keys ? { person_keys: entry.person_keys } : {}),
        ...(entry.output ? { output: entry.output } : {}),
        status: entry.status,
        ...(entry.error ? { error: maskIdNumbers(entry.error) } : {}),
        pid: process.pid,
      };
      try {
        fs.writeSync(fd, `${JSON.stringify(line)}\n`);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}
