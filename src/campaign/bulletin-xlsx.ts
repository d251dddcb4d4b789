import ExcelJS from 'exceljs';
import { displayWidth, safeText } from '../core/xlsx-write.ts';
import { REPORT_FONT as LEDGER_FONT } from '../core/xlsx-write.ts';
import { rankMoveText, type Bulletin, type BulletinDistrict, type BulletinProject } from './bulletin.ts';

/** The sheets of the bulletin workbook, in order. */
export const BULLETIN_SHEETS = ['通报', '完成情况排名', '案件情况', '人员参保', '项目参保', '月度趋势'] as const;

type Kind = 'text' | 'int' | 'rate' | 'pp' | 'wan';
interface Col {
  header: string;
  kind: Kind;
  value: (d: BulletinDistrict) => string | number | null;
}

const FONT: Partial<ExcelJS.Font> = { name: LEDGER_FONT, size: 10 };
const BOLD: Partial<ExcelJS.Font> = { ...FONT, bold: true };
const FORMATS: Record<Kind, string | undefined> = { text: undefined, int: '#,##0', rate: '0.0%', pp: '+0.0%;-0.0%;0.0%', wan: '#,##0.00' };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
const TOP_FONT: Partial<ExcelJS.Font> = { ...BOLD, color: { argb: 'FF2B8A3E' } };
const BOTTOM_FONT: Partial<ExcelJS.Font> = { ...BOLD, color: { argb: 'FFC92A2A' } };
const BORDER: Partial<ExcelJS.Borders> = Object.fromEntries(['top', 'bottom', 'left', 'right'].map((k) => [k, { style: 'thin', color: { argb: 'FFBFBFBF' } }]));

const wan = (v: number | null): number | null => (v === null ? null : Math.round(v / 100) / 100);

const RANKING: Col[] = [
  { header: '排名', kind: 'int', value: (d) => d.rank },
  { header: '较上月\n排名', kind: 'text', value: (d) => rankMoveText(d.rankChange) },
  { header: '区县', kind: 'text', value: (d) => d.districtName },
  { header: '综合\n完成率', kind: 'rate', value: (d) => d.completion },
  { header: '较上月\n(百分点)', kind: 'pp', value: (d) => d.completionChange },
  { header: '参保\n单位数', kind: 'int', value: (d) => d.insuredUnits },
  { header: '参保单位\n目标', kind: 'int', value: (d) => d.targetUnits },
  { header: '单位\n完成率', kind: 'rate', value: (d) => d.completionUnits },
  { header: '参保\n人数', kind: 'int', value: (d) => d.insuredPersons },
  { header: '参保人数\n目标', kind: 'int', value: (d) => d.targetPersons },
  { header: '人数\n完成率', kind: 'rate', value: (d) => d.completionPersons },
  { header: '参保率', kind: 'rate', value: (d) => d.coverageRate },
  { header: '参保率\n目标', kind: 'rate', value: (d) => d.targetCoverage },
  { header: '参保率\n完成率', kind: 'rate', value: (d) => d.completionCoverage },
  { header: '征缴金额\n(万元)', kind: 'wan', value: (d) => wan(d.collected) },
  { header: '征缴目标\n(万元)', kind: 'wan', value: (d) => wan(d.targetCollection) },
  { header: '征缴\n完成率', kind: 'rate', value: (d) => d.completionCollection },
];

/** A cell value: numbers as numbers, text always a plain string (never a formula). */
function cell(v: string | number | null, kind: Kind): string | number | null {
  if (v === null) return null;
  if (kind !== 'text' && typeof v === 'number') return Number.isFinite(v) ? v : null;
  return safeText(v);
}

/** A sheet printed on A4, one page wide, with the bulletin's title and page numbers. */
function sheet(wb: ExcelJS.Workbook, name: string, title: string, b: Bulletin, landscape: boolean, views: Partial<ExcelJS.WorksheetView>[]): ExcelJS.Worksheet {
  const amp = (s: string): string => s.replaceAll('&', '&&');
  return wb.addWorksheet(name, {
    views,
    pageSetup: {
      paperSize: 9,
      orientation: landscape ? 'landscape' : 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      horizontalCentered: true,
    },
    headerFooter: {
      oddHeader: `&L&"${LEDGER_FONT},Regular"&9${amp(title)}&R&"${LEDGER_FONT},Regular"&9数据截至 ${b.asOf}`,
      oddFooter: `&C&"${LEDGER_FONT},Regular"&9第 &P 页，共 &N 页`,
    },
  });
}

/** Widens the last of the first `span` columns so a 14-point title fits over them (else the print cuts it). */
function fitTitle(ws: ExcelJS.Worksheet, title: string, span: number): void {
  const need = displayWidth(title) * 1.45 + 2;
  let have = 0;
  for (let i = 1; i <= span; i++) have += ws.getColumn(i).width ?? 9;
  if (have >= need) return;
  // Spread the extra width over the data columns (all but the first when there are several).
  const from = span > 1 ? 2 : 1;
  const each = (need - have) / (span - from + 1);
  for (let i = from; i <= span; i++) ws.getColumn(i).width = (ws.getColumn(i).width ?? 9) + each;
}

function titleRow(ws: ExcelJS.Worksheet, text: string, span: number): void {
  const row = ws.addRow([text]);
  row.height = 26;
  row.getCell(1).font = { ...FONT, size: 14, bold: true };
  row.getCell(1).alignment = { vertical: 'middle', horizontal: 'center' };
  if (span > 1) ws.mergeCells(row.number, 1, row.number, span);
}

function table(
  ws: ExcelJS.Worksheet,
  headers: string[],
  kinds: Kind[],
  rows: Array<Array<string | number | null>>,
  style?: (i: number) => { total?: boolean; font?: Partial<ExcelJS.Font> },
): void {
  const h = ws.addRow(headers);
  h.height = Math.max(...headers.map((x) => x.split('\n').length)) * 14 + 6;
  h.eachCell((c) => {
    c.font = BOLD;
    c.fill = HEADER_FILL;
    c.border = BORDER;
    c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  rows.forEach((values, i) => {
    const r = ws.addRow(values.map((v, j) => cell(v, kinds[j] ?? 'text')));
    const s = style?.(i) ?? {};
    values.forEach((_, j) => {
      const c = r.getCell(j + 1);
      const kind = kinds[j] ?? 'text';
      c.font = s.total ? BOLD : kind === 'text' && s.font ? s.font : FONT;
      c.border = BORDER;
      const fmt = FORMATS[kind];
      if (fmt) c.numFmt = fmt;
      c.alignment = { vertical: 'middle', horizontal: kind === 'text' ? 'left' : 'right' };
      if (s.total) c.fill = TOTAL_FILL;
    });
  });
}

function fitColumns(ws: ExcelJS.Worksheet, min = 6, max = 40): void {
  ws.columns.forEach((col) => {
    let w = min;
    col.eachCell?.({ includeEmpty: false }, (c) => {
      if (c.isMerged) return;
      const text = typeof c.value === 'number' ? c.value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(c.value ?? '');
      for (const line of text.split('\n')) w = Math.max(w, displayWidth(line) + 2);
    });
    col.width = Math.min(max, w);
  });
}

/** The bulletin workbook: 通报 (the text), 完成情况排名, 案件情况, 月度趋势. */
export function bulletinWorkbook(b: Bulletin): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'recon';
  const title = `全民参保扩面征缴工作通报（${b.month.slice(0, 4)}年${Number(b.month.slice(5, 7))}月）`;

  const text = sheet(wb, '通报', title, b, false, [{ showGridLines: false }]);
  // LibreOffice neither scales nor breaks a single column wider than the page: 66 fits A4 portrait.
  text.columns = [{ width: 66 }];
  titleRow(text, title, 1);
  const meta = text.addRow([safeText(`数据截至 ${b.asOf}；运行 ${b.runId}；${b.prevAsOf ? `较上月与 ${b.prevAsOf} 比较` : '上月无运行记录'}`)]);
  meta.getCell(1).font = { ...FONT, color: { argb: 'FF666666' } };
  meta.getCell(1).alignment = { horizontal: 'center' };
  const paragraphs: Array<[string | null, Partial<ExcelJS.Font>]> = [
    ['一、目标任务完成情况', { ...BOLD, size: 12 }],
    [b.paragraphs.summary, { ...FONT, size: 11 }],
    [b.paragraphs.praise, { ...FONT, size: 11, color: { argb: 'FF2B8A3E' } }],
    [b.paragraphs.urge, { ...FONT, size: 11, color: { argb: 'FFC92A2A' } }],
    ['二、疑点案件办理情况', { ...BOLD, size: 12 }],
    [b.paragraphs.cases, { ...FONT, size: 11 }],
    ['三、人员参保情况', { ...BOLD, size: 12 }],
    [b.paragraphs.people ?? '本期运行没有人员层面的数据。', { ...FONT, size: 11 }],
    ['四、新开工项目工伤保险参保情况', { ...BOLD, size: 12 }],
    [b.paragraphs.projects ?? '本期运行没有施工许可数据。', { ...FONT, size: 11 }],
    ['五、说明', { ...BOLD, size: 12 }],
    [b.paragraphs.method, { ...FONT, size: 9, color: { argb: 'FF777777' } }],
  ];
  for (const [p, font] of paragraphs) {
    if (!p) continue;
    const r = text.addRow([safeText(p)]);
    r.getCell(1).font = font;
    r.getCell(1).alignment = { wrapText: true, vertical: 'top' };
    // Width 66 holds about 29 CJK characters of 11 points a line (36 of 9 points).
    r.height = Math.max(1, Math.ceil(displayWidth(p) / (font.size === 9 ? 72 : 56))) * (Number(font.size ?? 10) + 8) + 6;
  }

  const rank = sheet(wb, '完成情况排名', title, b, true, [{ state: 'frozen', ySplit: 2, xSplit: 3 }]);
  const rankTitle = `${b.year} 年度目标完成情况排名（数据截至 ${b.asOf}）`;
  // Without targets the sheet is one line: a title merged over 17 empty columns printed as a wide, empty page.
  titleRow(rank, rankTitle, b.hasTargets ? RANKING.length : 1);
  const ranked = [...b.districts, ...(b.city ? [b.city] : [])];
  if (b.hasTargets) {
    table(
      rank,
      RANKING.map((c) => c.header),
      RANKING.map((c) => c.kind),
      ranked.map((d) => RANKING.map((c) => c.value(d))),
      (i) => {
        const d = ranked[i] as BulletinDistrict;
        return d.districtCode === null ? { total: true } : b.praised.includes(d) ? { font: TOP_FONT } : b.urged.includes(d) ? { font: BOTTOM_FONT } : {};
      },
    );
  } else {
    rank.addRow([safeText(`未载入 ${b.year} 年度目标任务，本期不排名。`)]).getCell(1).font = FONT;
  }
  fitColumns(rank);
  rank.getColumn(1).width = 6;
  fitTitle(rank, rankTitle, b.hasTargets ? RANKING.length : 1);

  const cases = sheet(wb, '案件情况', title, b, false, [{ state: 'frozen', ySplit: 2 }]);
  const casesTitle = `${b.month} 疑点案件办理情况`;
  titleRow(cases, casesTitle, 5);
  table(
    cases,
    ['区县', '本月新增', '本月销号', '重新打开', '核实豁免'],
    ['text', 'int', 'int', 'int', 'int'],
    [
      ...b.cases.map((c) => [c.districtName, c.opened, c.resolved, c.reopened, c.exempt]),
      ['全市合计', b.casesTotal.opened, b.casesTotal.resolved, b.casesTotal.reopened, b.casesTotal.exempt],
    ],
    (i) => ({ total: i === b.cases.length }),
  );
  fitColumns(cases, 10);
  fitTitle(cases, casesTitle, 5);

  const peopleSheet = sheet(wb, '人员参保', title, b, false, [{ state: 'frozen', ySplit: 2, xSplit: 1 }]);
  const peopleTitle = `人员参保情况（数据截至 ${b.asOf}）`;
  const peopleRows = [...b.people.districts, ...(b.people.city ? [b.people.city] : [])];
  if (b.paragraphs.people && peopleRows.length) {
    titleRow(peopleSheet, peopleTitle, 9);
    // A count or rate nobody knows is —, not an empty cell.
    const v = (x: number | null): string | number => (x === null ? '—' : x);
    table(
      peopleSheet,
      [
        '区县',
        '领取工资\n职工(人)',
        '其中\n已参保',
        '职工\n参保率',
        '未参保\n职工(人)',
        '断缴\n人员(人)',
        '困难群体\n应代缴(人)',
        '其中\n已代缴',
        '代缴\n覆盖率',
      ],
      ['text', 'int', 'int', 'rate', 'int', 'int', 'int', 'int', 'rate'],
      peopleRows.map((d) => [
        d.districtName,
        v(d.wageEarners),
        v(d.enrolled),
        v(d.coverage),
        v(d.uninsured),
        v(d.lapsed),
        v(d.assistance),
        v(d.covered),
        v(d.daijiaoCoverage),
      ]),
      (i) => ({ total: peopleRows[i]?.districtCode === null }),
    );
  } else {
    titleRow(peopleSheet, peopleTitle, 1);
    peopleSheet.addRow([safeText('本期运行没有人员层面的数据。')]).getCell(1).font = FONT;
  }
  fitColumns(peopleSheet, 8);
  fitTitle(peopleSheet, peopleTitle, b.paragraphs.people && peopleRows.length ? 9 : 1);

  const projectSheet = sheet(wb, '项目参保', title, b, false, [{ state: 'frozen', ySplit: 2, xSplit: 2 }]);
  const projectTitle = `新开工项目工伤保险参保率排名（数据截至 ${b.asOf}）`;
  const projectRows = [...b.projects.districts, ...(b.projects.city ? [b.projects.city] : [])];
  if (b.paragraphs.projects && projectRows.length) {
    titleRow(projectSheet, projectTitle, 7);
    table(
      projectSheet,
      ['排名', '区县', '新开工\n项目(个)', '其中\n已参保', '参保率', '目标', '是否\n达标'],
      ['int', 'text', 'int', 'int', 'rate', 'rate', 'text'],
      projectRows.map((d) => [d.rank, d.districtName, d.permits, d.insured, d.rate, d.target, d.reached === null ? '—' : d.reached ? '达标' : '未达标']),
      (i) => {
        const d = projectRows[i] as BulletinProject;
        return d.districtCode === null ? { total: true } : d.reached === false && d.rank !== null ? { font: BOTTOM_FONT } : {};
      },
    );
  } else {
    titleRow(projectSheet, projectTitle, 1);
    projectSheet.addRow([safeText('本期运行没有施工许可数据。')]).getCell(1).font = FONT;
  }
  fitColumns(projectSheet, 8);
  projectSheet.getColumn(1).width = 6;
  fitTitle(projectSheet, projectTitle, b.paragraphs.projects && projectRows.length ? 7 : 1);

  const trend = sheet(wb, '月度趋势', title, b, b.months.length > 6, [{ state: 'frozen', ySplit: 2, xSplit: 1 }]);
  const trendTitle = `综合完成率月度趋势（${b.months[0] ?? b.month} 起）`;
  titleRow(trend, trendTitle, b.hasTargets ? b.months.length + 1 : 1);
  if (b.hasTargets) {
    const names = new Map<string, string>();
    for (const t of b.trend) names.set(t.districtCode ?? '', t.districtName);
    const keys = [...names.keys()].sort((a, c) => (a === '' ? 1 : c === '' ? -1 : a.localeCompare(c)));
    table(
      trend,
      ['区县', ...b.months],
      ['text', ...b.months.map((): Kind => 'rate')],
      keys.map((k) => [names.get(k) ?? k, ...b.months.map((m) => b.trend.find((t) => (t.districtCode ?? '') === k && t.month === m)?.completion ?? null)]),
      (i) => ({ total: keys[i] === '' }),
    );
  } else {
    // No targets, no completion: one line instead of a grid of empty cells.
    trend.addRow([safeText(`未载入 ${b.year} 年度目标任务，无完成率趋势。`)]).getCell(1).font = FONT;
  }
  fitColumns(trend, 9);
  fitTitle(trend, trendTitle, b.hasTargets ? b.months.length + 1 : 1);
  return wb;
}
