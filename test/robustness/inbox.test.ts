import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { workdir, FIXTURE_INBOX } from '../e2e/support.ts';
import { materialise, readCases } from './corpus.ts';
import { findingsOf, recon } from './support.ts';

/** Every cell text of one sheet of a workbook. */
async function sheetText(file: string, sheet: string): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const ws = workbook.getWorksheet(sheet);
  const texts: string[] = [];
  ws?.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.text))));
  return texts.join('\n');
}

describe('the nightly inbox with the bad corpus mixed in', () => {
  it('refuses and reports every bad file, loads the good ones, publishes with exit 3 and the same findings as a clean inbox', async () => {
    const clean = workdir({ source: FIXTURE_INBOX });
    const mixed = workdir({ source: FIXTURE_INBOX });
    const bad = readCases().filter((c) => c.mixed);
    expect(bad.length).toBeGreaterThanOrEqual(15);
    for (const c of bad) materialise(c, mixed.inbox);

    const a = await recon(['run', clean.pipelineFile]);
    expect(a.code, a.stderr).toBe(0);
    const b = await recon(['run', mixed.pipelineFile]);
    expect(b.code, b.stderr).toBe(3);

    const latest = (w: typeof clean): string => fs.realpathSync(path.join(w.output, 'latest'));
    expect(findingsOf(latest(mixed))).toEqual(findingsOf(latest(clean)));
    expect(findingsOf(latest(clean)).length).toBeGreaterThan(100);

    const runJson = (
      w: typeof clean,
    ): { status: string; warnings: string[]; inputs: Array<{ file: string; status: string; message?: string }>; rows: { loaded: number } } =>
      JSON.parse(fs.readFileSync(path.join(latest(w), 'run.json'), 'utf8'));
    const cleanRun = runJson(clean);
    const run = runJson(mixed);
    expect(run.status).toBe('warnings');
    // The good files loaded exactly as without the bad ones.
    expect(run.rows.loaded).toBe(cleanRun.rows.loaded);
    expect(run.inputs.filter((i) => i.status === 'loaded').map((i) => path.basename(i.file))).toEqual(
      cleanRun.inputs.filter((i) => i.status === 'loaded').map((i) => path.basename(i.file)),
    );

    const log = fs
      .readFileSync(path.join(latest(mixed), 'run.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { level: number; msg: string; file?: string });
    const ledger = await sheetText(path.join(latest(mixed), 'ledger.xlsx'), '运行记录');
    for (const c of bad) {
      const input = run.inputs.find((i) => path.basename(i.file) === c.file);
      expect(input?.status, c.id).toBe(c.outcome);
      expect(input?.message, c.id).toContain(c.message);
      // run.json warnings, the ledger's run sheet and the log each name the file.
      expect(
        run.warnings.some((w) => w.includes(c.file) && w.includes(c.message)),
        `${c.id} in run.json warnings`,
      ).toBe(true);
      expect(ledger, `${c.id} in 运行记录`).toContain(c.file);
      expect(
        log.some((l) => l.level >= 40 && (l.file === c.file || l.msg.includes(c.file))),
        `${c.id} in run.log`,
      ).toBe(true);
    }
    expect(run.warnings).toHaveLength(bad.length);
    // stderr (cron's mail) carries the warnings too.
    expect(b.stderr).toContain(bad[0]?.file);
  }, 240_000);
});
