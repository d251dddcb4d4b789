import fs from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { BIN, type Cli } from './support.ts';

const exec = promisify(execFile);

/**
 * Root reads every file whatever its mode, so a test of unreadable inbox entries runs the CLI
 * as an unprivileged user when the tests run as root (CI): `nobody` (65534), through setpriv.
 * As any other user, chmod 000 already locks that user out, and the CLI runs as it is.
 */
export const AS_ROOT = process.getuid?.() === 0;
const NOBODY = '65534';

/** Gives `dir` and everything under it to the user the CLI will run as (nobody, when root). Call before making links. */
export function handOver(dir: string): void {
  if (!AS_ROOT) return;
  const r = spawnSync('chown', ['-R', '-P', `${NOBODY}:${NOBODY}`, dir]);
  if (r.status !== 0) throw new Error(`chown failed: ${String(r.stderr)}`);
  fs.chmodSync(dir, 0o755);
}

/** The user the CLI runs as, as its messages name it. */
export function cliUser(): string {
  return AS_ROOT ? 'nobody' : (process.env['USER'] ?? '');
}

/** Runs the CLI as cron would (no terminal), as nobody when the tests run as root. */
export async function reconUnprivileged(args: string[], env: Record<string, string> = {}): Promise<Cli> {
  if (AS_ROOT) assertNobodyCanRun();
  const [command, argv] = AS_ROOT ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'node', BIN, ...args]] : ['node', [BIN, ...args]];
  try {
    const { stdout, stderr } = await exec(command, argv as string[], { env: { ...process.env, CI: 'true', ...env }, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let nobodyChecked = false;

/**
 * The checkout must be readable by nobody, or the CLI cannot even start as nobody and the tests
 * fail on missing output (a clone inside a `mktemp -d` folder is 0700): said once, plainly.
 */
function assertNobodyCanRun(): void {
  if (nobodyChecked) return;
  const r = spawnSync('setpriv', [
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    '--clear-groups',
    'node',
    '-e',
    `require('fs').accessSync(${JSON.stringify(BIN)})`,
  ]);
  if (r.status !== 0) {
    throw new Error(
      `These tests run the CLI as nobody (the tests run as root), and nobody cannot read ${BIN}: let every folder above the checkout be readable (chmod o+rx, e.g. on a mktemp -d folder) and run them again.`,
    );
  }
  nobodyChecked = true;
}
