import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ReconError } from '../core/errors.ts';

/** A tool the render check needs is missing, or a conversion failed. */
export class RenderCheckError extends ReconError {
  override readonly name = 'RenderCheckError';
}

/** The programs the render check runs and the Debian package that provides each. */
export const RENDER_TOOLS = [
  { program: 'soffice', pkg: 'libreoffice-calc-nogui', why: 'xlsx -> pdf' },
  { program: 'pdftoppm', pkg: 'poppler-utils', why: 'pdf -> png' },
  { program: 'chromium', pkg: 'chromium', why: 'summary.html -> png' },
] as const;

/** The font LibreOffice and Chromium need for Chinese text. */
export const RENDER_FONT = { family: 'Noto Sans CJK SC', pkg: 'fonts-noto-cjk' } as const;

export interface RenderCheckOptions {
  /** The reports folder holding `latest` (default `reports`). */
  reports?: string;
  /** The environment whose PATH is searched (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Seconds each conversion may take. */
  timeoutSeconds?: number;
}

export interface RenderCheckResult {
  runDir: string;
  /** `<reports>/render-check/<run id>/`: never inside the published run folder. */
  renderDir: string;
  /** Every PNG made, in order. */
  made: string[];
}

/** The full path of a program found on PATH, or undefined. */
export function findProgram(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this PATH entry: try the next one
    }
  }
  return undefined;
}

/** Whether fontconfig knows the CJK font; undefined when fc-list itself is missing (not checkable). */
function hasCjkFont(env: NodeJS.ProcessEnv): boolean | undefined {
  const fcList = findProgram('fc-list', env);
  if (!fcList) return undefined;
  const out = spawnSync(fcList, [':', 'family'], { encoding: 'utf8', env });
  return out.status === 0 ? out.stdout.includes(RENDER_FONT.family) : undefined;
}

/** The first worklist workbook under `<run>/worklists`, if any. */
function firstWorklist(runDir: string): string | undefined {
  const root = path.join(runDir, 'worklists');
  if (!fs.existsSync(root)) return undefined;
  const found = (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.xlsx') && !path.basename(f).startsWith('~$'))
    .sort();
  return found[0] ? path.join(root, found[0]) : undefined;
}

/** Headless, offline, no profile state: the page is rendered as a file on its own. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function run(program: string, args: string[], env: NodeJS.ProcessEnv, timeoutSeconds: number, what: string): void {
  const out = spawnSync(program, args, { encoding: 'utf8', env, timeout: timeoutSeconds * 1000 });
  if (out.error || out.status !== 0) {
    const detail = out.error ? out.error.message : (out.stderr || out.stdout || `exit code ${out.status}`).trim().split('\n').slice(-3).join(' | ');
    throw new RenderCheckError(`render-check: ${what} failed: ${detail}`, { program, args });
  }
}

/** Where the render check of a run goes: `<reports>/render-check/<run id>/`, beside the run folders, never in one. */
export function renderDirFor(reports: string, runDir: string): string {
  return path.join(path.resolve(reports), 'render-check', path.basename(runDir));
}

/**
 * Renders the latest run's ledger.xlsx, one worklist workbook and summary.html to PNG under
 * `<reports>/render-check/<run id>/` (LibreOffice -> PDF -> pdftoppm; headless Chromium, as a
 * screenshot and as the printed A4 pages), so a person can look at what the office will print.
 * A published run folder stays as it was published. Fails with the Debian package to install
 * when a tool is missing.
 */
export function renderCheck(options: RenderCheckOptions = {}): RenderCheckResult {
  const env = options.env ?? process.env;
  const timeout = options.timeoutSeconds ?? 180;
  const missing = RENDER_TOOLS.filter((t) => !findProgram(t.program, env));
  const font = hasCjkFont(env);
  const problems = missing.map((t) => `${t.program} (${t.why}) is not installed: install the Debian package ${t.pkg}`);
  if (font === false)
    problems.push(`the font "${RENDER_FONT.family}" is not installed (Chinese would not render): install the Debian package ${RENDER_FONT.pkg}`);
  if (problems.length) {
    const pkgs = [...missing.map((t) => t.pkg), ...(font === false ? [RENDER_FONT.pkg] : [])];
    throw new RenderCheckError(`render-check cannot run:\n${problems.map((p) => `  - ${p}`).join('\n')}\nInstall with: apt-get install -y ${pkgs.join(' ')}`, {
      missing: pkgs,
    });
  }
  const latest = path.join(options.reports ?? 'reports', 'latest');
  if (!fs.existsSync(latest)) throw new RenderCheckError(`render-check: there is no run folder at ${latest}: run the pipeline first (npm start).`);
  const runDir = fs.realpathSync(latest);
  const ledger = path.join(runDir, 'ledger.xlsx');
  const summary = path.join(runDir, 'summary.html');
  const absent = [ledger, summary].filter((f) => !fs.existsSync(f));
  if (absent.length)
    throw new RenderCheckError(
      `render-check: the run folder ${runDir} has no ${absent.map((f) => path.basename(f)).join(' or ')}: was it made by a pipeline that writes the ledgers?`,
    );

  const renderDir = renderDirFor(options.reports ?? 'reports', runDir);
  fs.rmSync(renderDir, { recursive: true, force: true });
  fs.mkdirSync(renderDir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'recon-render-'));
  const soffice = findProgram('soffice', env) as string;
  const pdftoppm = findProgram('pdftoppm', env) as string;
  const chromium = findProgram('chromium', env) as string;
  const made: string[] = [];
  try {
    const workbooks: Array<[string, string]> = [[ledger, 'ledger']];
    const worklist = firstWorklist(runDir);
    if (worklist) workbooks.push([worklist, 'worklist']);
    for (const [file, name] of workbooks) {
      // A private LibreOffice profile: a desktop instance or a parallel check must not collide.
      const copy = path.join(scratch, `${name}.xlsx`);
      fs.copyFileSync(file, copy);
      run(
        soffice,
        [`-env:UserInstallation=file://${path.join(scratch, 'lo-profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', scratch, copy],
        env,
        timeout,
        `LibreOffice converting ${path.basename(file)} to PDF`,
      );
      const pdf = path.join(scratch, `${name}.pdf`);
      if (!fs.existsSync(pdf)) throw new RenderCheckError(`render-check: LibreOffice wrote no PDF for ${path.basename(file)}`);
      fs.copyFileSync(pdf, path.join(renderDir, `${name}.pdf`));
      run(pdftoppm, ['-png', '-r', '80', pdf, path.join(renderDir, name)], env, timeout, `pdftoppm on ${name}.pdf`);
      made.push(
        ...fs
          .readdirSync(renderDir)
          .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'))
          .sort()
          .map((f) => path.join(renderDir, f)),
      );
    }
    const shot = path.join(renderDir, 'summary.png');
    run(
      chromium,
      [...CHROMIUM_FLAGS, `--user-data-dir=${path.join(scratch, 'chromium')}`, `--screenshot=${shot}`, '--window-size=1280,2000', `file://${summary}`],
      env,
      timeout,
      'Chromium rendering summary.html',
    );
    if (!fs.existsSync(shot)) throw new RenderCheckError('render-check: Chromium wrote no screenshot of summary.html');
    made.push(shot);
    // The page as a leader prints it: A4 pages from the print styles.
    const printed = path.join(renderDir, 'summary-print.pdf');
    run(
      chromium,
      [...CHROMIUM_FLAGS, `--user-data-dir=${path.join(scratch, 'chromium')}`, '--no-pdf-header-footer', `--print-to-pdf=${printed}`, `file://${summary}`],
      env,
      timeout,
      'Chromium printing summary.html to PDF',
    );
    if (!fs.existsSync(printed)) throw new RenderCheckError('render-check: Chromium wrote no PDF of summary.html');
    run(pdftoppm, ['-png', '-r', '80', printed, path.join(renderDir, 'summary-print')], env, timeout, 'pdftoppm on summary-print.pdf');
    made.push(
      ...fs
        .readdirSync(renderDir)
        .filter((f) => f.startsWith('summary-print-') && f.endsWith('.png'))
        .sort()
        .map((f) => path.join(renderDir, f)),
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { runDir, renderDir, made };
}
