import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';

const exec = promisify(execFile);
export const BIN = path.resolve('src/cli/bin.js');

export interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as cron would (no terminal), with extra environment variables. */
export async function recon(args: string[], env: Record<string, string> = {}): Promise<Cli> {
  try {
    const { stdout, stderr } = await exec('node', [BIN, ...args], { env: { ...process.env, CI: 'true', ...env }, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * The findings of a run folder as sorted lines, without what differs between two databases
 * built from the same facts in another order (case and employer ids).
 */
export function findingsOf(runDir: string): string[] {
  const records = parse(fs.readFileSync(path.join(runDir, 'findings.csv')), { columns: true, bom: true }) as Array<Record<string, string>>;
  return records.map(({ case_id: _c, employer_id: _e, ...rest }) => JSON.stringify(rest)).sort();
}

/** Every file under `dir`, relative, sorted. */
export function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).map((p) => p.split(path.sep).join('/')).sort();
}
