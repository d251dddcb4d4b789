import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { workdir, FIXTURE_INBOX, query, type Workdir } from '../e2e/support.ts';
import { load, tempDir, withDb, rows } from '../helpers.ts';
import { findingsOf, recon, type Cli } from './support.ts';
import { AS_ROOT, cliUser, handOver, reconUnprivileged } from './unprivileged.ts';

/**
 * Inbox entries that each failed the whole night before (exit 1, nothing published, night
 * after night): a file name too long for the scratch copy's name, links that dangle, loop, lead
 * to `/` or out of the inbox (whose target was read into run.json, the log, the manifest and
 * the ledger), unreadable files and folders, a named pipe. Each is now refused on its own, with
 * a message saying what to do; the good files load and the run publishes with exit 3.
 */

/** 70 Chinese characters around the date the file name gives the snapshot (210 bytes of the 255 a name may have). */
const LONG = '江苏省苏州市税务局第一稽查局关于二〇二六年度纳税人登记信息的全量导出文件请各经办机构核对后按规定期限反馈意见并妥善保管不得外传';
const LONG_CSV = `税务登记_${LONG.slice(0, 60)}_2026-10.csv`;
const LONG_XLSX = `个税扣缴申报_${LONG.slice(0, 58)}_202610.xlsx`;
/** A registry row that must never reach the database or any report: the target of a link out of the inbox. */
const SECRET = '泄露标记甲乙丙有限公司';
const SECRET_USCC = '91320500MA7SECRET9';

interface RunJson {
  status: string;
  warnings: string[];
  inputs: Array<{ file: string; status: string; message?: string }>;
  rows: { loaded: number };
}

let clean: Workdir;
let hostile: Workdir;
let cleanRun: Cli;
let hostileRun: Cli;
let run: RunJson;
let outputs: string;
let shadowLine = '';

function latest(w: Workdir): string {
  return fs.realpathSync(path.join(w.output, 'latest'));
}

function input(name: string): { status: string; message?: string } | undefined {
  return run.inputs.find((i) => path.basename(i.file) === name);
}

/** Every text the run published: run.json, run.log, the CSVs, and the cells of the ledger's 运行记录 sheet. */
async function publishedText(w: Workdir): Promise<string> {
  const dir = latest(w);
  const texts = ['run.json', 'run.log', 'findings.csv', 'data_quality.csv']
    .map((f) => path.join(dir, f))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, 'utf8'));
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path.join(dir, 'ledger.xlsx'));
  workbook.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.text)))));
  return texts.join('\n');
}

beforeAll(async () => {
  clean = workdir({ source: FIXTURE_INBOX });
  hostile = workdir({ source: FIXTURE_INBOX });
  const inbox = hostile.inbox;
  // A long name for a GBK text (transcoded copy) and for a workbook (converted copy).
  fs.renameSync(path.join(inbox, '税务登记_2026-10.csv'), path.join(inbox, LONG_CSV));
  fs.renameSync(path.join(inbox, '个税扣缴申报202610.xlsx'), path.join(inbox, LONG_XLSX));
  const registry = fs.readFileSync(path.join(FIXTURE_INBOX, '市场监管_企业登记信息_20261031.csv'), 'utf8').split('\n');
  // Outside the inbox: a registry export recon would load if it followed the link.
  const outside = path.join(hostile.dir, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.csv'), `${registry[0]}\n${(registry[1] ?? '').replace(/^[^,]*,[^,]*/, `${SECRET_USCC},${SECRET}`)}\n`);
  // An unreadable file and an unreadable folder (with a good file inside).
  fs.copyFileSync(path.join(FIXTURE_INBOX, '社保单位参保登记_20261031.csv'), path.join(inbox, '社保单位参保登记_加锁_20261101.csv'));
  fs.mkdirSync(path.join(inbox, '加锁目录'));
  fs.writeFileSync(path.join(inbox, '加锁目录', '市场监管_20261101.csv'), registry.slice(0, 3).join('\n'));
  handOver(hostile.dir);
  fs.chmodSync(path.join(inbox, '社保单位参保登记_加锁_20261101.csv'), 0o000);
  fs.chmodSync(path.join(inbox, '加锁目录'), 0o000);
  // Links, made after the hand-over (chown must not touch their targets).
  fs.symlinkSync('/etc/shadow', path.join(inbox, 'x.txt'));
  fs.symlinkSync(path.join(outside, 'secret.csv'), path.join(inbox, '市场监管_外部链接_20261031.csv'));
  fs.symlinkSync('../outside/secret.csv', path.join(inbox, '市场监管_相对链接_20261031.csv'));
  fs.symlinkSync('没有这个文件.csv', path.join(inbox, '断开的链接.csv'));
  fs.symlinkSync('自己.csv', path.join(inbox, '自己.csv'));
  fs.symlinkSync('乙.csv', path.join(inbox, '甲.csv'));
  fs.symlinkSync('甲.csv', path.join(inbox, '乙.csv'));
  fs.symlinkSync('/', path.join(inbox, 'root'));
  fs.symlinkSync('.', path.join(inbox, '本目录'));
  // A link to a file inside the inbox is read (here: the same delivery under a second name).
  fs.symlinkSync('市场监管_企业登记信息_20261031.csv', path.join(inbox, '市场监管_企业登记信息_20261031_链接.csv'));
  // A named pipe: opening it would wait for a writer for ever.
  expect(spawnSync('mkfifo', [path.join(inbox, '管道.csv')]).status).toBe(0);
  try {
    shadowLine = fs.readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? '';
  } catch {
    shadowLine = '';
  }
  [cleanRun, hostileRun] = await Promise.all([recon(['run', clean.pipelineFile]), reconUnprivileged(['run', hostile.pipelineFile], { HOME: hostile.dir })]);
  run = JSON.parse(fs.readFileSync(path.join(latest(hostile), 'run.json'), 'utf8')) as RunJson;
  outputs = await publishedText(hostile);
}, 180_000);

describe('inbox entries that cannot be read', () => {
  it('are refused one by one: the run publishes with exit 3, the good files load as in a clean inbox, the findings are the same', () => {
    expect(cleanRun.code, cleanRun.stderr).toBe(0);
    expect(hostileRun.code, hostileRun.stderr).toBe(3);
    expect(run.status).toBe('warnings');
    const cleanJson = JSON.parse(fs.readFileSync(path.join(latest(clean), 'run.json'), 'utf8')) as RunJson;
    expect(run.rows.loaded).toBe(cleanJson.rows.loaded);
    expect(run.inputs.filter((i) => i.status === 'loaded')).toHaveLength(cleanJson.inputs.filter((i) => i.status === 'loaded').length);
    expect(findingsOf(latest(hostile))).toEqual(findingsOf(latest(clean)));
    // Nothing is left behind: no lock, no staging copy, no partial folder, no scratch.
    expect(fs.existsSync(`${hostile.database}.lock`)).toBe(false);
    expect(fs.readdirSync(path.dirname(hostile.database)).filter((f) => f.includes('staging'))).toEqual([]);
    expect(fs.readdirSync(path.join(hostile.output, 'runs')).filter((f) => f.startsWith('.'))).toEqual([]);
    const work = path.join(path.dirname(hostile.database), 'work');
    expect(fs.existsSync(work) ? fs.readdirSync(work).filter((f) => f.startsWith('recon-')) : []).toEqual([]);
    // Every message is a line of text, never a Node stack.
    expect(hostileRun.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
  });

  it('a file name of 70 Chinese characters loads (scratch copies are named after the run, not the file)', () => {
    expect(Buffer.byteLength(LONG_CSV)).toBeGreaterThan(200);
    expect(input(LONG_CSV)?.status).toBe('loaded');
    expect(input(LONG_XLSX)?.status).toBe('loaded');
  });

  it('links out of the inbox are refused without reading them: nothing of their targets appears in any output or table', async () => {
    for (const name of ['x.txt', '市场监管_外部链接_20261031.csv', '市场监管_相对链接_20261031.csv']) {
      expect(input(name)?.status, name).toBe('refused');
      expect(input(name)?.message, name).toContain('is a symbolic link that leads out of the inbox');
      expect(input(name)?.message, name).toContain('Replace the link with a copy of the file itself');
    }
    expect(outputs).not.toContain(SECRET);
    expect(outputs).not.toContain(SECRET_USCC);
    expect(outputs).not.toContain('/etc/shadow');
    expect(outputs).not.toContain('secret.csv');
    if (shadowLine.length > 8) expect(outputs).not.toContain(shadowLine);
    const leaked = await query(
      hostile.database,
      `SELECT (SELECT count(*) FROM registration WHERE uscc = '${SECRET_USCC}' OR name = '${SECRET}') AS rows,
              (SELECT count(*) FROM manifest WHERE message LIKE '%${SECRET}%' OR message LIKE '%secret.csv%' OR message LIKE '%/etc/shadow%') AS messages`,
    );
    expect(leaked).toEqual([{ rows: 0, messages: 0 }]);
  });

  it('dangling and looping links, and links to folders (to / and to the inbox itself), are refused, the walk goes on', () => {
    expect(input('断开的链接.csv')?.message).toContain('whose target does not exist');
    expect(input('自己.csv')?.message).toContain('that loops');
    expect(input('甲.csv')?.message).toContain('that loops');
    expect(input('乙.csv')?.message).toContain('that loops');
    expect(input('root')?.message).toContain('to a folder (links to folders are not followed)');
    expect(input('本目录')?.message).toContain('to a folder');
    for (const name of ['断开的链接.csv', '自己.csv', '甲.csv', '乙.csv', 'root', '本目录']) expect(input(name)?.status, name).toBe('refused');
  });

  it('a link to a file inside the inbox is read', () => {
    // The same content as the registry delivered under its own name: one delivery under two names.
    expect(input('市场监管_企业登记信息_20261031_链接.csv')?.status).toBe('duplicate');
  });

  it('an unreadable file and an unreadable folder are refused, naming the user recon runs as and what to do', () => {
    const file = input('社保单位参保登记_加锁_20261101.csv');
    expect(file?.status).toBe('refused');
    expect(file?.message).toContain('permission denied');
    expect(file?.message).toContain(`(${cliUser()})`);
    expect(file?.message).toContain('chmod o+r');
    const folder = input('加锁目录');
    expect(folder?.status).toBe('refused');
    expect(folder?.message).toContain('Cannot open the folder');
    expect(folder?.message).toContain('chmod o+rx');
    expect(AS_ROOT ? cliUser() : 'x').not.toBe('root');
  });

  it('a named pipe is refused without being opened', () => {
    expect(input('管道.csv')?.status).toBe('refused');
    expect(input('管道.csv')?.message).toContain('is not a regular file');
  });

  it('every refusal is a warning in run.json and a manifest row', async () => {
    const refused = run.inputs.filter((i) => i.status === 'refused');
    expect(refused.length).toBe(12);
    for (const r of refused) expect(run.warnings.some((w) => w.startsWith(`refused ${path.basename(r.file)}:`))).toBe(true);
    const manifest = await query(hostile.database, `SELECT file_name, status, sha256, size_bytes FROM manifest WHERE status = 'refused' ORDER BY file_name`);
    expect(manifest.map((m) => m['file_name'])).toEqual(refused.map((r) => path.basename(r.file)).sort());
    // Nothing was read of them: no content hash.
    expect(manifest.every((m) => m['sha256'] === '')).toBe(true);
  });
});

describe('an error nobody foresaw while loading one file', () => {
  it('refuses that file with the message (no stack), records it, and the next file loads', async () => {
    const dir = tempDir();
    const odd = path.join(dir, '社保单位参保登记_20261031.csv');
    fs.mkdirSync(odd); // a folder where a file should be: reading it fails with EISDIR
    const good = path.join(dir, 'good.csv');
    fs.copyFileSync(path.join(FIXTURE_INBOX, '社保单位参保登记_20261031.csv'), good);
    await withDb(async (db) => {
      const result = await load(db, odd);
      expect(result.status).toBe('refused');
      if (result.status !== 'refused') return;
      expect(result.reason).toBe('load_error');
      expect(result.message).toContain('EISDIR');
      expect(result.message).toContain('The file was skipped and the data already loaded stays in use');
      expect(result.message).not.toMatch(/\n\s+at /);
      expect(await rows(db, `SELECT status FROM manifest`)).toEqual([{ status: 'refused' }]);
      expect((await load(db, good)).status).toBe('loaded');
    });
  });

  it('a full disk is not the file’s fault: it fails the run (thrown), so the previous state stays', async () => {
    const dir = tempDir();
    const file = path.join(dir, '社保单位参保登记_20261031.csv');
    fs.copyFileSync(path.join(FIXTURE_INBOX, '社保单位参保登记_20261031.csv'), file);
    process.env['RECON_FAULT'] = 'enospc:ingest.write';
    try {
      await withDb(async (db) => {
        await expect(load(db, file)).rejects.toThrow(/ENOSPC/);
      });
    } finally {
      delete process.env['RECON_FAULT'];
    }
  });
});
