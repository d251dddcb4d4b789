import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';

/**
 * The bad-input corpus (fixtures/bad/): each case is a file an agency or a desktop could send,
 * with the outcome and message recon must give. Small cases are committed in fixtures/bad/
 * (written by `npx tsx test/robustness/corpus.ts`); the big ones (a 50 MB cell, a 10,000-column
 * row) are generated at test time so the repository stays small.
 */
export const BAD_DIR = path.resolve('fixtures/bad');
export const GOOD_INBOX = path.resolve('fixtures/inbox');

export type Outcome = 'refused' | 'loaded' | 'duplicate';

export interface BadCase {
  id: string;
  /** What the file is. */
  title: string;
  /** Its name in the inbox. */
  file: string;
  /** Generated at test time (too big to commit). */
  generated: boolean;
  outcome: Outcome;
  /** The refusal reason (manifest / LoadResult), for refused files. */
  reason?: string;
  /** A fragment the message must contain. */
  message: string;
  /** Rows loaded and rejected, for loaded files. */
  rows?: { loaded: number; rejected: number };
  /** Goes into the mixed nightly inbox (a file whose rows would load changes the findings by design). */
  mixed: boolean;
  /** What recon does with it, for docs/robustness.md. */
  does: string;
}

/** The manifest: fixtures/bad/cases.json. */
export function readCases(): BadCase[] {
  return JSON.parse(fs.readFileSync(path.join(BAD_DIR, 'cases.json'), 'utf8')) as BadCase[];
}

const REG = '市场监管_企业登记信息_20261031.csv';
const PAY_GBK = '社保费征收明细_20260715.csv';
const XLSX = '个税扣缴申报202610.xlsx';

function goodText(name: string): string {
  const bytes = fs.readFileSync(path.join(GOOD_INBOX, name));
  const utf8 = bytes.toString('utf8');
  return (utf8.includes('\uFFFD') ? iconv.decode(bytes, 'gb18030') : utf8).replace(/^\uFEFF/, '');
}

function lines(name: string): string[] {
  return goodText(name)
    .split(/\r?\n/)
    .filter((l) => l !== '');
}

/** A registration row with every field but the ones given from the fixture's first data row. */
function regRow(fields: Partial<Record<'uscc' | 'name' | 'established' | 'address', string>>): string {
  const cells = (lines(REG)[1] as string).split(',');
  if (fields.uscc !== undefined) cells[0] = fields.uscc;
  if (fields.name !== undefined) cells[1] = fields.name;
  // The column by its header (the registry export gained 曾用名 after the name).
  const established = (lines(REG)[0] as string).split(',').findIndex((h) => ['ESTDATE', '成立日期', '注册日期', '登记日期'].includes(h.replace(/^\uFEFF/, '')));
  if (fields.established !== undefined) cells[established] = fields.established;
  return cells.join(',');
}

/** Builders of the committed cases: file name -> bytes. */
export function staticCases(): Record<string, Buffer> {
  const reg = lines(REG);
  const header = reg[0] as string;
  const pay = lines(PAY_GBK);
  const enrollment = lines('社保单位参保登记_20261031.csv');
  const out: Record<string, Buffer> = {};
  const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
  const gbk = (s: string): Buffer => iconv.encode(s, 'gbk');

  out['empty.csv'] = Buffer.alloc(0);
  out['社保单位参保登记_仅表头_20261031.csv'] = utf8(`${enrollment[0]}\n`);
  // Cut off inside a quoted address: the download stopped mid-field.
  out['市场监管_企业登记信息_截断_20261031.csv'] = utf8(
    `${[header, ...reg.slice(1, 4)].join('\n')}\n${(reg[4] as string).split(',').slice(0, 9).join(',')},"江苏省苏州市姑苏区平江路12`,
  );
  // GBK bytes behind a UTF-8 byte-order mark: the file says UTF-8 and is not.
  out['市场监管_企业登记信息_BOM错_20261031.csv'] = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), gbk(`${[header, ...reg.slice(1, 6)].join('\r\n')}\r\n`)]);
  // Two exports pasted together: a GBK part, then a UTF-8 part.
  out['社保费征收明细_混合编码_20261031.csv'] = Buffer.concat([
    gbk(`${pay.slice(0, 6).join('\r\n')}\r\n`),
    utf8(
      `${pay
        .slice(6, 12)
        .map((l) => l.replace('养老', '养老保险'))
        .join('\r\n')}\r\n`,
    ),
  ]);
  // A vendor update renamed the credit-code column.
  out['市场监管_企业登记信息_改列名_20261031.csv'] = utf8(`${[header.replace('统一社会信用代码', '社会信用码'), ...reg.slice(1, 6)].join('\n')}\n`);
  // The credit-code column twice, with different contents.
  out['市场监管_企业登记信息_重复列_20261031.csv'] = utf8(
    `${[`${header},统一社会信用代码`, ...reg.slice(1, 6).map((l, i) => `${l},91320505MA00000${i}X0`)].join('\n')}\n`,
  );
  out['个税扣缴申报_20261031.xlsx'] = utf8(`${pay.slice(0, 4).join('\n')}\n`);
  // An OLE2 compound file: an old .xls, and what an encrypted .xlsx looks like on disk.
  const ole = Buffer.concat([
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    Buffer.alloc(504, 0),
    utf8('EncryptionInfo'),
    Buffer.alloc(512 - 14, 0),
  ]);
  out['社保单位参保登记_20261031.xls'] = ole;
  out['社保费征收明细_加密_20261031.xlsx'] = ole;
  const workbook = fs.readFileSync(path.join(GOOD_INBOX, XLSX));
  out['个税扣缴申报_下载中断_20261031.xlsx'] = workbook.subarray(0, Math.floor(workbook.length / 2));
  // Garbage in the middle of the compressed sheet, zip directory intact.
  const flipped = Buffer.from(workbook);
  for (let i = Math.floor(flipped.length * 0.3); i < Math.floor(flipped.length * 0.3) + 400; i++) flipped[i] = (flipped[i] as number) ^ 0x5a;
  out['个税扣缴申报_损坏_20261031.xlsx'] = flipped;
  // Out-of-range dates: 1900 reads as a date, 2100 and 1899 are typing errors.
  out['市场监管_企业登记信息_日期越界_20261031.csv'] = utf8(
    `${[
      header,
      regRow({ uscc: '91320505MA1XXXX001', name: '苏州百年老店有限公司', established: '1900-01-01' }),
      regRow({ uscc: '91320505MA1XXXX002', name: '苏州未来科技有限公司', established: '2100-01-01' }),
      regRow({ uscc: '91320505MA1XXXX003', name: '苏州远古贸易有限公司', established: '1899-12-31' }),
    ].join('\n')}\n`,
  );
  // Negative and absurd money.
  const pcols = (pay[1] as string).split(',');
  const payRow = (period: string, due: string, paid: string): string => [pcols[0], period, pcols[2], pcols[3], pcols[4], due, paid, pcols[7]].join(',');
  out['社保费征收明细_金额异常_20261031.csv'] = gbk(
    `${[
      pay[0],
      payRow('202501', '6239.52', '-6239.52'),
      payRow('202502', '99999999999999999999', '0'),
      payRow('202503', '1e308', '1'),
      payRow('202504', '-0.01', '-0.01'),
    ].join('\r\n')}\r\n`,
  );
  // A delivery made twice under two names.
  out['市场监管_企业登记信息_20261031_副本.csv'] = fs.readFileSync(path.join(GOOD_INBOX, REG));
  // Rows appended on another system: CRLF lines, then LF lines (read_csv stopped on these).
  out['社保单位参保登记_换行混用_20261031.csv'] = utf8(`${enrollment.slice(0, 4).join('\r\n')}\r\n${enrollment.slice(4, 7).join('\n')}\n`);
  // Not text at all (a picture saved as .csv).
  out['图片.csv'] = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x81, 0x7f]), Buffer.alloc(64, 0xff)]);
  return out;
}

/** The 50 MB cell: a registration row whose name is 50 MB long. */
export function writeBigCell(dir: string, name: string): string {
  const header = lines(REG)[0] as string;
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `${header}\n`);
    fs.writeSync(fd, '91320505MA1XXXX004,"');
    const block = '很'.repeat(1 << 20); // 3 MB of UTF-8
    for (let i = 0; i < 17; i++) fs.writeSync(fd, block);
    fs.writeSync(fd, `",,null,有限责任公司,张三,2020-01-01,在营,F5299,零售业,10,320505,枫桥街道,3,0512-1,无\n`);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** A row of 10,000 fields under a 15-column header. */
export function writeWideRow(dir: string, name: string): string {
  const header = lines(REG)[0] as string;
  const row = `${regRow({ uscc: '91320505MA1XXXX005', name: '苏州很宽有限公司' }) + ','.repeat(10_000 - 15)}x`;
  fs.writeFileSync(path.join(dir, name), `${header}\n${row}\n`);
  return path.join(dir, name);
}

/** Cases derived from the good fixture files are built at test time, not committed (they are big). */
const DERIVED = new Set(['个税扣缴申报_下载中断_20261031.xlsx', '个税扣缴申报_损坏_20261031.xlsx', '市场监管_企业登记信息_20261031_副本.csv']);

/** Puts one case's file into `dir` (copied from fixtures/bad/, or generated) and returns its path. */
export function materialise(c: BadCase, dir: string): string {
  const target = path.join(dir, c.file);
  if (c.id === 'big_cell') return writeBigCell(dir, c.file);
  if (c.id === 'wide_row') return writeWideRow(dir, c.file);
  if (DERIVED.has(c.file)) {
    fs.writeFileSync(target, staticCases()[c.file] as Buffer);
    return target;
  }
  if (c.generated) return target; // written by the test itself (a file that changes while it is read)
  fs.copyFileSync(path.join(BAD_DIR, c.file), target);
  return target;
}

// `npx tsx test/robustness/corpus.ts` rewrites the committed files.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve('test/robustness/corpus.ts')) {
  for (const [name, bytes] of Object.entries(staticCases())) if (!DERIVED.has(name)) fs.writeFileSync(path.join(BAD_DIR, name), bytes);
}
