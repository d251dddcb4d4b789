import fs from 'node:fs';
import path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { VERSION } from '../../src/cli/program.ts';

const ROOT = path.resolve('.');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], cwd: string): Promise<Exit> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  delete env['NODE_OPTIONS'];
  delete env['RECON_FROM_SOURCE'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * `recon` as installed: a build in dist/ beside the launcher. Built here into a folder of its
 * own (the checkout's dist/ is shared), holding the launcher and nothing else of src/, so a
 * launcher that fell back to the TypeScript sources would fail instead of passing slowly.
 */
describe('recon starts from the build', () => {
  let root = '';
  beforeAll(() => {
    root = tempDir('recon-build-');
    const tsc = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(root, 'dist')],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    // A type error elsewhere is `npm run typecheck`'s to report; what matters here is the emitted program.
    if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error(`the build wrote no dist/cli/main.js:\n${tsc.stdout}${tsc.stderr}`);
    fs.mkdirSync(path.join(root, 'src', 'cli'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'src', 'cli', 'bin.js'), path.join(root, 'src', 'cli', 'bin.js'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    // The stamp tools/build-assets.mjs writes: newer than every file under src/, so the launcher takes the build.
    fs.writeFileSync(path.join(root, 'dist', '.build'), `${JSON.stringify({ newestSource: Date.now() + 60_000, builtAt: new Date().toISOString() })}\n`);
    // Records every module the process loads, on stderr.
    fs.writeFileSync(
      path.join(root, 'trace-hooks.mjs'),
      `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('LOADED ' + r.url + '\\n'); return r; }\n`,
    );
    fs.writeFileSync(
      path.join(root, 'trace.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${path.join(root, 'trace-hooks.mjs')}`)});\n`,
    );
  }, 120_000);

  it('node src/cli/bin.js --version prints the version from the build', async () => {
    const out = await node([path.join(root, 'src', 'cli', 'bin.js'), '--version'], root);
    expect(out, out.stderr).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('--help from the build lists the commands', async () => {
    const out = await node([path.join(root, 'src', 'cli', 'bin.js'), '--help'], root);
    expect(out.code, out.stderr).toBe(0);
    for (const c of ['run', 'ingest', 'query', 'tables', 'employer', 'rules', 'render-check']) expect(out.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
  });

  it('--version and --help load commander and none of the heavy libraries (they load in the actions)', async () => {
    for (const flag of ['--version', '--help']) {
      const out = await node(['--import', path.join(root, 'trace.mjs'), path.join(root, 'src', 'cli', 'bin.js'), flag], root);
      expect(out.code, out.stderr).toBe(0);
      const packages = [...new Set([...out.stderr.matchAll(/^LOADED file:\/\/.*?\/node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1] as string))].sort();
      expect(packages, flag).toEqual(['commander']);
    }
  });
});
