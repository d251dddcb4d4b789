import { escapeHtml } from '../core/html.ts';
import { pctText, ppText, rankMoveText, wanText, type Bulletin, type BulletinDistrict, type BulletinPeople, type BulletinProject } from './bulletin.ts';

/**
 * The bulletin as one self-contained HTML page (inline CSS and SVG; no script, no network, no
 * external font), printable on A4: the text of the 通报, the ranking, the month's cases per
 * district and the trend since the campaign start.
 */

const FONT_STACK = `"Noto Sans CJK SC", "Microsoft YaHei", sans-serif`;
/** Colour-blind-safe enough for ten lines; the city line is drawn black and thicker. */
const PALETTE = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#c2255c', '#5c940d', '#6741d9', '#868e96', '#d9480f', '#1098ad'];

function textPx(text: string, size: number): number {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFFF]/u.test(ch) ? size : size * 0.58;
  return w;
}

function svg(width: number, height: number, title: string, body: string): string {
  return `<svg role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family='${FONT_STACK}'>${body}</svg>`;
}

/** Horizontal bars of completion per district with a 100% line; the top and bottom districts coloured. */
function completionBars(b: Bulletin, width: number): string {
  const ranked = b.districts.filter((d) => d.completion !== null);
  if (!ranked.length) return `<p class="none">未载入目标任务，无完成情况</p>`;
  const size = 13;
  const labelW = Math.ceil(Math.max(...ranked.map((d) => textPx(`${d.rank}. ${d.districtName}`, size)))) + 12;
  const textW = 64;
  const plotW = Math.max(80, width - labelW - textW);
  const rowH = 26;
  const max = Math.max(1.2, ...ranked.map((d) => d.completion ?? 0));
  const height = ranked.length * rowH + 24;
  const x100 = labelW + plotW / max;
  const rows = ranked.map((d, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(0, ((d.completion ?? 0) / max) * plotW);
    const color = b.praised.includes(d) ? '#2f9e44' : b.urged.includes(d) ? '#e03131' : '#1c7ed6';
    return [
      `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end" font-size="${size}">${escapeHtml(`${d.rank}. ${d.districtName}`)}</text>`,
      `<rect x="${labelW}" y="${y + 4}" width="${plotW}" height="18" fill="#f1f3f5"/>`,
      `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="18" fill="${color}"/>`,
      `<text x="${labelW + plotW + 6}" y="${y + 17}" font-size="12" fill="#333">${escapeHtml(pctText(d.completion))}</text>`,
    ].join('');
  });
  const line = `<line x1="${x100.toFixed(1)}" y1="2" x2="${x100.toFixed(1)}" y2="${height - 18}" stroke="#495057" stroke-dasharray="4 3"/><text x="${x100.toFixed(1)}" y="${height - 4}" text-anchor="middle" font-size="11" fill="#495057">100%</text>`;
  return svg(width, height, '各区县综合完成率', rows.join('') + line);
}

/** Lines of completion per month: one per district, the city thicker and black. */
function trendLines(b: Bulletin, width: number): string {
  const points = b.trend.filter((t) => t.completion !== null);
  if (!points.length) return `<p class="none">无数据</p>`;
  const months = b.months;
  const height = 300;
  const left = 48;
  const right = 110;
  const top = 14;
  const bottom = 30;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1.2, ...points.map((p) => p.completion ?? 0));
  const x = (m: string): number => left + (months.length === 1 ? plotW / 2 : (months.indexOf(m) / (months.length - 1)) * plotW);
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const grid: string[] = [];
  for (let v = 0; v <= max + 1e-9; v += 0.2) {
    grid.push(
      `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + plotW}" y2="${y(v).toFixed(1)}" stroke="${Math.abs(v - 1) < 1e-9 ? '#495057' : '#e9ecef'}"${Math.abs(v - 1) < 1e-9 ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    grid.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#666">${Math.round(v * 100)}%</text>`);
  }
  for (const m of months) grid.push(`<text x="${x(m).toFixed(1)}" y="${height - 10}" text-anchor="middle" font-size="11" fill="#555">${escapeHtml(m)}</text>`);
  const keys = [...new Set(points.map((p) => p.districtCode ?? ''))];
  const labels: Array<{ y: number; y0: number; x: number; text: string; color: string; city: boolean }> = [];
  const series = keys.map((key, i) => {
    const ps = points.filter((p) => (p.districtCode ?? '') === key);
    const city = key === '';
    const color = city ? '#212529' : (PALETTE[i % PALETTE.length] as string);
    const path = ps.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.month).toFixed(1)},${y(p.completion ?? 0).toFixed(1)}`).join(' ');
    const last = ps[ps.length - 1];
    const dots = ps.map((p) => `<circle cx="${x(p.month).toFixed(1)}" cy="${y(p.completion ?? 0).toFixed(1)}" r="${city ? 4 : 3}" fill="${color}"/>`).join('');
    if (last) labels.push({ y: y(last.completion ?? 0) + 4, y0: y(last.completion ?? 0) + 4, x: x(last.month) + 8, text: last.districtName, color, city });
    return { city, svg: `<path d="${path}" fill="none" stroke="${color}" stroke-width="${city ? 3 : 1.5}"/>${dots}` };
  });
  // End labels pushed apart so that close lines keep readable names (12 px a line).
  labels.sort((a, b2) => a.y - b2.y);
  for (let i = 1; i < labels.length; i++) {
    const prev = labels[i - 1] as (typeof labels)[number];
    const cur = labels[i] as (typeof labels)[number];
    if (cur.y - prev.y < 12) cur.y = prev.y + 12;
  }
  // The pushed stack is moved back up by its mean displacement, so labels stay near their lines.
  const shift = labels.reduce((n, l) => n + (l.y - l.y0), 0) / Math.max(1, labels.length);
  const lift = Math.min(shift, (labels[0]?.y ?? 0) - (top + 8));
  for (const l of labels) l.y -= Math.max(0, lift);
  const overflow = (labels[labels.length - 1]?.y ?? 0) - (height - 4);
  if (overflow > 0) for (const l of labels) l.y -= overflow;
  const labelSvg = labels
    .map(
      (l) =>
        `<text x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}" font-size="11" fill="${l.color}"${l.city ? ' font-weight="700"' : ''}>${escapeHtml(l.text)}</text>`,
    )
    .join('');
  // The city drawn last, on top.
  const body =
    grid.join('') +
    series
      .filter((s) => !s.city)
      .map((s) => s.svg)
      .join('') +
    series
      .filter((s) => s.city)
      .map((s) => s.svg)
      .join('') +
    labelSvg;
  return svg(width, height, '综合完成率月度趋势', body);
}

/** Grouped vertical bars per month: cases opened and resolved city-wide. */
function caseBars(b: Bulletin, width: number): string {
  const pts = b.caseTrend;
  if (!pts.length) return `<p class="none">无案件变化</p>`;
  const height = 220;
  const top = 20;
  const bottom = 30;
  const plotH = height - top - bottom;
  const slot = (width - 20) / pts.length;
  const barW = Math.min(28, slot * 0.3);
  const max = Math.max(1, ...pts.flatMap((p) => [p.opened, p.resolved]));
  const parts = pts.map((p, i) => {
    const cx = 10 + i * slot + slot / 2;
    return [
      [p.opened, '#e8590c', cx - barW - 1],
      [p.resolved, '#2f9e44', cx + 1],
    ]
      .map(([v, color, bx]) => {
        const h = (Number(v) / max) * plotH;
        const yy = top + plotH - h;
        return `<rect x="${Number(bx).toFixed(1)}" y="${yy.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"/><text x="${(Number(bx) + barW / 2).toFixed(1)}" y="${(yy - 4).toFixed(1)}" text-anchor="middle" font-size="11">${escapeHtml(v)}</text>`;
      })
      .join('')
      .concat(`<text x="${cx.toFixed(1)}" y="${height - 10}" text-anchor="middle" font-size="11" fill="#555">${escapeHtml(p.month)}</text>`);
  });
  const axis = `<line x1="10" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#999"/>`;
  return svg(width, height, '每月新增与销号案件', axis + parts.join(''));
}

function rankingRow(d: BulletinDistrict, b: Bulletin): string {
  const cls = d.districtCode === null ? ' class="total"' : b.praised.includes(d) ? ' class="top"' : b.urged.includes(d) ? ' class="bottom"' : '';
  const cells = [
    d.rank === null ? (d.districtCode === null ? '' : '—') : String(d.rank),
    rankMoveText(d.rankChange),
    d.districtName,
    pctText(d.completion),
    ppText(d.completionChange).replace(' 个百分点', ''),
    d.insuredUnits.toLocaleString('en-US'),
    d.targetUnits === null ? '—' : d.targetUnits.toLocaleString('en-US'),
    pctText(d.completionUnits),
    d.insuredPersons.toLocaleString('en-US'),
    d.targetPersons === null ? '—' : d.targetPersons.toLocaleString('en-US'),
    pctText(d.completionPersons),
    pctText(d.coverageRate),
    pctText(d.targetCoverage),
    wanText(d.collected).replace(' 万元', ''),
    d.targetCollection === null ? '—' : wanText(d.targetCollection).replace(' 万元', ''),
    pctText(d.completionCollection),
  ];
  return `<tr${cls}>${cells.map((c, i) => `<td${i === 2 ? ' class="name"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

/** A count of people, — when unknown. */
function people(v: number | null): string {
  return v === null ? '—' : v.toLocaleString('en-US');
}

function peopleRow(d: BulletinPeople): string {
  const cells = [
    d.districtName,
    people(d.wageEarners),
    people(d.enrolled),
    pctText(d.coverage),
    people(d.uninsured),
    people(d.lapsed),
    people(d.assistance),
    people(d.covered),
    pctText(d.daijiaoCoverage),
  ];
  return `<tr${d.districtCode === null ? ' class="total"' : ''}>${cells.map((c, i) => `<td${i === 0 ? ' class="name"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

/** Section 四: the people (职工参保率, 代缴覆盖率), when the run recorded them. */
function peopleSection(b: Bulletin, para: (text: string | null, cls?: string) => string): string {
  const rows = [...b.people.districts, ...(b.people.city ? [b.people.city] : [])];
  if (!b.paragraphs.people || rows.length === 0) return `<h2>四、人员参保情况</h2>${para('本期运行没有人员层面的数据。', 'none')}`;
  return `<h2>四、人员参保情况</h2>
${para(b.paragraphs.people)}
<table class="people">
<thead><tr><th>区县</th><th>领取工资<br>职工(人)</th><th>其中<br>已参保</th><th>职工<br>参保率</th><th>未参保<br>职工(人)</th><th>断缴<br>人员(人)</th><th>困难群体<br>应代缴(人)</th><th>其中<br>已代缴</th><th>代缴<br>覆盖率</th></tr></thead>
<tbody>
${rows.map(peopleRow).join('\n')}
</tbody>
</table>`;
}

function projectRow(d: BulletinProject): string {
  const cells = [
    d.rank === null ? '' : String(d.rank),
    d.districtName,
    d.permits.toLocaleString('en-US'),
    d.insured.toLocaleString('en-US'),
    pctText(d.rate),
    pctText(d.target),
    d.reached === null ? '—' : d.reached ? '达标' : '未达标',
  ];
  const cls = d.districtCode === null ? ' class="total"' : d.reached === false && d.rank !== null ? ' class="bottom"' : '';
  return `<tr${cls}>${cells.map((c, i) => `<td${i === 1 ? ' class="name"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`;
}

/** Section 五: 新开工项目工伤保险参保率, the districts ranked on it, when the run recorded permits. */
function projectSection(b: Bulletin, para: (text: string | null, cls?: string) => string): string {
  const rows = [...b.projects.districts, ...(b.projects.city ? [b.projects.city] : [])];
  if (!b.paragraphs.projects || rows.length === 0) return `<h2>五、新开工项目工伤保险参保情况</h2>${para('本期运行没有施工许可数据。', 'none')}`;
  return `<h2>五、新开工项目工伤保险参保情况</h2>
${para(b.paragraphs.projects)}
<table class="projects">
<thead><tr><th>排名</th><th>区县</th><th>新开工<br>项目(个)</th><th>其中<br>已参保</th><th>参保率</th><th>目标</th><th>是否<br>达标</th></tr></thead>
<tbody>
${rows.map(projectRow).join('\n')}
</tbody>
</table>`;
}

/** The bulletin page. */
export function bulletinHtml(b: Bulletin): string {
  const title = `全民参保扩面征缴工作通报（${b.month.slice(0, 4)}年${Number(b.month.slice(5, 7))}月）`;
  const ranking = [...b.districts, ...(b.city ? [b.city] : [])].map((d) => rankingRow(d, b)).join('\n');
  const caseRows = b.cases
    .map(
      (c) => `<tr><td class="name">${escapeHtml(c.districtName)}</td><td>${c.opened}</td><td>${c.resolved}</td><td>${c.reopened}</td><td>${c.exempt}</td></tr>`,
    )
    .concat(
      `<tr class="total"><td class="name">全市合计</td><td>${b.casesTotal.opened}</td><td>${b.casesTotal.resolved}</td><td>${b.casesTotal.reopened}</td><td>${b.casesTotal.exempt}</td></tr>`,
    )
    .join('\n');
  const para = (text: string | null, cls = ''): string => (text ? `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>` : '');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  @page { size: A4; margin: 16mm 14mm; }
  body { font-family: ${FONT_STACK}; margin: 0; padding: 24px 32px; color: #212529; background: #fff; max-width: 1180px; }
  h1 { font-size: 26px; margin: 0 0 6px; text-align: center; letter-spacing: 1px; }
  .meta { color: #666; font-size: 13px; text-align: center; margin-bottom: 18px; }
  h2 { font-size: 18px; margin: 22px 0 10px; border-left: 4px solid #1c7ed6; padding-left: 8px; }
  p { font-size: 15px; line-height: 1.8; text-indent: 2em; margin: 6px 0; }
  p.praise { color: #2b8a3e; }
  p.urge { color: #c92a2a; }
  p.method { font-size: 12px; color: #777; text-indent: 0; line-height: 1.6; }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  .chart { border: 1px solid #e9ecef; border-radius: 6px; padding: 10px 12px; overflow: hidden; }
  .chart h3 { font-size: 15px; margin: 0 0 8px; }
  .chart svg { max-width: 100%; height: auto; display: block; }
  .legend { font-size: 12px; color: #666; margin-top: 4px; }
  .legend i { display: inline-block; width: 12px; height: 10px; margin: 0 4px 0 10px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { border: 1px solid #dee2e6; padding: 5px 7px; text-align: right; white-space: nowrap; }
  th { background: #e7f0fa; text-align: center; }
  td.name { text-align: left; }
  tr.total td { font-weight: 700; background: #f1f3f5; }
  tr.top td.name { color: #2b8a3e; font-weight: 700; }
  tr.bottom td.name { color: #c92a2a; font-weight: 700; }
  .none { color: #999; text-indent: 0; }
  /* Printed on A4 portrait: the charts one under another at full size, the 16-column ranking
     small enough to fit the page width, nothing cut by a page break, table headers repeated. */
  @media print {
    body { padding: 0; max-width: none; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    .charts { grid-template-columns: 1fr; gap: 10px; }
    .chart, p, h2 + p { break-inside: avoid; page-break-inside: avoid; }
    h2 { break-after: avoid; page-break-after: avoid; }
    table.ranking { font-size: 10px; }
    table.ranking th, table.ranking td { padding: 3px 4px; }
    thead { display: table-header-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
  }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="meta">数据截至 ${escapeHtml(b.asOf)} ｜ 运行 ${escapeHtml(b.runId)}${b.prevAsOf ? ` ｜ 较上月：与 ${escapeHtml(b.prevAsOf)} 比较` : ' ｜ 上月无运行记录'}</div>
<h2>一、目标任务完成情况</h2>
${para(b.paragraphs.summary)}
${para(b.paragraphs.praise, 'praise')}
${para(b.paragraphs.urge, 'urge')}
<div class="charts">
<div class="chart"><h3>各区县综合完成率（${escapeHtml(b.month)}）</h3>${completionBars(b, 540)}<div class="legend"><i style="background:#2f9e44"></i>排名前列<i style="background:#e03131"></i>排名靠后<i style="background:#1c7ed6"></i>其他</div></div>
<div class="chart"><h3>综合完成率月度趋势（${escapeHtml(b.months[0] ?? b.month)} 起）</h3>${trendLines(b, 540)}</div>
</div>
${
  b.hasTargets
    ? `<h2>二、各区县排名</h2>
<table class="ranking">
<thead><tr><th>排名</th><th>较上月</th><th>区县</th><th>综合<br>完成率</th><th>较上月<br>(百分点)</th><th>参保<br>单位数</th><th>单位<br>目标</th><th>单位<br>完成率</th><th>参保<br>人数</th><th>人数<br>目标</th><th>人数<br>完成率</th><th>参保率</th><th>参保率<br>目标</th><th>征缴<br>(万元)</th><th>征缴目标<br>(万元)</th><th>征缴<br>完成率</th></tr></thead>
<tbody>
${ranking}
</tbody>
</table>`
    : `<h2>二、各区县排名</h2>${para(`未载入 ${b.year} 年度目标任务，本期不排名。`, 'none')}`
}
<h2>三、疑点案件办理情况</h2>
${para(b.paragraphs.cases)}
<div class="charts">
<div class="chart"><table>
<thead><tr><th>区县</th><th>本月新增</th><th>本月销号</th><th>重新打开</th><th>核实豁免</th></tr></thead>
<tbody>
${caseRows}
</tbody>
</table></div>
<div class="chart"><h3>每月新增与销号案件</h3>${caseBars(b, 540)}<div class="legend"><i style="background:#e8590c"></i>新增<i style="background:#2f9e44"></i>销号</div></div>
</div>
${peopleSection(b, para)}
${projectSection(b, para)}
${para(b.paragraphs.method, 'method')}
</body>
</html>
`;
}
