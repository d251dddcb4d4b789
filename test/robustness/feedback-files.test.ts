import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { FIXTURE_INBOX, query, workdir, type Workdir } from '../e2e/support.ts';

/**
 * Returned files in <inbox>/feedback/ that are not worklists any more (校验码 column deleted, a
 * title row inserted above the header, an unrelated workbook, a copy cut off halfway): each is a
 * refusal of that file, recorded with a message that says what to do, a warning of the run, and
 * a 退回说明 for the office to send back; the good file beside them is applied and the run
 * publishes (exit 3).
 */

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Exit> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', RECON_FROM_SOURCE: '1' };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli/bin.js', ...args], { cwd: path.resolve('.'), env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A worklist's 清单 sheet, a change made to it, saved under `out`. */
async function edited(file: string, out: string, change: (ws: ExcelJS.Worksheet, col: Map<string, number>) => void): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('清单') as ExcelJS.Worksheet;
  const col = new Map<string, number>();
  ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
  // Each file is filled in as a grid worker would, on its first row.
  ws.getCell(2, col.get('核查结果') as number).value = '已督促';
  ws.getCell(2, col.get('核查日期') as number).value = new Date(Date.UTC(2026, 10, 5));
  change(ws, col);
  await wb.xlsx.writeFile(out);
}

const BAD = {
  '清单_删了校验码.xlsx': 'checksum_column_missing',
  '清单_加了标题行.xlsx': 'header_moved',
  '通讯录.xlsx': 'not_worklist',
  '清单_没下载完.xlsx': 'bad_xlsx',
} as const;

describe('returned files that are not worklists any more', () => {
  let work: Workdir;
  let first: RunResult;
  let exit: Exit;

  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX, asOf: '2026-10-31' });
    first = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    const root = path.join(first.outputDir, 'worklists');
    const [a, b] = (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.xlsx')).sort() as [string, string];
    const feedback = path.join(work.inbox, 'feedback');
    fs.mkdirSync(feedback, { recursive: true });
    await edited(path.join(root, a), path.join(feedback, '清单_好的.xlsx'), () => undefined);
    await edited(path.join(root, b), path.join(feedback, '清单_删了校验码.xlsx'), (ws, col) => ws.spliceColumns(col.get('校验码') as number, 1));
    await edited(path.join(root, b), path.join(feedback, '清单_加了标题行.xlsx'), (ws) => {
      ws.insertRow(1, ['XX街道社保扩面核查清单（已核查）']);
    });
    const other = new ExcelJS.Workbook();
    other.addWorksheet('通讯录').addRows([
      ['姓名', '电话'],
      ['王网格', '13900000001'],
    ]);
    await other.xlsx.writeFile(path.join(feedback, '通讯录.xlsx'));
    const whole = fs.readFileSync(path.join(root, b));
    fs.writeFileSync(path.join(feedback, '清单_没下载完.xlsx'), whole.subarray(0, Math.floor(whole.length / 2)));
    exit = await cli(['run', work.pipelineFile]);
    // Two fixture runs, one of them a child process: more than the default hook time on a busy machine.
  }, 180_000);

  it('the run publishes with warnings (exit 3): the good file is applied, each bad one is named with what to do', async () => {
    expect(exit.code, exit.stderr).toBe(3);
    const runJson = JSON.parse(fs.readFileSync(path.join(work.output, 'latest', 'run.json'), 'utf8')) as {
      run_id: string;
      status: string;
      warnings: string[];
      feedback: { files: number; appliedRows: number; refusedFiles: Array<{ file: string; code: string; message: string; returnNote: string }> };
    };
    expect(runJson.status).toBe('warnings');
    expect(runJson.run_id).not.toBe(first.runId);
    expect(runJson.feedback).toMatchObject({ files: 1, appliedRows: 1 });
    expect(Object.fromEntries(runJson.feedback.refusedFiles.map((r) => [path.basename(r.file), r.code]))).toEqual(BAD);
    for (const name of Object.keys(BAD)) {
      expect(runJson.warnings.some((w) => w.startsWith(`feedback: refused ${name}: `))).toBe(true);
    }
    const say = (name: keyof typeof BAD): string => runJson.feedback.refusedFiles.find((r) => path.basename(r.file) === name)?.message ?? '';
    expect(say('清单_删了校验码.xlsx')).toMatch(/no 校验码 column.*Fill in the original worklist/);
    expect(say('清单_加了标题行.xlsx')).toMatch(/header is on row 2, not row 1.*Delete the inserted rows/);
    expect(say('通讯录.xlsx')).toMatch(/is not a worklist.*move this file elsewhere/);
    expect(say('清单_没下载完.xlsx')).toContain('清单_没下载完.xlsx');
    // The summary line names the 退回说明 written for each.
    expect(exit.stdout).toMatch(/feedback: 1 returned worklist\(s\), 1 rows, 0 rejected, 4 file\(s\) refused; 退回说明: /);
    for (const r of runJson.feedback.refusedFiles) {
      const note = path.join(work.output, 'latest', r.returnNote);
      expect(fs.existsSync(note), note).toBe(true);
      expect(exit.stdout).toContain(path.basename(r.returnNote));
    }
  });

  it('each refusal is recorded with its Chinese reason, nothing of those files is applied, and the good one is', async () => {
    const refusals = await query(work.database, `SELECT file, reason_code, message_zh, return_note FROM feedback_refusals ORDER BY file`);
    expect(refusals.map((r) => [path.basename(String(r['file'])), r['reason_code']]).sort()).toEqual(Object.entries(BAD).sort());
    expect(refusals.find((r) => r['reason_code'] === 'header_moved')?.['message_zh']).toContain('表头在第 2 行');
    expect(refusals.find((r) => r['reason_code'] === 'checksum_column_missing')?.['message_zh']).toContain('缺少“校验码”列');
    expect(
      await query(
        work.database,
        `SELECT count(DISTINCT sheet || '!' || "row") AS rows, count(DISTINCT file) AS files, bool_and(status = 'applied') AS ok FROM feedback`,
      ),
    ).toEqual([{ rows: 1, files: 1, ok: true }]);
    expect(await query(work.database, `SELECT file FROM feedback_files`)).toEqual([{ file: path.join(work.inbox, 'feedback', '清单_好的.xlsx') }]);
    const note = new ExcelJS.Workbook();
    await note.xlsx.readFile(path.join(work.output, 'latest', String(refusals.find((r) => r['reason_code'] === 'header_moved')?.['return_note'])));
    const text = (note.getWorksheet('说明') as ExcelJS.Worksheet).getSheetValues().flat().map(String).join('\n');
    expect(text).toContain('整个文件未能读取');
    expect(text).toContain('表头在第 2 行');
  });
});
