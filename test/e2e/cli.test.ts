import fs from 'node:fs';
import path from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_INBOX, workdir, type Workdir } from './support.ts';

const ROOT = path.resolve('.');
const BIN = 'src/cli/bin.js';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  delete env['NODE_OPTIONS'];
  return env;
}

/** Starts `node src/cli/bin.js ...args` in the project folder; `done` settles with its exit, never rejects. */
function start(args: string[]): { child: ChildProcess; done: Promise<Exit> } {
  let child!: ChildProcess;
  const done = new Promise<Exit>((resolve) => {
    child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
  return { child, done };
}

function recon(...args: string[]): Promise<Exit> {
  return start(args).done;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('the recon CLI, as cron runs it', () => {
  // One run on a copy of the fixture, and a second one started while the first holds the lock.
  let work: Workdir;
  let firstPid: number | undefined;
  let holderPid: number | undefined;
  let first: Exit;
  let second: Exit;
  let firstDoneBeforeSecond: boolean;

  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX });
    const lock = `${work.database}.lock`;
    const running = start(['run', work.pipelineFile]);
    firstPid = running.child.pid;
    let finished = false;
    void running.done.then(() => (finished = true));
    // The lock file is written in one call, but may be seen empty for an instant.
    const holder = (): number | undefined => {
      try {
        return (JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid: number }).pid;
      } catch {
        return undefined;
      }
    };
    if (await waitFor(() => holder() !== undefined || finished, 30_000)) {
      holderPid = holder();
      second = await recon('run', work.pipelineFile);
      firstDoneBeforeSecond = finished;
    }
    first = await running.done;
  });

  it('recon run on a copy of the fixture exits 0 and prints the per-kind table and the findings line', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/ERROR|WARN/);
    const lines = first.stdout.split('\n');
    for (const kind of ['registration', 'tax_registration', 'tax_withholding', 'civil_org', 'si_enrollment', 'si_payment']) {
      expect(
        lines.some((l) => l.startsWith(`${kind} `)),
        kind,
      ).toBe(true);
    }
    expect(first.stdout).toMatch(/^total\s+合计\s+17\s+38133\s+24$/m);
    expect(first.stdout).toMatch(
      /^rules \(closed month 2026-09\): 551 findings; uninsured 68, tax_not_insured 22, .*closed_still_enrolled 7, person_uninsured 200, person_base_low 27, person_lapsed 152, assistance_not_covered 16, project_uninsured 8$/m,
    );
    expect(first.stdout).toMatch(/^cases: 551 new, 0 resolved, 0 reopened$/m);
    expect(first.stdout).toMatch(/^run \S+: succeeded, as of 2026-10-31$/m);
    expect(fs.existsSync(path.join(work.output, 'latest', 'findings.csv'))).toBe(true);
    expect(fs.existsSync(`${work.database}.lock`)).toBe(false);
  });

  it('a second run started while the first holds the lock exits 4, and the first still publishes', () => {
    expect(holderPid).toBeDefined();
    expect(holderPid).toBe(firstPid);
    expect(second.code, second.stderr).toBe(4);
    expect(second.stderr).toContain('is in use by "recon run"');
    expect(second.stderr).toContain(`pid ${firstPid}`);
    // The refusal came while the first was still at work, and did not disturb it.
    expect(firstDoneBeforeSecond).toBe(false);
    expect(first.code).toBe(0);
    const runs = fs.readdirSync(path.join(work.output, 'runs'));
    expect(runs.filter((r) => !r.startsWith('.') && !r.endsWith('.failed'))).toHaveLength(1);
    // The refused run wrote nothing: no .failed folder for `recon runs` and `recon retry`.
    expect(runs.filter((r) => r.endsWith('.failed'))).toHaveLength(0);
  });

  it('--help of the program and of every command exits 0', async () => {
    const top = await recon('--help');
    expect(top.code).toBe(0);
    const section = top.stdout.split(/^Commands:$/m)[1] ?? '';
    const commands = [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1] as string).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['run', 'ingest', 'employer', 'query', 'feedback', 'schema']));
    expect(commands).not.toContain('generate');
    // Three at a time: each start compiles the sources through tsx.
    const results: Array<Exit & { command: string }> = [];
    for (let i = 0; i < commands.length; i += 3) {
      results.push(...(await Promise.all(commands.slice(i, i + 3).map(async (c) => ({ command: c, ...(await recon(c, '--help')) })))));
    }
    for (const r of results) {
      expect({ command: r.command, code: r.code }).toEqual({ command: r.command, code: 0 });
      expect(r.stdout, r.command).toContain(`Usage: recon ${r.command}`);
    }
  });

  it('an unknown option exits 2 and names it', async () => {
    const work = workdir({ source: FIXTURE_INBOX });
    const out = await recon('run', work.pipelineFile, '--no-such-flag');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("unknown option '--no-such-flag'");
    expect(fs.existsSync(work.database)).toBe(false);
  });

  it('a pipeline file with a misspelt key exits 2 and names the key and the file', async () => {
    const work = workdir({ source: FIXTURE_INBOX });
    const file = path.join(work.dir, 'typo.yaml');
    fs.writeFileSync(file, fs.readFileSync(work.pipelineFile, 'utf8').replace('output: reports', 'outptu: reports'));
    const out = await recon('run', file);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(file);
    expect(out.stderr).toContain('Unrecognized key: "outptu"');
    expect(out.stderr).toMatch(/output: .*expected string/);
    expect(fs.existsSync(work.database)).toBe(false);
  });
});
