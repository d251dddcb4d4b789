import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { LOCAL_PARAMS } from '../e2e/support.ts';
import { tempDir } from '../helpers.ts';
import { recon } from './support.ts';

/**
 * A layout that read recon's own files back every night: the output folder inside the inbox
 * (each run's reports were the next run's deliveries). Refused when the pipeline file is read.
 */
function pipelineFile(dir: string, lines: string[]): string {
  const file = path.join(dir, 'pipeline.yaml');
  fs.writeFileSync(file, [`local_params: ${LOCAL_PARAMS}`, ...lines].join('\n'));
  return file;
}

describe('folders recon writes, inside the inbox', () => {
  it('the output folder inside the inbox: `recon run` exits 2 before anything is written, saying to move one of them', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'inbox'));
    const file = pipelineFile(dir, ['inbox: inbox', 'database: data/recon.duckdb', 'output: inbox/reports']);
    const r = await recon(['run', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^recon: Pipeline file ".*pipeline\.yaml": the output folder ".*inbox\/reports" \("output" \(or --out\)\) is inside the inbox/m);
    expect(r.stderr).toContain('Move it out of the inbox, or the inbox elsewhere');
    expect(fs.readdirSync(dir).sort()).toEqual(['inbox', 'pipeline.yaml']);
    expect(fs.readdirSync(path.join(dir, 'inbox'))).toEqual([]);
    // --out moves it out: the same file is accepted.
    expect(() => loadPipeline(file, { output: path.join(dir, 'reports') })).not.toThrow();
  });

  it('the database, the work folder and the spill folder inside the inbox are refused too, also when the inbox is reached through a link', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'inbox'));
    fs.symlinkSync('inbox', path.join(dir, 'drop'));
    const cases: Array<[string[], RegExp]> = [
      [['inbox: inbox', 'database: inbox/recon.duckdb', 'output: reports', 'work_dir: work'], /the database ".*inbox\/recon\.duckdb"/],
      [['inbox: inbox', 'database: data/recon.duckdb', 'output: reports', 'work_dir: inbox/.work'], /the work folder ".*inbox\/\.work"/],
      [
        ['inbox: inbox', 'database: inbox/sub/recon.duckdb', 'output: reports'],
        /the database .*, the work folder .*, the DuckDB spill folder .* are inside the inbox/,
      ],
      [['inbox: inbox', 'database: data/recon.duckdb', 'output: reports', 'duckdb: { temp_directory: inbox/spill }'], /the DuckDB spill folder/],
      [['inbox: drop', 'database: data/recon.duckdb', 'output: inbox/out'], /the output folder/],
      [['inbox: inbox', 'database: data/recon.duckdb', 'output: drop'], /the output folder/],
      [['inbox: .', 'database: data/recon.duckdb', 'output: reports'], /inside the inbox/],
    ];
    for (const [lines, message] of cases) {
      const file = pipelineFile(dir, lines);
      let error: unknown;
      try {
        loadPipeline(file);
      } catch (e) {
        error = e;
      }
      expect(error, lines.join('; ')).toBeInstanceOf(ConfigError);
      expect(String((error as Error).message), lines.join('; ')).toMatch(message);
    }
    // Side by side (the usual layout), and the inbox inside the output folder, are fine.
    for (const lines of [
      ['inbox: inbox', 'database: data/recon.duckdb', 'output: reports'],
      ['inbox: reports/inbox', 'database: data/recon.duckdb', 'output: reports'],
      ['inbox: inbox', 'database: inboxes.duckdb', 'output: inbox-reports'],
    ]) {
      expect(() => loadPipeline(pipelineFile(dir, lines)), lines.join('; ')).not.toThrow();
    }
  });
});
