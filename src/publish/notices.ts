import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import type { DatedRunContext } from '../config/context.ts';
import { escapeHtml } from '../core/html.ts';
import { validateUscc } from '../link/codes.ts';
import { addOrderedSheet, rowListWriter, safeText, safeFileName, shareColumnStyles } from '../core/xlsx-write.ts';

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
  established_on: string | null;
  deadline: string | null;
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
  '成立日期',
  '登记期限',
  '告知原因',
  '短信内容',
] as const;

/** 2026-11-05 -> 2026年11月05日 */
function cnDate(iso: string | null): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-');
  return `${y}年${m}月${d}日`;
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
 * Picks who gets a notice this run and records them in `notices`: employers established within
 * the 30 days up to D (new_employer), and employers whose `uninsured` case is new in this run
 * (uninsured_case); active, not registered with SI, not individual businesses without
 * headcount evidence, and never twice for the same reason (a new_employer notice also covers
 * the uninsured case that follows it).
 */
async function selectNotices(db: Db, runId: string, asOf: string): Promise<number> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE _nt_new AS
     WITH candidates AS (
       SELECT f.employer_id, 'new_employer' AS kind, NULL::VARCHAR AS case_id, f.established_on, 1 AS pref
       FROM employer_facts f
       WHERE f.established_on > CAST($as_of AS DATE) - INTERVAL 30 DAY AND f.established_on <= CAST($as_of AS DATE)
       UNION ALL
       SELECT f.employer_id, 'uninsured_case', c.case_id, f.established_on, 2
       FROM cases c JOIN employer_facts f USING (employer_id)
       WHERE c.rule_id = 'uninsured' AND c.state = 'new' AND c.state_run = $run)
     SELECT x.* FROM candidates x JOIN employer_facts f USING (employer_id)
     WHERE f.active AND NOT f.registered_si
       -- docs/rules.md: individual businesses without headcount evidence are not findings, nor noticed.
       AND NOT (f.kind = 'individual_business' AND coalesce(f.h, 0) = 0)
       AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.employer_id = x.employer_id
                         AND (n.kind = x.kind OR (x.kind = 'uninsured_case' AND n.kind = 'new_employer')))
     QUALIFY row_number() OVER (PARTITION BY x.employer_id ORDER BY x.pref) = 1;
     INSERT INTO notices
     SELECT 'GZ' || strftime(CAST($as_of AS DATE), '%Y%m%d') || '-' || lpad(CAST(nextval('notice_seq') AS VARCHAR), 6, '0'),
            employer_id, kind, case_id, CAST($as_of AS DATE), CAST(established_on + INTERVAL 30 DAY AS DATE), $run
     FROM (SELECT * FROM _nt_new ORDER BY employer_id);`,
    { as_of: asOf, run: runId },
    { step: 'notices.select' },
  );
  const row = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM notices WHERE run_id = $1`, [runId], { step: 'notices.count' });
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
<p class="date">${e(cnDate(asOf))}</p>
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
  const options = { runId: ctx.runId, asOf: ctx.dates.asOf, dir: ctx.runDir, office: ctx.pipeline.office, logger: ctx.logger };
  const count = await db.transaction(() => selectNotices(db, options.runId, options.asOf), { step: 'notices.select' });
  if (count === 0) {
    options.logger.info({ notices: 0 }, 'notices: none to send');
    return { notices: 0, file: null };
  }
  const rows = await db.all<NoticeRow>(
    `SELECT n.notice_id, n.kind, e.name, e.uscc, e.legal_rep, f.phone, f.address,
            strftime(f.established_on, '%Y-%m-%d') AS established_on, strftime(n.deadline, '%Y-%m-%d') AS deadline,
            coalesce(d.name, CASE WHEN e.district_code IS NOT NULL THEN '区县' || e.district_code END, '未知区县') AS district
     FROM notices n JOIN employers e USING (employer_id) LEFT JOIN employer_facts f USING (employer_id)
     LEFT JOIN ref_division d ON d.level = 'district' AND d.code = e.district_code
     WHERE n.run_id = $1 ORDER BY district, n.notice_id`,
    [options.runId],
    { step: 'notices.rows' },
  );
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
  const ws = addOrderedSheet(wb, '告知清单', { views: [{ state: 'frozen', ySplit: 1 }] });
  const widths = [22, 30, 22, 12, 16, 36, 12, 12, 12, 70];
  ws.columns = NOTICE_COLUMNS.map((c, i) => ({ key: c, width: widths[i] ?? 12 }));
  const header = ws.addRow([...NOTICE_COLUMNS]);
  header.font = { bold: true };
  header.commit();
  // One (empty) style object per column, shared by its cells: see shareColumnStyles.
  const plain = NOTICE_COLUMNS.map(() => ({}));
  for (const r of rows) {
    // safeText: always a string cell (never a formula, whatever it starts with), ID numbers masked.
    const row = ws.addRow([
      r.notice_id,
      safeText(r.name),
      r.uscc && validateUscc(r.uscc).ok ? r.uscc : null,
      safeText(r.legal_rep),
      safeText(r.phone),
      safeText(r.address),
      r.established_on,
      r.deadline,
      REASON[r.kind],
      safeText(smsText(r.kind, r.name ?? '', r.deadline, options.office.phone)),
    ]);
    shareColumnStyles(row, plain);
    row.commit();
  }
  ws.commit();
  await wb.commit();
  options.logger.info({ notices: count, districts: byDistrict.size }, `notices: ${count} notice(s) in ${byDistrict.size} district file(s)`);
  return { notices: count, file };
}
