import { escapeHtml } from '../core/html.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Db, Row } from '../db/database.ts';
import { ARREARS_CLASSES, selectLedgerRun } from './ledger-views.ts';
import type { DatedRunContext } from '../config/context.ts';

const FONT_STACK = `"Noto Sans CJK SC", "Microsoft YaHei", sans-serif`;

function num(v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function pct(v: unknown): string {
  return v === null || v === undefined ? '—' : `${(num(v) * 100).toFixed(1)}%`;
}

function int(v: unknown): string {
  return Math.round(num(v)).toLocaleString('en-US');
}

/** A count that may be unknown (no person data this run): — then. */
function count(v: unknown): string {
  return v === null || v === undefined ? '—' : int(v);
}

/** Yuan, shortened to 万元 above ten thousand: people compare magnitudes here, the ledger has the cents. */
function money(v: unknown): string {
  const n = num(v);
  return Math.abs(n) >= 10000
    ? `${(n / 10000).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} 万元`
    : `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} 元`;
}

interface Bar {
  label: string;
  value: number;
  text: string;
  /** A second, lighter segment stacked after the first (late fees after arrears). */
  extra?: number;
}

/** Width of text in px at a font size: CJK glyphs are square, Latin about half. */
function textPx(text: string, size: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFFF]/u.test(ch) ? size : size * 0.58;
  return w;
}

/** Horizontal bars with the label on the left and the value at the bar's end. */
function hbars(bars: Bar[], options: { width: number; max?: number; color: string; extraColor?: string; title: string }): string {
  if (!bars.length) return `<p class="none">无数据</p>`;
  const size = 13;
  const labelW = Math.ceil(Math.max(...bars.map((b) => textPx(b.label, size)))) + 12;
  const textW = Math.ceil(Math.max(...bars.map((b) => textPx(b.text, 12)))) + 10;
  const plotW = Math.max(80, options.width - labelW - textW);
  const rowH = 26;
  const height = bars.length * rowH + 8;
  const max = options.max ?? Math.max(1e-9, ...bars.map((b) => b.value + (b.extra ?? 0)));
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(0, (b.value / max) * plotW);
    const w2 = Math.max(0, ((b.extra ?? 0) / max) * plotW);
    return [
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end" font-size="${size}">${escapeHtml(b.label)}</text>`,
      `<rect x="${labelW}" y="${y + 4}" width="${plotW}" height="18" fill="#f1f3f5"/>`,
      `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="18" fill="${options.color}"/>`,
      w2 > 0 ? `<rect x="${(labelW + w).toFixed(1)}" y="${y + 4}" width="${w2.toFixed(1)}" height="18" fill="${options.extraColor ?? '#adb5bd'}"/>` : '',
      `<text x="${labelW + plotW + 6}" y="${y + 17}" font-size="12" fill="#333">${escapeHtml(b.text)}</text>`,
    ].join('');
  });
  return `<svg role="img" aria-label="${escapeHtml(options.title)}" width="${options.width}" height="${height}" viewBox="0 0 ${options.width} ${height}" font-family='${FONT_STACK}'>${rows.join('')}</svg>`;
}

/** Vertical bars over runs (open cases), labelled with each run's date. */
function vbars(points: Array<{ label: string; value: number }>, options: { width: number; title: string }): string {
  if (!points.length) return `<p class="none">无数据</p>`;
  const height = 240;
  const top = 22;
  const bottom = 42;
  const left = 10;
  const plotH = height - top - bottom;
  const slot = (options.width - left * 2) / points.length;
  const barW = Math.min(48, slot * 0.6);
  const max = Math.max(1, ...points.map((p) => p.value));
  const parts = points.map((p, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const h = (p.value / max) * plotH;
    const y = top + plotH - h;
    const cx = x + barW / 2;
    return [
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="#e8590c"/>`,
      `<text x="${cx.toFixed(1)}" y="${(y - 5).toFixed(1)}" text-anchor="middle" font-size="12">${escapeHtml(int(p.value))}</text>`,
      `<text x="${cx.toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${escapeHtml(p.label)}</text>`,
    ].join('');
  });
  const axis = `<line x1="${left}" y1="${top + plotH}" x2="${options.width - left}" y2="${top + plotH}" stroke="#999"/>`;
  return `<svg role="img" aria-label="${escapeHtml(options.title)}" width="${options.width}" height="${height}" viewBox="0 0 ${options.width} ${height}" font-family='${FONT_STACK}'>${axis}${parts.join('')}</svg>`;
}

/** A run's short label: its start (run ids begin with date and time, 20261122-021457-...). */
function runLabel(r: Row): string {
  const id = String(r['run_id']);
  return /^\d{8}-\d{4}/.test(id) ? `${id.slice(4, 6)}-${id.slice(6, 8)} ${id.slice(9, 11)}:${id.slice(11, 13)}` : id;
}

/**
 * Writes `<dir>/summary.html`: one self-contained page for the office (inline CSS and SVG, no
 * network, no external fonts) with the key numbers of the run and charts from the ledger views:
 * coverage per district, findings per rule, arrears by class, open cases over the last runs.
 */
export async function writeSummaryHtml(db: Db, ctx: DatedRunContext): Promise<string> {
  await selectLedgerRun(db, ctx.runId);
  const options = { runId: ctx.runId, asOf: ctx.dates.asOf, dir: ctx.runDir };
  const districts = await db.all(`SELECT * FROM ledger_district`, undefined, { step: 'summary.district' });
  const total = districts.find((d) => d['district_code'] === null) ?? {};
  const perDistrict = districts.filter((d) => d['district_code'] !== null);
  const rules = await db.all(`SELECT rule_title, findings, amount FROM ledger_rule WHERE district_code IS NULL`, undefined, { step: 'summary.rules' });
  const history = (await db.all(`SELECT * FROM ledger_open_history`, undefined, { step: 'summary.history' })).slice(-12);
  const month = total['month'] instanceof Date ? total['month'].toISOString().slice(0, 7) : '';
  // The people (ledger_person): the 合计 row, and one row per district.
  const people = await db.all(`SELECT * FROM ledger_person`, undefined, { step: 'summary.person' });
  const peopleTotal = people.find((d) => d['district_code'] === null) ?? {};

  const cards: Array<[string, string, string]> = [
    ['参保率', pct(total['coverage_rate']), `已参保 ${int(total['enrolled'])} / 应参保 ${int(total['should_enroll'])} 户`],
    ['缴费率', pct(total['payment_rate']), `${month} 足额缴费 ${int(total['paid_in_full'])} / 已参保 ${int(total['enrolled'])} 户`],
    ['征缴率', pct(total['collection_rate']), `${month} 实缴 ${money(total['paid_m'])} / 应缴 ${money(total['due_m'])}`],
    ['发现问题', `${int(total['findings'])} 条`, `涉及金额 ${money(total['findings_amount'])}`],
    ['在办案件', `${int(total['cases_open'])} 件`, `本次新增 ${int(total['cases_opened'])}，销号 ${int(total['cases_resolved'])}`],
    ['欠费', money(total['arrears_amount']), `滞纳金 ${money(total['arrears_late_fee'])}`],
    [
      '职工参保率',
      pct(peopleTotal['person_coverage_rate']),
      `已参保 ${count(peopleTotal['wage_earners_enrolled'])} / 领取工资职工 ${count(peopleTotal['wage_earners'])} 人；未参保职工 ${count(peopleTotal['uninsured_people'])} 人`,
    ],
    [
      '代缴覆盖率',
      pct(peopleTotal['daijiao_coverage_rate']),
      `已代缴 ${count(peopleTotal['assistance_covered'])} / 困难群体应代缴 ${count(peopleTotal['assistance'])} 人`,
    ],
    ['断缴人员', `${count(peopleTotal['lapsed'])} 人`, `缴费基数偏低职工 ${count(peopleTotal['base_low_people'])} 人`],
  ];
  const coverage = hbars(
    perDistrict.map((d) => ({
      label: String(d['district_name']),
      value: num(d['coverage_rate']),
      text: `${pct(d['coverage_rate'])}（${int(d['enrolled'])}/${int(d['should_enroll'])}）`,
    })),
    { width: 580, max: 1, color: '#1c7ed6', title: '各区县参保率' },
  );
  const findings = hbars(
    rules.map((r) => ({ label: String(r['rule_title']), value: num(r['findings']), text: `${int(r['findings'])} 条` })),
    { width: 580, color: '#f08c00', title: '各类问题数' },
  );
  const arrears = hbars(
    ARREARS_CLASSES.map((c) => ({
      label: `${c.title} ${int(total[`arrears_${c.id}_n`])} 户`,
      value: num(total[`arrears_${c.id}_amount`]),
      extra: num(total[`arrears_${c.id}_late_fee`]),
      text: `${money(total[`arrears_${c.id}_amount`])} + ${money(total[`arrears_${c.id}_late_fee`])}`,
    })),
    { width: 580, color: '#c92a2a', extraColor: '#ffa8a8', title: '欠费按类别' },
  );
  const trend = vbars(
    history.map((h) => ({ label: runLabel(h), value: num(h['open_cases']) })),
    { width: 580, title: '近期在办案件' },
  );
  const districtRows = districts
    .map(
      (d) =>
        `<tr${d['district_code'] === null ? ' class="total"' : ''}><td>${escapeHtml(d['district_name'])}</td><td>${escapeHtml(int(d['active_employers']))}</td><td>${escapeHtml(int(d['should_enroll']))}</td><td>${escapeHtml(int(d['enrolled']))}</td><td>${escapeHtml(pct(d['coverage_rate']))}</td><td>${escapeHtml(pct(d['payment_rate']))}</td><td>${escapeHtml(pct(d['collection_rate']))}</td><td>${escapeHtml(int(d['findings']))}</td><td>${escapeHtml(int(d['cases_open']))}</td></tr>`,
    )
    .join('\n');
  const peopleRows = people
    .map(
      (d) =>
        `<tr${d['district_code'] === null ? ' class="total"' : ''}><td>${escapeHtml(d['district_name'])}</td><td>${escapeHtml(count(d['wage_earners']))}</td><td>${escapeHtml(count(d['wage_earners_enrolled']))}</td><td>${escapeHtml(pct(d['person_coverage_rate']))}</td><td>${escapeHtml(count(d['uninsured_people']))}</td><td>${escapeHtml(count(d['base_low_people']))}</td><td>${escapeHtml(count(d['lapsed']))}</td><td>${escapeHtml(count(d['assistance']))}</td><td>${escapeHtml(count(d['assistance_covered']))}</td><td>${escapeHtml(pct(d['daijiao_coverage_rate']))}</td></tr>`,
    )
    .join('\n');
  const peopleTable = people.length
    ? `<table>
<thead><tr><th>区县</th><th>领取工资职工</th><th>其中已参保</th><th>职工参保率</th><th>未参保职工</th><th>缴费基数偏低</th><th>断缴人员</th><th>困难群体应代缴</th><th>其中已代缴</th><th>代缴覆盖率</th></tr></thead>
<tbody>
${peopleRows}
</tbody>
</table>`
    : '<p class="none">本次运行没有人员层面的数据。</p>';

  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>扩面征缴情况 ${escapeHtml(options.asOf)}</title>
<style>
  body { font-family: ${FONT_STACK}; margin: 0; padding: 24px 32px; color: #212529; background: #f8f9fa; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  .meta { color: #666; font-size: 14px; margin-bottom: 20px; }
  .cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 14px; margin-bottom: 22px; }
  .card { background: #fff; border-radius: 8px; padding: 14px 18px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .card .k { font-size: 14px; color: #555; }
  .card .v { font-size: 30px; font-weight: 700; margin: 4px 0; color: #1864ab; }
  .card .s { font-size: 13px; color: #666; }
  .charts { display: grid; grid-template-columns: repeat(2, 1fr); gap: 14px; }
  .chart { background: #fff; border-radius: 8px; padding: 14px 18px; box-shadow: 0 1px 3px rgba(0,0,0,.08); overflow: hidden; }
  .chart h2 { font-size: 17px; margin: 0 0 10px; }
  .chart svg { max-width: 100%; height: auto; display: block; }
  .legend { font-size: 12px; color: #666; margin-top: 6px; }
  .legend i { display: inline-block; width: 12px; height: 10px; margin: 0 4px 0 10px; }
  table { border-collapse: collapse; width: 100%; background: #fff; margin-top: 22px; font-size: 14px; }
  th, td { border: 1px solid #dee2e6; padding: 6px 10px; text-align: right; }
  th { background: #e7f0fa; text-align: center; }
  td:first-child { text-align: left; }
  tr.total td { font-weight: 700; background: #f1f3f5; }
  h2.section { font-size: 17px; margin: 22px 0 0; }
  .none { color: #999; }
  .foot { color: #888; font-size: 12px; margin-top: 16px; }
  /* Printing (a leader prints this page): A4, the charts one under another at full size, no
     card or chart cut by a page break, the table's header again on every page it runs onto. */
  @page { size: A4; margin: 12mm 12mm 14mm; }
  @media print {
    body { background: #fff; padding: 0; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    h1 { font-size: 22px; }
    .meta { margin-bottom: 12px; }
    .cards { gap: 8px; margin-bottom: 12px; }
    .card, .chart { box-shadow: none; border: 1px solid #dee2e6; }
    .card .v { font-size: 24px; }
    .charts { grid-template-columns: 1fr; gap: 10px; }
    .card, .chart, .foot { break-inside: avoid; page-break-inside: avoid; }
    table { margin-top: 12px; font-size: 12px; }
    thead { display: table-header-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
  }
</style>
</head>
<body>
<h1>全民参保扩面征缴情况</h1>
<div class="meta">核查日 ${escapeHtml(options.asOf)} ｜ 已结算月份 ${escapeHtml(month)} ｜ 运行 ${escapeHtml(options.runId)}</div>
<div class="cards">
${cards.map(([k, v, s]) => `<div class="card"><div class="k">${escapeHtml(k)}</div><div class="v">${escapeHtml(v)}</div><div class="s">${escapeHtml(s)}</div></div>`).join('\n')}
</div>
<div class="charts">
<div class="chart"><h2>各区县参保率</h2>${coverage}</div>
<div class="chart"><h2>各类问题数</h2>${findings}</div>
<div class="chart"><h2>欠费按类别</h2>${arrears}<div class="legend"><i style="background:#c92a2a"></i>欠费<i style="background:#ffa8a8"></i>滞纳金</div></div>
<div class="chart"><h2>在办案件（近 ${escapeHtml(history.length)} 次运行）</h2>${trend}</div>
</div>
<table>
<thead><tr><th>区县</th><th>在业单位</th><th>应参保</th><th>已参保</th><th>参保率</th><th>缴费率</th><th>征缴率</th><th>问题数</th><th>在办案件</th></tr></thead>
<tbody>
${districtRows}
</tbody>
</table>
<h2 class="section">人员参保（按区县，单位：人）</h2>
${peopleTable}
<div class="foot">参保率 = 已参保单位 / 应参保单位；缴费率 = 当月足额缴费单位 / 已参保单位；征缴率 = 当月实缴 / 当月应缴。职工参保率 = 领取工资职工中已参加职工养老保险的人数 / 在本区县单位连续两个月领取工资的职工人数；代缴覆盖率 = 已由政府代缴城乡居民养老保险的人数 / 困难群体中应代缴的人数（16 至 59 岁、非退休、未参加职工养老保险）；“—”表示无数据或分母为 0。明细见 ledger.xlsx，口径见数据库视图 ledger_district、ledger_person。</div>
</body>
</html>
`;
  fs.mkdirSync(options.dir, { recursive: true });
  const file = path.join(options.dir, 'summary.html');
  fs.writeFileSync(file, html);
  return file;
}
