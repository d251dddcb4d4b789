import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { sqlSteps } from '../db/sql-file.ts';
import type { DatedRunContext } from '../config/context.ts';
import { escapeHtml } from '../core/html.ts';
import { validateUscc } from '../link/codes.ts';
import { addOrderedSheet, rowListWriter, safeText, safeFileName, shareColumnStyles } from '../core/xlsx-write.ts';
import { cnDate, issueDate } from './issue-date.ts';
import { ADDRESS_SOURCE_LABEL } from './worklists.ts';

const step = sqlSteps(new URL('./notices.sql', import.meta.url));

export interface NoticeSummary {
  notices: number;
  /** The list workbook, or null when nobody was noticed. */
  file: string | null;
}

interface NoticeRow {
  notice_id: string;
  kind: 'new_employer' | 'uninsured_case';
  name: string | null;
  uscc: string | null;
  legal_rep: string | null;
  phone: string | null;
  address: string | null;
  address_source: string | null;
  established_on: string | null;
  deadline: string | null;
  sent_on: string;
  district: string;
}

/** SMS texts must stay under this many characters (one 70-character Chinese SMS). */
export const SMS_MAX = 69;
const REASON: Record<NoticeRow['kind'], string> = { new_employer: '新设立单位', uninsured_case: '逾期未参保' };
export const NOTICE_COLUMNS = [
  '告知编号',
  '单位名称',
  '统一社会信用代码',
  '法定代表人',
  '联系电话',
  '地址',
  '地址来源',
  '成立日期',
  '登记期限',
  '告知原因',
  '告知日期',
  '短信号码',
  '短信内容',
  '备注',
] as const;

/**
 * The mobile number an SMS can go to, from a phone cell (which may hold a landline, several
 * numbers, spaces, dashes or +86): the first mainland mobile number 1[3-9]xxxxxxxxx, or null.
 */
export function mobileNumber(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/[\s\-()（）]/g, '');
  for (const part of digits.split(/[,，;；/、|]+/)) {
    const m = /^(?:\+?86|0086)?(1[3-9]\d{9})$/.exec(part);
    if (m) return m[1] as string;
  }
  return null;
}

/** The SMS text of a notice, under 70 characters: the employer's name is shortened when needed. */
export function smsText(kind: NoticeRow['kind'], name: string, deadline: string | null, phone: string): string {
  const body = kind === 'new_employer' && deadline ? `请于${cnDate(deadline)}前办理社会保险登记` : '贵单位逾期未办理社会保险登记，请尽快办理';
  const tail = phone.trim() ? `，咨询${phone.trim()}` : '';
  const fixed = [...`【社保】：${body}${tail}`].length;
  const chars = [...name.trim()];
  const room = Math.max(2, SMS_MAX - fixed);
  const shown = chars.length <= room ? chars.join('') : `${chars.slice(0, room - 1).join('')}…`;
  const text = `【社保】${shown}：${body}${tail}`;
  // A very long phone text could still overflow: the text is cut rather than sent in two parts.
  return [...text].length <= SMS_MAX ? text : [...text].slice(0, SMS_MAX).join('');
}

/**
 * Picks who gets a notice this run and records them in `notices` (notices.sql,
 * notices.select), dated and numbered by the day they are issued.
 */
async function selectNotices(db: Db, runId: string, asOf: string, issuedOn: string): Promise<number> {
  await db.run(step('notices.select'), { as_of: asOf, run: runId, issued_on: issuedOn }, { step: 'notices.select' });
  const row = await db.one<{ n: bigint }>(step('notices.count'), { run: runId }, { step: 'notices.count' });
  return Number(row?.n ?? 0);
}

const CSS = `
@page { size: A4; margin: 20mm }
* { box-sizing: border-box }
body { margin: 0; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 11.5pt; line-height: 1.6; color: #000 }
.letter { page-break-after: always; break-after: page; overflow-wrap: anywhere }
.letter:last-child { page-break-after: auto; break-after: auto }
h1 { text-align: center; font-size: 20pt; margin: 0 0 4mm; letter-spacing: 2pt }
.no { text-align: right; font-size: 10pt; margin: 0 0 6mm }
p { margin: 0 0 3mm; text-indent: 2em }
p.to, p.sign, p.date { text-indent: 0 }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; font-size: 11pt }
th, td { border: 1px solid #000; padding: 1.5mm 2.5mm; text-align: left; vertical-align: top }
th { width: 38mm; font-weight: normal; background: #eee }
ol { margin: 0 0 3mm; padding-left: 3em }
.sign, .date { text-align: right }
.sign { margin-top: 6mm }
`;

function letter(n: NoticeRow, asOf: string, office: DatedRunContext['pipeline']['office']): string {
  const e = escapeHtml;
  const uscc = n.uscc && validateUscc(n.uscc).ok ? n.uscc : '';
  const duty =
    n.kind === 'new_employer'
      ? `贵单位成立于${e(cnDate(n.established_on))}。依法，用人单位应当自成立之日起三十日内申请办理社会保险登记。请于<strong>${e(cnDate(n.deadline))}</strong>前到我单位办理社会保险登记。`
      : `贵单位成立于${e(cnDate(n.established_on))}，应于${e(cnDate(n.deadline))}前申请办理社会保险登记，经核查至${e(cnDate(asOf))}尚未办理。请自收到本告知书之日起立即到我单位办理社会保险登记。`;
  return `<section class="letter">
<h1>社会保险登记告知书</h1>
<p class="no">编号：${e(n.notice_id)}</p>
<p class="to">${e(n.name)}：</p>
<table>
<tr><th>单位名称</th><td>${e(n.name)}</td></tr>
<tr><th>统一社会信用代码</th><td>${e(uscc)}</td></tr>
<tr><th>地址</th><td>${e(n.address)}</td></tr>
<tr><th>登记期限</th><td>${e(cnDate(n.deadline))}</td></tr>
</table>
<p>${duty}</p>
<p>根据《中华人民共和国社会保险法》第五十七条、第五十八条规定，用人单位应当自成立之日起三十日内凭营业执照、登记证书或者单位印章，向当地社会保险经办机构申请办理社会保险登记；用人单位应当自用工之日起三十日内为其职工向社会保险经办机构申请办理社会保险登记。依照第八十四条规定，用人单位不办理社会保险登记的，由社会保险行政部门责令限期改正；逾期不改正的，对用人单位处应缴社会保险费数额一倍以上三倍以下的罚款，对其直接负责的主管人员和其他直接责任人员处五百元以上三千元以下的罚款。</p>
<p>办理时请携带：</p>
<ol>
<li>营业执照副本（或登记证书）；</li>
<li>法定代表人身份证件；</li>
<li>单位公章；</li>
<li>银行开户信息；</li>
<li>职工名册及职工身份证件。</li>
</ol>
<p>办理地点：${e(office.address || office.name)}${office.phone ? `；咨询电话：${e(office.phone)}` : ''}。</p>
<p>已办理的，请忽略本告知书。</p>
<p class="sign">${e(office.name)}</p>
<p class="date">${e(cnDate(n.sent_on))}</p>
</section>`;
}

function html(district: string, letters: string[]): string {
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>社会保险登记告知书 ${escapeHtml(district)}</title>
<style>${CSS}</style>
</head>
<body>
${letters.join('\n')}
</body>
</html>
`;
}

/**
 * Sends (records and writes) this run's social-insurance registration notices: one HTML file
 * of A4 letters per district under `<dir>/notices/`, and `告知清单.xlsx` with one row and an
 * SMS text per notice. Writes nothing when nobody is noticed.
 */
export async function writeNotices(db: Db, ctx: DatedRunContext): Promise<NoticeSummary> {
  const options = {
    runId: ctx.runId,
    asOf: ctx.dates.asOf,
    issuedOn: issueDate(ctx.startedAt),
    dir: ctx.runDir,
    office: ctx.pipeline.office,
    logger: ctx.logger,
  };
  const count = await db.transaction(() => selectNotices(db, options.runId, options.asOf, options.issuedOn), { step: 'notices.select' });
  if (count === 0) {
    options.logger.info({ notices: 0 }, 'notices: none to send');
    return { notices: 0, file: null };
  }
  const rows = await db.all<NoticeRow>(step('notices.rows'), { run: options.runId }, { step: 'notices.rows' });
  const folder = path.join(options.dir, 'notices');
  fs.mkdirSync(folder, { recursive: true });
  const byDistrict = new Map<string, NoticeRow[]>();
  for (const r of rows) {
    const list = byDistrict.get(r.district);
    if (list) list.push(r);
    else byDistrict.set(r.district, [r]);
  }
  for (const [district, list] of byDistrict) {
    fs.writeFileSync(
      path.join(folder, `告知书_${safeFileName(district)}.html`),
      html(
        district,
        list.map((r) => letter(r, options.asOf, options.office)),
      ),
    );
  }

  const file = path.join(folder, '告知清单.xlsx');
  const wb = rowListWriter(file);
  wb.creator = 'recon';
  const ws = addOrderedSheet(wb, '告知清单', { views: [{ state: 'frozen', xSplit: 2, ySplit: 1, topLeftCell: 'C2', activeCell: 'A2' }] });
  const widths: Record<(typeof NOTICE_COLUMNS)[number], number> = {
    告知编号: 20,
    单位名称: 30,
    统一社会信用代码: 22,
    法定代表人: 12,
    联系电话: 16,
    地址: 36,
    地址来源: 16,
    成立日期: 12,
    登记期限: 12,
    告知原因: 12,
    告知日期: 12,
    短信号码: 14,
    短信内容: 70,
    备注: 30,
  };
  ws.columns = NOTICE_COLUMNS.map((c) => ({ key: c, width: widths[c] }));
  const header = ws.addRow([...NOTICE_COLUMNS]);
  header.font = { bold: true };
  header.commit();
  // One (empty) style object per column, shared by its cells: see shareColumnStyles.
  const plain = NOTICE_COLUMNS.map(() => ({}));
  let sms = 0;
  for (const r of rows) {
    // Only a mobile number takes an SMS: a landline gets none (and a note), rather than a text nobody receives.
    const mobile = mobileNumber(r.phone);
    if (mobile) sms++;
    const note = mobile ? null : r.phone ? '联系电话不是手机号码，未生成短信：请邮寄告知书或电话告知' : '没有联系电话，未生成短信：请邮寄告知书';
    // safeText: always a string cell (never a formula, whatever it starts with), ID numbers masked.
    const row = ws.addRow([
      r.notice_id,
      safeText(r.name),
      r.uscc && validateUscc(r.uscc).ok ? r.uscc : null,
      safeText(r.legal_rep),
      safeText(r.phone),
      safeText(r.address),
      r.address_source ? (ADDRESS_SOURCE_LABEL[r.address_source] ?? r.address_source) : null,
      r.established_on,
      r.deadline,
      REASON[r.kind],
      r.sent_on,
      mobile,
      mobile ? safeText(smsText(r.kind, r.name ?? '', r.deadline, options.office.phone)) : null,
      note,
    ]);
    shareColumnStyles(row, plain);
    row.commit();
  }
  ws.commit();
  await wb.commit();
  options.logger.info(
    { notices: count, districts: byDistrict.size, sms },
    `notices: ${count} notice(s) in ${byDistrict.size} district file(s), ${sms} with an SMS text (mobile number)`,
  );
  return { notices: count, file };
}
