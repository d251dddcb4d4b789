import fs from 'node:fs';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import type { DatedRunContext } from '../config/context.ts';
import { PERSON_RULES } from '../rules/catalog/index.ts';
import { daijiaoYear } from '../rules/person-facts.ts';
import { addOrderedSheet, guardCommit, headerFooterText, rowListWriter, safeFileName, safeText, shareColumnStyles } from '../core/xlsx-write.ts';
import { BODY_FONT, LIST_PAGE_SETUP, heightFor, linesIn } from './worklist-print.ts';
import { SMS_MAX } from './notices.ts';
import { createReferralViews } from './si-cleanup.ts';

const step = sqlSteps(new URL('./person-lists.sql', import.meta.url));

/**
 * The office's person lists of a run, per district:
 * - `<run folder>/persons/续保提醒_<区县>.xlsx`: people who stopped paying into the employees'
 *   pension (person_lapsed), with the phone si_person has and an SMS text; the ID masked.
 * - `<run folder>/restricted/代缴名单_<区县>.xlsx`: the people the state should pay the residents'
 *   pension for and does not (assistance_not_covered), and those it pays for, with the FULL ID
 *   number finance pays from. `restricted/` is the one place outside the database that holds full
 *   ID numbers (/work/shared/EXPORTS.md "Personal data"): the folder is made 0700 and each file
 *   0600, set explicitly whatever the umask; it moves with the run folder when the run is
 *   published (the run folder is renamed whole, `latest` points at it).
 * Phones and ID numbers never go into the log: it says how many rows and files.
 */

/** The folder of the lists with full ID numbers, inside the run folder. */
export const RESTRICTED_DIR = 'restricted';
/** The folder of the person lists with masked ID numbers, inside the run folder. */
export const PERSONS_DIR = 'persons';
/** Modes of the restricted folder and its files. */
export const RESTRICTED_DIR_MODE = 0o700;
export const RESTRICTED_FILE_MODE = 0o600;

export interface PersonListsSummary {
  /** 续保提醒 rows and workbooks. */
  renewal: { rows: number; files: number };
  /** 代缴名单: people to pay for, people paid for, workbooks. */
  daijiao: { due: number; done: number; files: number };
}

interface RenewalRow {
  district_code: string;
  district: string;
  street: string | null;
  person_name: string | null;
  id_masked: string | null;
  phone: string | null;
  last_paid_month: string | null;
  months_lapsed: number | null;
  severity: string;
  case_id: string;
}

interface DaijiaoRow {
  district_code: string;
  district: string;
  street: string | null;
  community: string | null;
  person_name: string | null;
  id_no: string;
  category: string | null;
  since: string | null;
  status: string | null;
  year: number | null;
  amount: number | null;
  case_id: string | null;
}

/** The SMS signature: who the reminder is from. */
export const SMS_SIGNATURE = '【社保提醒】';

/** `2026-07` -> the month after, as 2026年8月. */
function monthAfter(month: string): string | null {
  const m = /^(\d{4})-(\d{2})/.exec(month);
  if (!m) return null;
  let y = Number(m[1]);
  let mo = Number(m[2]) + 1;
  if (mo > 12) {
    mo = 1;
    y++;
  }
  return `${y}年${mo}月`;
}

/**
 * The 续保提醒 SMS: under 70 characters (one Chinese SMS), never an ID number. The name is left
 * out when it would make the text too long.
 */
export function renewalSms(name: string | null, lastPaidMonth: string | null, monthsLapsed: number | null): string {
  const since = lastPaidMonth ? monthAfter(lastPaidMonth) : null;
  const lapsed = monthsLapsed !== null && Number.isFinite(monthsLapsed) ? `已断缴${monthsLapsed}个月` : '已断缴';
  const body = `您的职工养老保险${since ? `自${since}起` : ''}${lapsed}，请及时续缴，详询12333。`;
  // A name never holds digits: whatever an export put there (an ID number, a phone) is left out.
  const who = (name ?? '').normalize('NFKC').replace(/[\s\d*]+/g, '');
  const named = `${SMS_SIGNATURE}${who}您好：${body}`;
  const text = who && [...named].length <= SMS_MAX ? named : `${SMS_SIGNATURE}您好：${body}`;
  return [...text].length <= SMS_MAX ? text : [...text].slice(0, SMS_MAX).join('');
}

export interface ListColumn<R> {
  header: string;
  width: number;
  value: (r: R, i: number) => string | number | null;
  wrap?: boolean;
  numFmt?: string;
  center?: boolean;
}

const thin = { style: 'thin', color: { argb: 'FF808080' } } as const;
const BORDER: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };

/**
 * One list sheet: the header row frozen and repeated on every printed page, filters, A4
 * landscape fit to the page width (the widths add up to at most 130 units, as the worklists,
 * so 11 pt text prints at 9.7 pt or more), page numbers.
 */
export function writeListSheet<R>(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  o: { name: string; header: string; right: string; columns: Array<ListColumn<R>>; rows: R[]; empty: string; total?: Array<string | number | null> },
): void {
  const ws = addOrderedSheet(wb, o.name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }],
    pageSetup: { ...LIST_PAGE_SETUP },
  });
  const styles: Array<Partial<ExcelJS.Style>> = o.columns.map((c) => ({
    font: BODY_FONT,
    border: BORDER,
    alignment: { vertical: 'top', wrapText: c.wrap === true, ...(c.center ? { horizontal: 'center' as const } : {}) },
    ...(c.numFmt ? { numFmt: c.numFmt } : {}),
  }));
  ws.columns = o.columns.map((c, i) => ({ key: String(i), width: c.width, style: styles[i] as Partial<ExcelJS.Style> }));
  const header = ws.addRow(o.columns.map((c) => c.header));
  header.eachCell((cell) => {
    cell.style = {
      font: { ...BODY_FONT, bold: true },
      alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
      border: BORDER,
      fill: HEADER_FILL,
    };
  });
  header.height = 36;
  header.commit();
  const add = (values: Array<string | number | null>, bold = false): void => {
    const row = ws.addRow(values);
    let lines = 1;
    o.columns.forEach((c, i) => {
      const v = values[i];
      if (c.wrap && v !== null && v !== undefined) lines = Math.max(lines, linesIn(String(v), c.width));
    });
    row.height = heightFor(lines, 22);
    for (let c = 1; c <= o.columns.length; c++) row.getCell(c);
    shareColumnStyles(row, styles);
    if (bold) {
      row.eachCell({ includeEmpty: true }, (cell, n) => {
        cell.style = { ...styles[n - 1], font: { ...BODY_FONT, bold: true }, fill: TOTAL_FILL };
      });
    }
    row.commit();
  };
  // Every text cell goes through safeText: a plain string (never a formula, whatever it starts
  // with), control characters dropped. safeText would mask an ID number: the full ID column of
  // the restricted list is written as it is, and it is the only one.
  for (const [i, r] of o.rows.entries()) add(o.columns.map((c) => c.value(r, i)));
  if (o.rows.length === 0) add([o.empty, ...o.columns.slice(1).map(() => null)]);
  else if (o.total) add(o.total, true);
  ws.autoFilter = `A1:${String.fromCharCode(64 + o.columns.length)}${o.rows.length + 1}`;
  ws.headerFooter = { oddHeader: `&L&11${headerFooterText(o.header)}&R&11${headerFooterText(o.right)}`, oddFooter: '&C&11第 &P 页 / 共 &N 页' };
  ws.commit();
}

const text = (v: unknown): string | null => safeText(v);

const RENEWAL_COLUMNS: Array<ListColumn<RenewalRow>> = [
  { header: '序号', width: 5, value: (_, i) => i + 1, center: true },
  { header: '街道', width: 12, value: (r) => text(r.street), wrap: true },
  { header: '姓名', width: 9, value: (r) => text(r.person_name), wrap: true },
  { header: '证件号码', width: 20, value: (r) => text(r.id_masked) },
  { header: '联系电话', width: 13, value: (r) => text(r.phone), wrap: true },
  { header: '末次缴费\n年月', width: 9, value: (r) => text(r.last_paid_month), center: true, wrap: true },
  { header: '断缴月数', width: 7, value: (r) => (r.months_lapsed === null ? null : Number(r.months_lapsed)), center: true },
  {
    header: '短信内容',
    width: 40,
    value: (r) => text(renewalSms(r.person_name, r.last_paid_month, r.months_lapsed === null ? null : Number(r.months_lapsed))),
    wrap: true,
  },
  { header: '案件编号', width: 12, value: (r) => text(r.case_id) },
];

/** The full ID cell of the restricted list: the number as persons holds it (18 characters), never masked. */
function fullId(id: string): string {
  return id.replace(/[^\dX]/g, '');
}

const DAIJIAO_COLUMNS: Array<ListColumn<DaijiaoRow>> = [
  { header: '序号', width: 5, value: (_, i) => i + 1, center: true },
  { header: '街道', width: 11, value: (r) => text(r.street), wrap: true },
  { header: '社区', width: 11, value: (r) => text(r.community), wrap: true },
  { header: '姓名', width: 9, value: (r) => text(r.person_name), wrap: true },
  { header: '公民身份号码', width: 21, value: (r) => fullId(r.id_no) },
  { header: '类别', width: 14, value: (r) => text(r.category), wrap: true },
  { header: '起始日期', width: 11, value: (r) => text(r.since), center: true },
  { header: '参保状态', width: 12, value: (r) => text(r.status), wrap: true },
  { header: '代缴年度', width: 7, value: (r) => (r.year === null ? null : Number(r.year)), center: true },
  { header: '代缴金额\n（元）', width: 10, value: (r) => (r.amount === null ? null : Math.round(Number(r.amount) * 100) / 100), numFmt: '#,##0.00' },
  { header: '案件编号', width: 12, value: (r) => text(r.case_id) },
];

/** Groups rows by district (label and code), in their order. */
export function byDistrict<R extends { district: string; district_code: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const key = `${r.district_code}\u0000${r.district}`;
    // Pushed in place: copying the district's list on every row was quadratic (180k people: 87 s).
    const list = out.get(key);
    if (list) list.push(r);
    else out.set(key, [r]);
  }
  return out;
}

/** A file path not used yet in this run: `<base>.xlsx`, `<base>_2.xlsx` (two unknown codes may share a label). */
export function freshPath(folder: string, base: string, used: Set<string>): string {
  for (let i = 1; ; i++) {
    const file = path.join(folder, `${base}${i === 1 ? '' : `_${i}`}.xlsx`);
    if (!used.has(file.toLowerCase())) {
      used.add(file.toLowerCase());
      return file;
    }
  }
}

/** Makes the restricted folder, readable by the service account alone (0700 whatever the umask). */
export function restrictedFolder(runDir: string): string {
  const dir = path.join(runDir, RESTRICTED_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: RESTRICTED_DIR_MODE });
  fs.chmodSync(dir, RESTRICTED_DIR_MODE);
  return dir;
}

export async function writeBook(file: string, mode: number | null, fill: (wb: ExcelJS.stream.xlsx.WorkbookWriter) => void): Promise<void> {
  const tmp = `${file}.partial`;
  const wb = rowListWriter(tmp);
  const commit = guardCommit(wb);
  wb.creator = 'recon';
  fill(wb);
  await commit();
  if (mode !== null) fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
  if (mode !== null) fs.chmodSync(file, mode);
}

const personRuleTitle = (id: string): string => PERSON_RULES.find((r) => r.id === id)?.title ?? id;

/** Writes the 续保提醒 and 代缴名单 workbooks of the run (see the top of this file). */
export async function writePersonLists(db: Db, ctx: DatedRunContext, options: { facts: boolean }): Promise<PersonListsSummary> {
  const started = performance.now();
  const asOf = ctx.dates.asOf;
  const summary: PersonListsSummary = { renewal: { rows: 0, files: 0 }, daijiao: { due: 0, done: 0, files: 0 } };

  // The lists leave out cases an answer referred to the SI office, as the worklists do.
  await createReferralViews(db);
  const renewal = await db.all<RenewalRow>(step('person_lists.renewal'), { run: ctx.runId }, { step: 'person_lists.renewal' });
  if (renewal.length) {
    const folder = path.join(ctx.runDir, PERSONS_DIR);
    fs.mkdirSync(folder, { recursive: true });
    const used = new Set<string>();
    for (const rows of byDistrict(renewal).values()) {
      const district = (rows[0] as RenewalRow).district;
      const file = freshPath(folder, `续保提醒_${safeFileName(district)}`, used);
      await writeBook(file, null, (wb) =>
        writeListSheet(wb, {
          name: '续保提醒',
          header: `${district} ${personRuleTitle('person_lapsed')}续保提醒（核查日 ${asOf}，${rows.length} 人）`,
          right: '联系电话仅用于续保提醒',
          columns: RENEWAL_COLUMNS,
          rows,
          empty: '无',
        }),
      );
      summary.renewal.files++;
    }
    summary.renewal.rows = renewal.length;
  }

  const due = await db.all<DaijiaoRow>(step('person_lists.daijiao_due'), { run: ctx.runId }, { step: 'person_lists.daijiao_due' });
  const year = daijiaoYear(asOf, ctx.pipeline.rules.daijiaoFromMonth);
  const aid = ctx.pipeline.rules.params['assistance_not_covered'] ?? {};
  const rule = PERSON_RULES.find((r) => r.id === 'assistance_not_covered');
  const done = options.facts
    ? await db.all<DaijiaoRow>(
        step('person_lists.daijiao_done'),
        { year, min_age: aid['min_age'] ?? rule?.params['min_age']?.default ?? 16, max_age: aid['max_age'] ?? rule?.params['max_age']?.default ?? 60 },
        { step: 'person_lists.daijiao_done' },
      )
    : [];
  if (due.length || done.length) {
    const folder = restrictedFolder(ctx.runDir);
    const used = new Set<string>();
    const districts = new Map<string, { label: string; due: DaijiaoRow[]; done: DaijiaoRow[] }>();
    for (const [key, rows] of byDistrict(due)) districts.set(key, { label: (rows[0] as DaijiaoRow).district, due: rows, done: [] });
    for (const [key, rows] of byDistrict(done)) {
      const d = districts.get(key) ?? { label: (rows[0] as DaijiaoRow).district, due: [], done: [] };
      d.done = rows;
      districts.set(key, d);
    }
    const sorted = [...districts.entries()].sort(([a], [b]) => (a.startsWith('\u0000') ? 1 : b.startsWith('\u0000') ? -1 : a.localeCompare(b)));
    for (const [, d] of sorted) {
      const file = freshPath(folder, `代缴名单_${safeFileName(d.label)}`, used);
      const amount = Math.round(d.due.reduce((n, r) => n + Number(r.amount ?? 0), 0) * 100) / 100;
      const note = '内含完整身份证号码，仅供代缴经办使用，不得外传';
      await writeBook(file, RESTRICTED_FILE_MODE, (wb) => {
        writeListSheet(wb, {
          name: '待代缴',
          header: `${d.label} 困难群体城乡居民养老保险待代缴名单（${year} 年度，核查日 ${asOf}，${d.due.length} 人）`,
          right: note,
          columns: DAIJIAO_COLUMNS,
          rows: d.due,
          empty: '本区县无待代缴人员',
          total: ['合计', null, null, `${d.due.length} 人`, null, null, null, null, null, amount, null],
        });
        writeListSheet(wb, {
          name: '已代缴',
          header: `${d.label} 困难群体城乡居民养老保险已代缴人员（${year} 年度，核查日 ${asOf}，${d.done.length} 人）`,
          right: note,
          columns: DAIJIAO_COLUMNS,
          rows: d.done,
          empty: options.facts ? '本区县无已代缴人员' : '本次运行未执行人员规则，无已代缴数据',
        });
      });
      summary.daijiao.files++;
    }
    summary.daijiao.due = due.length;
    summary.daijiao.done = done.length;
  }
  ctx.logger.info(
    { ...summary, ms: Math.round(performance.now() - started) },
    `person lists: 续保提醒 ${summary.renewal.rows} person(s) in ${summary.renewal.files} file(s); 代缴名单 ${summary.daijiao.due} to pay, ${summary.daijiao.done} paid, in ${summary.daijiao.files} file(s) under ${RESTRICTED_DIR}/`,
  );
  return summary;
}
