import type { Db, Row } from '../db/database.ts';
import { ConfigError } from '../core/errors.ts';
import { sqlSteps } from '../db/sql-file.ts';

/**
 * The monthly bulletin (通报): its numbers, all read from the campaign views (docs/campaign.md),
 * and its wording. The HTML page and the workbook render the same `Bulletin`.
 */

/** One district (or the city) in the month's ranking. */
export interface BulletinDistrict {
  districtCode: string | null;
  districtName: string;
  rank: number | null;
  completion: number | null;
  completionChange: number | null;
  rankChange: number | null;
  insuredUnits: number;
  targetUnits: number | null;
  completionUnits: number | null;
  insuredPersons: number;
  targetPersons: number | null;
  completionPersons: number | null;
  coverageRate: number | null;
  targetCoverage: number | null;
  completionCoverage: number | null;
  collected: number;
  targetCollection: number | null;
  completionCollection: number | null;
}

/** Cases of one district in the month. */
export interface BulletinCases {
  districtCode: string;
  districtName: string;
  opened: number;
  reopened: number;
  resolved: number;
  exempt: number;
}

/**
 * The people of one district (or the city, districtCode null) in the bulletin's run, from
 * ledger_person_district (kept per run by publish): NULL counts when the run had no person data.
 */
export interface BulletinPeople {
  districtCode: string | null;
  districtName: string;
  wageEarners: number | null;
  enrolled: number | null;
  /** 职工参保率 = enrolled / wageEarners (null when unknown or no wage earners). */
  coverage: number | null;
  /** People found uninsured at an employer of the district (person_uninsured). */
  uninsured: number | null;
  lapsed: number | null;
  /** People the state should pay the residents' pension for, and those it pays for (代缴覆盖率). */
  assistance: number | null;
  covered: number | null;
  daijiaoCoverage: number | null;
}

/**
 * 新开工项目工伤保险参保率 of one district (or the city, districtCode null) in the bulletin's run,
 * from ledger_project_runs (kept per run by publish).
 */
export interface BulletinProject {
  districtCode: string | null;
  districtName: string;
  /** Rank on the rate among the districts with permits (null: the city, 未知区县, no permits). */
  rank: number | null;
  permits: number;
  insured: number;
  rate: number | null;
  target: number;
  reached: boolean | null;
}

/** One point of the trend: a district's (or the city's, districtCode null) completion at the end of a month. */
export interface TrendPoint {
  month: string;
  districtCode: string | null;
  districtName: string;
  completion: number | null;
}

export interface Bulletin {
  /** YYYY-MM */
  month: string;
  year: number;
  runId: string;
  asOf: string;
  /** The run the changes compare with (last run of the previous month), if any. */
  prevAsOf: string | null;
  /** Whether targets were loaded for the year (else the ranking is empty). */
  hasTargets: boolean;
  /** Districts with targets, ranked (rank 1 first), then districts without targets. */
  districts: BulletinDistrict[];
  city: BulletinDistrict | null;
  praised: BulletinDistrict[];
  urged: BulletinDistrict[];
  cases: BulletinCases[];
  casesTotal: Omit<BulletinCases, 'districtCode' | 'districtName'>;
  /** Months of the year up to this one with progress records, oldest first. */
  months: string[];
  trend: TrendPoint[];
  /** Per month: cases opened (new) and resolved, city-wide. */
  caseTrend: Array<{ month: string; opened: number; resolved: number }>;
  /** The people per district and the city, in the bulletin's run (empty: the run recorded none). */
  people: { districts: BulletinPeople[]; city: BulletinPeople | null };
  /** The project insurance rate per district, ranked, and the city (empty: the run recorded no permits). */
  projects: { districts: BulletinProject[]; city: BulletinProject | null };
  /** `people`, `projects`: a sentence on each (null when the run has no such data). */
  paragraphs: {
    summary: string;
    praise: string | null;
    urge: string | null;
    cases: string;
    people: string | null;
    projects: string | null;
    method: string;
  };
}

const sql = sqlSteps(new URL('./bulletin.sql', import.meta.url));

function n(v: unknown): number {
  const x = typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
  return Number.isFinite(x) ? x : 0;
}

function nn(v: unknown): number | null {
  return v === null || v === undefined ? null : n(v);
}

function ymd(v: unknown): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v ?? '');
}

/** 12.3% */
export function pctText(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)}%`;
}

/** +1.2 个百分点 */
export function ppText(v: number | null): string {
  if (v === null) return '—';
  const p = v * 100;
  return `${p > 0 ? '+' : ''}${p.toFixed(1)} 个百分点`;
}

/** Yuan as 万元 with two decimals. */
export function wanText(v: number | null): string {
  return v === null ? '—' : `${(v / 10000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 万元`;
}

/** ↑2 / ↓1 / 持平, blank when there is nothing to compare with. */
export function rankMoveText(v: number | null): string {
  return v === null ? '' : v > 0 ? `↑${v}` : v < 0 ? `↓${-v}` : '持平';
}

function district(r: Row): BulletinDistrict {
  return {
    districtCode: r['district_code'] === null ? null : String(r['district_code']),
    districtName: String(r['district_name']),
    rank: nn(r['rank']),
    completion: nn(r['completion']),
    completionChange: nn(r['completion_change']),
    rankChange: nn(r['rank_change']),
    insuredUnits: n(r['insured_units']),
    targetUnits: nn(r['target_units']),
    completionUnits: nn(r['completion_units']),
    insuredPersons: n(r['insured_persons']),
    targetPersons: nn(r['target_persons']),
    completionPersons: nn(r['completion_persons']),
    coverageRate: nn(r['coverage_rate']),
    targetCoverage: nn(r['target_coverage']),
    completionCoverage: nn(r['completion_coverage']),
    collected: n(r['collected']),
    targetCollection: nn(r['target_collection']),
    completionCollection: nn(r['completion_collection']),
  };
}

/** How many districts are called out at the top and at the bottom: 3 of 6 or more, else 1 (none with fewer than 2). */
export function calloutCount(ranked: number): number {
  return ranked >= 6 ? 3 : ranked >= 2 ? 1 : 0;
}

/** Checks a --month value: YYYY-MM with a real month. */
export function parseMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new ConfigError(`--month must be a month as YYYY-MM (e.g. 2026-10), got "${month}"`);
  return `${m[1]}-${m[2]}`;
}

const rate = (num: number | null, den: number | null): number | null => (num === null || den === null || den === 0 ? null : num / den);

/** The people of a run per district and for the city (ledger_person_district, and person_uninsured findings). */
export async function bulletinPeople(db: Db, runId: string): Promise<Bulletin['people']> {
  const rows = await db.all(sql('bulletin.people'), { run: runId }, { step: 'bulletin.people' });
  const all = rows.map((r): BulletinPeople => {
    const wageEarners = nn(r['wage_earners']);
    const enrolled = nn(r['wage_earners_enrolled']);
    const assistance = nn(r['assistance']);
    const covered = nn(r['assistance_covered']);
    return {
      districtCode: r['district_code'] === null ? null : String(r['district_code']),
      districtName: String(r['district_name']),
      wageEarners,
      enrolled,
      coverage: rate(enrolled, wageEarners),
      uninsured: wageEarners === null ? null : n(r['uninsured']),
      lapsed: nn(r['lapsed']),
      assistance,
      covered,
      daijiaoCoverage: rate(covered, assistance),
    };
  });
  return { districts: all.filter((d) => d.districtCode !== null), city: all.find((d) => d.districtCode === null) ?? null };
}

/** The project insurance rate of a run per district, ranked, and for the city (ledger_project_runs). */
export async function bulletinProjects(db: Db, runId: string): Promise<Bulletin['projects']> {
  const rows = await db.all(sql('bulletin.projects'), { run: runId }, { step: 'bulletin.projects' });
  const all = rows.map(
    (r): BulletinProject => ({
      districtCode: r['district_code'] === null ? null : String(r['district_code']),
      districtName: String(r['district_name']),
      rank: nn(r['rank']),
      permits: n(r['permits']),
      insured: n(r['insured']),
      rate: nn(r['rate']),
      target: n(r['target']),
      reached: r['reached'] === null || r['reached'] === undefined ? null : r['reached'] === true,
    }),
  );
  return { districts: all.filter((d) => d.districtCode !== null), city: all.find((d) => d.districtCode === null) ?? null };
}

async function relationExists(db: Db, name: string): Promise<boolean> {
  const row = await db.one<{ n: bigint }>(`SELECT count(*) AS n FROM duckdb_views() WHERE view_name = $1`, [name], { step: 'bulletin.check' });
  return Number(row?.n ?? 0) > 0;
}

/**
 * The bulletin of a month: the last published run whose as-of date falls in the month, its
 * ranking (campaign_monthly), the month's cases per district (campaign_case_flow) and the trend
 * since the first month of the year with a progress record.
 */
export async function bulletinData(db: Db, monthText: string): Promise<Bulletin> {
  const month = parseMonth(monthText);
  const first = `${month}-01`;
  const step = (s: string): { step: string } => ({ step: `bulletin.${s}` });
  if (!(await relationExists(db, 'campaign_monthly'))) {
    throw new ConfigError(`The database has no campaign views (campaign_monthly): run "recon run" once with this version, then try again.`);
  }
  const run = await db.one<{ run_id: string; as_of: Date }>(sql('bulletin.run'), { month_start: first }, step('run'));
  if (!run) {
    const months = await db.all<{ m: string }>(
      `SELECT DISTINCT strftime(as_of, '%Y-%m') AS m FROM runs WHERE command = 'run' AND status IN ('succeeded', 'warnings') AND as_of IS NOT NULL ORDER BY m`,
      undefined,
      step('run'),
    );
    throw new ConfigError(
      `No published run has its as-of date in ${month}: the bulletin reports on the last run of the month. Months with runs: ${months.map((r) => r.m).join(', ') || 'none'}.`,
    );
  }
  const asOf = ymd(run.as_of);
  const year = Number(asOf.slice(0, 4));

  const rows = await db.all(
    `SELECT * FROM campaign_monthly WHERE month = CAST($1 AS DATE) ORDER BY district_code IS NULL, rank NULLS LAST, district_code`,
    [first],
    step('ranking'),
  );
  const all = rows.map(district);
  const city = all.find((d) => d.districtCode === null) ?? null;
  const districts = all.filter((d) => d.districtCode !== null);
  const ranked = districts.filter((d) => d.rank !== null);
  const hasTargets = ranked.length > 0;
  const k = calloutCount(ranked.length);
  const praised = ranked.slice(0, k);
  const urged = ranked
    .slice(ranked.length - k)
    .filter((d) => !praised.includes(d))
    .reverse();
  const prev = rows.find((r) => r['prev_as_of'] instanceof Date)?.['prev_as_of'];

  const cases: BulletinCases[] = (
    await db.all(`SELECT * FROM campaign_case_flow WHERE month = CAST($1 AS DATE) ORDER BY district_code = '', district_code`, [first], step('cases'))
  ).map(
    (r): BulletinCases => ({
      districtCode: String(r['district_code']),
      districtName: String(r['district_name']),
      opened: n(r['opened']),
      reopened: n(r['reopened']),
      resolved: n(r['resolved']),
      exempt: n(r['exempt']),
    }),
  );
  // Every district of the ranking gets a row, with zeros when nothing happened to its cases.
  for (const d of districts) {
    if (d.districtCode !== null && !cases.some((c) => c.districtCode === d.districtCode)) {
      cases.push({ districtCode: d.districtCode, districtName: d.districtName, opened: 0, reopened: 0, resolved: 0, exempt: 0 });
    }
  }
  cases.sort((a, c) => (a.districtCode === '' ? 1 : c.districtCode === '' ? -1 : a.districtCode.localeCompare(c.districtCode)));
  const casesTotal = cases.reduce(
    (t, c) => ({ opened: t.opened + c.opened, reopened: t.reopened + c.reopened, resolved: t.resolved + c.resolved, exempt: t.exempt + c.exempt }),
    {
      opened: 0,
      reopened: 0,
      resolved: 0,
      exempt: 0,
    },
  );

  const trendRows = await db.all(sql('bulletin.trend'), { year, month_start: first }, step('trend'));
  const trend = trendRows.map(
    (r): TrendPoint => ({
      month: String(r['m']),
      districtCode: r['district_code'] === null ? null : String(r['district_code']),
      districtName: String(r['district_name']),
      completion: nn(r['completion']),
    }),
  );
  const months = [...new Set(trend.map((t) => t.month))];
  const caseTrend = (await db.all(sql('bulletin.trend.cases'), { year, month_start: first }, step('trend.cases'))).map((r) => ({
    month: String(r['m']),
    opened: n(r['opened']),
    resolved: n(r['resolved']),
  }));

  const people = await bulletinPeople(db, run.run_id);
  const projects = await bulletinProjects(db, run.run_id);

  const bulletin: Bulletin = {
    month,
    year,
    runId: run.run_id,
    asOf,
    prevAsOf: prev ? ymd(prev) : null,
    hasTargets,
    districts,
    city,
    praised,
    urged,
    cases,
    casesTotal,
    months,
    trend,
    caseTrend,
    people,
    projects,
    paragraphs: { summary: '', praise: null, urge: null, cases: '', people: null, projects: null, method: '' },
  };
  bulletin.paragraphs = wording(bulletin);
  return bulletin;
}

function monthZh(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/** The bulletin's sentences: factual, the numbers of the tables, no adjectives beyond the ranking. */
export function wording(b: Bulletin): Bulletin['paragraphs'] {
  const c = b.city;
  const parts: string[] = [];
  if (c && b.hasTargets) {
    if (c.targetUnits !== null) parts.push(`参保单位 ${c.insuredUnits.toLocaleString('en-US')} 户，完成年度目标 ${pctText(c.completionUnits)}`);
    if (c.targetPersons !== null) parts.push(`参保人数 ${c.insuredPersons.toLocaleString('en-US')} 人，完成 ${pctText(c.completionPersons)}`);
    if (c.targetCoverage !== null) parts.push(`单位参保率 ${pctText(c.coverageRate)}（目标 ${pctText(c.targetCoverage)}）`);
    if (c.targetCollection !== null) parts.push(`征缴 ${wanText(c.collected)}，完成 ${pctText(c.completionCollection)}`);
  }
  const delta = c?.completionChange ?? null;
  const change =
    delta === null ? '' : Math.abs(delta) < 0.0005 ? '，与上月持平' : `，较上月${delta > 0 ? '提高' : '下降'} ${(Math.abs(delta) * 100).toFixed(1)} 个百分点`;
  const summary =
    c && b.hasTargets
      ? `截至 ${b.asOf}，全市${parts.join('；')}。综合完成率 ${pctText(c.completion)}${change}。`
      : `截至 ${b.asOf}，尚未载入 ${b.year} 年度目标任务，本期不作完成情况排名。`;
  const list = (ds: BulletinDistrict[]): string => ds.map((d) => `${d.districtName}（${pctText(d.completion)}）`).join('、');
  const praise = b.praised.length ? `综合完成率排名前列的区县：${list(b.praised)}，予以通报表扬。` : null;
  const urge = b.urged.length ? `综合完成率排名靠后的区县：${list(b.urged)}，予以通报，请对照目标任务查找原因，加快工作进度。` : null;
  const t = b.casesTotal;
  const cases = `${monthZh(b.month)}，全市新增疑点案件 ${t.opened} 件，销号 ${t.resolved} 件，重新打开 ${t.reopened} 件，核实豁免 ${t.exempt} 件。`;
  const p = b.people.city;
  const num = (v: number | null): string => (v === null ? '—' : v.toLocaleString('en-US'));
  const people =
    p && p.wageEarners !== null
      ? `截至 ${b.asOf}，全市单位连续两个月领取工资的职工 ${num(p.wageEarners)} 人，其中已参加职工养老保险 ${num(p.enrolled)} 人，职工参保率 ${pctText(p.coverage)}；` +
        `发现未参保职工 ${num(p.uninsured)} 人，断缴人员 ${num(p.lapsed)} 人；困难群体应代缴城乡居民养老保险 ${num(p.assistance)} 人，已代缴 ${num(p.covered)} 人，代缴覆盖率 ${pctText(p.daijiaoCoverage)}。`
      : null;
  const projects = projectWording(b);
  const method =
    '口径：参保单位数为在业且参加企业职工基本养老保险（参保缴费）的单位数；参保人数为其已结算月份养老保险缴费人数；参保率 = 参保单位数 / 应参保单位数；征缴金额为本年度各月已缴费款；' +
    '各项完成率 = 实际 / 目标，综合完成率为已下达各项目标完成率的平均值，按综合完成率排名；较上月与上月最后一次运行比较。' +
    '职工参保率 = 已参加职工养老保险的领取工资职工 / 在本区县单位连续两个月领取工资的职工；代缴覆盖率 = 已由政府代缴的人数 / 困难群体中应代缴的人数（16 至 59 岁、非退休、未参加职工养老保险）。' +
    '新开工项目工伤保险参保率 = 本年 1 月 1 日至核查日前 7 天发放施工许可证的项目中，核查日前已按项目参加工伤保险的比例，按参保率排名（相同时项目多的在前）。' +
    '数据见数据库视图 campaign_monthly、campaign_case_flow 与表 ledger_person_district、ledger_project_runs。';
  return { summary, praise, urge, cases, people, projects, method };
}

/** The sentence on new construction projects: the city's rate against the target, the districts below it. */
export function projectWording(b: Bulletin): string | null {
  const c = b.projects.city;
  if (!c || c.permits === 0) return null;
  const below = b.projects.districts.filter((d) => d.rank !== null && d.reached === false);
  const reached = b.projects.districts.filter((d) => d.rank !== null && d.reached === true);
  const list = (ds: BulletinProject[]): string => ds.map((d) => `${d.districtName}（${pctText(d.rate)}）`).join('、');
  return (
    `截至 ${b.asOf}，全市本年新开工项目（发证满 7 天）${c.permits.toLocaleString('en-US')} 个，已参加工伤保险 ${c.insured.toLocaleString('en-US')} 个，` +
    `参保率 ${pctText(c.rate)}（目标 ${pctText(c.target)}），${c.reached ? '达到' : '未达到'}目标。` +
    (reached.length ? `达到目标的区县：${list(reached)}。` : '') +
    (below.length ? `未达到目标的区县：${list(below)}，请督促施工单位先参保、再开工。` : '')
  );
}
