import { CONTRACTS, KINDS } from '../sources/index.ts';
import { CAMPAIGN_COLUMNS } from '../campaign/targets.ts';

/** A published table and what its columns mean, in Chinese and English. */
export interface TableDoc {
  zh: string;
  en: string;
  columns: Record<string, [zh: string, en: string]>;
}

const PROVENANCE: Record<string, [string, string]> = {
  file_id: ['来源文件编号', 'file the row came from (manifest.file_id)'],
  src_line: ['来源行号', 'line (CSV) or sheet row (xlsx) in that file'],
  as_of: ['数据截至日期', 'as-of date of that file'],
};

function kindDocs(): Record<string, TableDoc> {
  const out: Record<string, TableDoc> = {};
  for (const kind of KINDS) {
    const c = CONTRACTS[kind];
    const columns: TableDoc['columns'] = { ...PROVENANCE };
    for (const col of c.columns) {
      columns[col.name] = [col.label, `${col.name}${col.required ? ' (required)' : ''}`];
      if (col.type === 'code') columns[`${col.name}_raw`] = [`${col.label}（原文）`, `${col.name} as written in the file`];
      if (col.type === 'capital') {
        columns[`${col.name}_wan`] = ['注册资本（万元）', 'registered capital in 10,000 units'];
        columns[`${col.name}_currency`] = ['币种', 'currency'];
      }
      if (col.type === 'enum') columns[col.classColumn ?? `${col.name}_class`] = [`${col.label}（归类）`, 'canonical class of the value, NULL when unknown'];
    }
    out[kind] = { zh: `${c.label}（全部历史）`, en: `every loaded ${kind} row, all snapshots`, columns };
    out[`${kind}_current`] = { zh: `${c.label}（当前）`, en: `current ${kind} rows (view): what no later delivery replaced`, columns };
  }
  return out;
}

/** The documented tables; `recon tables` joins these with what the database really has. */
export const TABLE_DOCS: Record<string, TableDoc> = {
  ...kindDocs(),
  manifest: {
    zh: '已读取文件清单',
    en: 'every file seen: hash, kind, encoding, rows, status (loaded/refused/duplicate)',
    columns: {
      file_id: ['文件编号', 'file id'],
      sha256: ['内容哈希', 'content hash: the same content is never loaded twice'],
      kind: ['数据类型', 'export kind'],
      status: ['状态', 'loaded, refused, or duplicate (a second copy of a file delivered in the same run)'],
      message: ['说明', 'why a file was refused, and what to do'],
      rows_read: ['读取行数', 'data rows in the file'],
      rows_loaded: ['入库行数', 'rows loaded'],
      rows_rejected: ['拒收行数', 'rows rejected (see rejects)'],
    },
  },
  rejects: {
    zh: '拒收行',
    en: 'rows not loaded: file, line, column, reason, raw text',
    columns: { line: ['行号', 'line or sheet row'], column_name: ['字段', 'column'], reason: ['原因', 'reason'], raw: ['原始内容', 'raw text'] },
  },
  value_issues: { zh: '字段值问题', en: 'loaded rows with an unreadable optional value (nulled) or an unknown status (kept)', columns: {} },
  supersessions: { zh: '数据替换记录', en: 'which file (or month) a later delivery replaced', columns: {} },
  runs: { zh: '运行记录', en: 'every published run: status, as-of, counts, summary JSON', columns: {} },
  employers: {
    zh: '用人单位（一户一档）',
    en: 'one row per employer, attributes from the most authoritative source',
    columns: {
      employer_id: ['单位编号', 'stable employer id'],
      uscc: ['统一社会信用代码', 'valid USCC, if any'],
      name: ['单位名称', 'name'],
      kind: ['单位类别', 'enterprise, individual_business, farmer_coop, social_org, public_institution, other'],
      district_code: ['区县代码', 'district'],
      street: ['街道', 'street'],
    },
  },
  employer_links: {
    zh: '关联关系',
    en: 'how each source record was linked to its employer: method, score, rule',
    columns: { method: ['关联方式', 'uscc, org_code, name_exact, name_city, name_similar, own'], score: ['得分', 'score'], rule: ['依据', 'why'] },
  },
  employer_keys: { zh: '单位编号键', en: 'keys (USCC, org code, unit id, taxpayer id) -> employer id, kept across runs', columns: {} },
  link_records: { zh: '待关联记录', en: 'every record that names an employer, with its checked codes and normalised name', columns: {} },
  link_review: { zh: '待人工确认', en: 'similar-name links under the auto-accept threshold', columns: {} },
  dq_issues: { zh: '数据质量问题', en: 'invalid codes, duplicate USCCs, conflicting names, ambiguous matches, unknown values', columns: {} },
  employer_facts: {
    zh: '规则用单位事实',
    en: 'what the rules read per employer (this run)',
    columns: {
      h: ['用工人数证据 H', 'headcount evidence H (RULES.md)'],
      hw: ['个税申报人数 Hw', 'largest withholding headcount in the 3 months up to M'],
      a_avg: ['平均申报人数 A', 'average withholding headcount over months with a row'],
      enrolled: ['已参加养老保险', 'enrolled in 110 (active)'],
      registered_si: ['已社保登记', 'any enrollment active or suspended'],
      insured_110: ['养老参保人数', 'pension insured count in M'],
    },
  },
  employer_withholding: { zh: '单位月度个税申报', en: 'withholding per employer and month', columns: {} },
  employer_payments: { zh: '单位月度缴费', en: 'contributions per employer, month and insurance type', columns: {} },
  employer_enrollment: { zh: '单位参保险种', en: 'enrollment per employer and insurance type', columns: {} },
  findings: {
    zh: '疑点（每次运行）',
    en: 'findings of every run: case, rule, severity, amount, evidence',
    columns: {
      case_id: ['案件编号', 'case id'],
      rule_id: ['规则', 'rule id'],
      severity: ['优先级', 'high / medium / low'],
      amount: ['估算金额', 'estimated amount, yuan'],
      evidence: ['证据（结构化）', 'evidence as JSON'],
      evidence_text: ['问题说明', 'evidence as a Chinese sentence'],
    },
  },
  findings_latest: { zh: '最新一次运行的疑点', en: 'findings of the latest run (view)', columns: {} },
  cases: { zh: '案件', en: 'one case per (employer, rule), its state across runs', columns: { state: ['状态', 'new, open, resolved, exempt, reopened'] } },
  case_events: { zh: '案件状态变化', en: 'every state change of every case, with the run', columns: {} },
  exemptions: { zh: '豁免统计', en: 'rows the "Not findings" exemptions removed, per rule and reason', columns: {} },
  rule_runs: { zh: '规则执行记录', en: 'each rule in each run: version, parameters, found, exempted, time', columns: {} },
  district_progress: { zh: '目标完成情况（每次运行）', en: 'per run and district: actuals, targets, completion and rank (全市合计 row: district_code NULL); the history behind 较上月 and the bulletin trend', columns: CAMPAIGN_COLUMNS },
  campaign_targets: { zh: '目标任务（已识别区县）', en: 'the current targets per district and year, 区县 resolved to a code, 参保率目标 as a fraction, 征缴目标 in yuan (view)', columns: {} },
  campaign_progress_now: { zh: '目标完成情况（本次计算）', en: 'what district_progress records for the selected run (view)', columns: CAMPAIGN_COLUMNS },
  ledger_targets: { zh: '目标完成情况（台账）', en: 'the selected run\'s district_progress with prev_* and *_change against the last run of the previous month (view)', columns: CAMPAIGN_COLUMNS },
  campaign_monthly: { zh: '目标完成情况（按月）', en: 'district_progress of the last run of each month, with the change against the month before (view)', columns: CAMPAIGN_COLUMNS },
  campaign_case_flow: { zh: '每月案件变化', en: 'per month (of the run\'s as-of date) and district: cases opened, reopened, resolved, made exempt (view)', columns: {} },
  ref_division: { zh: '行政区划', en: 'administrative divisions to street level', columns: {} },
  ref_industry: { zh: '国民经济行业分类', en: 'GB/T 4754-2017 sections and divisions with risk flags', columns: {} },
  ref_local_params: { zh: '地方参数', en: 'average wage, base floor/cap, employer rates per period', columns: {} },
};
