import { CONTRACTS, KINDS } from '../sources/index.ts';

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

/** Column meanings of the campaign views and of district_progress (docs and `recon tables`). */
const CAMPAIGN_COLUMNS: Record<string, [zh: string, en: string]> = {
  run_id: ['运行号', 'run'],
  as_of: ['核查日', 'as-of date D of the run'],
  month: ['月份', 'first day of the month of D'],
  year: ['目标年度', 'target year: year of D'],
  district_code: ['区县代码', 'district code (NULL on the 全市合计 row)'],
  district_name: ['区县', 'district name (全市合计 = the city)'],
  should_enroll: ['应参保单位数', 'employers that should be insured (ledger_employer.should_enroll)'],
  insured_units: ['参保单位数', 'employers active and enrolled in pension 110 (ledger_employer.enrolled)'],
  insured_persons: ['参保人数', 'pension insured persons of those employers in the closed month M (employer_facts.insured_110)'],
  coverage_rate: ['参保率', 'insured_units / should_enroll (the 汇总 参保率)'],
  collected: ['征缴金额（元）', 'contributions paid, all types, for the months of the target year up to D'],
  target_units: ['参保单位目标', 'target insured units'],
  target_persons: ['参保人数目标', 'target insured persons'],
  target_coverage: ['参保率目标', 'target coverage rate, a fraction (city: weighted by should_enroll)'],
  target_collection: ['征缴目标（元）', 'target collection, yuan'],
  completion_units: ['参保单位完成率', 'insured_units / target_units'],
  completion_persons: ['参保人数完成率', 'insured_persons / target_persons'],
  completion_coverage: ['参保率完成率', 'coverage_rate / target_coverage'],
  completion_collection: ['征缴完成率', 'collected / target_collection'],
  targets_given: ['目标项数', 'how many of the four targets are given (not blank, not 0)'],
  completion: ['综合完成率', 'mean of the completions of the targets given'],
  rank: ['排名', 'rank by completion, highest first; ties share a rank; NULL without targets'],
  recorded_at: ['记录时间', 'when the run recorded the row'],
};

/** Column meanings of the ledger views (the 台账 documentation an analyst reads beside the SQL). */
const LEDGER_VIEW_COLUMNS: Record<string, TableDoc['columns']> = {
  ledger_selected: {
    run_id: ['报告运行', 'the run the ledger views report on (SET VARIABLE ledger_run to choose another)'],
    as_of: ['核查日D', 'as-of date of that run'],
    month: ['已结算月份M', 'closed month M (first day)'],
    facts_current: ['事实表属于该运行', 'whether employer_facts belongs to that run (only the latest rules run has facts)'],
    min_age_days: ['成立满天数', 'days after establishment before SI registration is due (uninsured.min_age_days)'],
  },
  ledger_employer: {
    employer_id: ['单位ID', 'employer id'],
    district_code: ['区县代码', 'district code ("" when unknown)'],
    district_name: ['区县', 'district name'],
    active: ['在业', 'registration active (employer_facts.active)'],
    should_enroll: [
      '应参保',
      'should be enrolled: active AND (enrolled in 110, OR the uninsured rule population: kind enterprise, farmer cooperative, social organisation, or individual business with H >= 1, established on or before D - min_age_days)',
    ],
    enrolled: ['已参保', 'active AND enrolled in 110 (pension) with status active'],
    due_m: ['当月应缴', 'amount due for M, all types'],
    paid_m: ['当月实缴', 'amount paid for M, all types'],
    paid_in_full: ['足额缴费', 'enrolled AND amount due for M > 0 AND paid >= due'],
  },
  ledger_district: {
    district_code: ['区县代码', 'district code (NULL on the 合计 total row)'],
    district_name: ['区县', 'district (合计 = total)'],
    active_employers: ['在业单位数', 'active employers'],
    should_enroll: ['应参保单位数', 'should-be-enrolled employers (see ledger_employer.should_enroll)'],
    enrolled: ['已参保单位数', 'enrolled employers (active, 110 active); always a subset of should_enroll'],
    coverage_rate: ['参保率', 'coverage rate = enrolled / should_enroll'],
    paid_in_full: ['足额缴费单位数', 'enrolled employers that paid in full for M'],
    payment_rate: ['缴费率', 'payment rate = paid_in_full / enrolled'],
    due_m: ['当月应缴金额', 'amount due for M (every employer of the district, every type)'],
    paid_m: ['当月实缴金额', 'amount paid for M'],
    collection_rate: ['征缴率', 'collection rate = paid_m / due_m'],
    findings: ['问题总数', 'findings of the run'],
    findings_amount: ['涉及金额合计', 'total estimated amount of the findings (yuan)'],
    '<rule>_n': ['各规则问题数', 'findings of the rule'],
    '<rule>_amount': ['各规则金额', 'estimated amount of the rule (yuan)'],
    cases_opened: ['本次新增案件', 'cases opened this run'],
    cases_resolved: ['本次销号案件', 'cases resolved this run'],
    cases_reopened: ['本次重新打开', 'cases reopened this run'],
    cases_exempt: ['本次核实豁免', 'cases marked exempt this run'],
    cases_open: ['在办案件', 'cases open after this run (new, open, reopened)'],
    'arrears_<class>_n': ['欠费单位数（按类别）/ employers owing, per class closed', 'dormant / operating'],
    'arrears_<class>_amount': ['欠费金额（按类别）/ arrears, per class', ''],
    'arrears_<class>_late_fee': ['滞纳金（按类别）/ late fees, per class', ''],
    arrears_amount: ['欠费合计', 'arrears, all classes'],
    arrears_late_fee: ['滞纳金合计', 'late fees, all classes'],
  },
  ledger_rule: {
    district_code: ['区县代码', 'district code (NULL on total rows)'],
    district_name: ['区县', 'district'],
    rule_id: ['规则', 'rule id'],
    rule_title: ['规则名称', 'rule title'],
    findings: ['问题数', 'findings'],
    amount: ['涉及金额', 'estimated amount'],
  },
  ledger_arrears: {
    district_name: ['区县', 'district'],
    street: ['街道', 'street'],
    employer_id: ['单位ID', 'employer id'],
    uscc: ['统一社会信用代码', 'USCC'],
    name: ['单位名称', 'employer name'],
    class: ['欠费类别', 'class: closed, dormant, operating'],
    class_title: ['类别说明', 'what is done: 核销, 缴费计划, 依法追缴'],
    months_owing: ['欠费月数', 'months owing'],
    since: ['欠费起始月', 'first month owing'],
    amount: ['欠费金额', 'arrears (yuan)'],
    late_fee: ['滞纳金', 'late fee (0.05% a day from the 16th of the next month to D)'],
    total: ['合计', 'arrears + late fee'],
    case_id: ['案件号', 'case id'],
    case_state: ['案件状态', 'case state'],
  },
  ledger_cases_progress: {
    district_name: ['区县', 'district'],
    rule_id: ['规则', 'rule'],
    opened_run: ['本次新增', 'opened this run'],
    resolved_run: ['本次销号', 'resolved this run'],
    exempt_run: ['本次豁免', 'exempt this run'],
    reopened_run: ['本次重开', 'reopened this run'],
    opened_total: ['累计立案', 'cases opened up to this run'],
    resolved_total: ['累计销号', 'cases resolved at least once up to this run'],
    exempt_total: ['累计豁免', 'cases made exempt at least once up to this run'],
    open_now: ['在办', 'open after this run'],
  },
  ledger_data_quality: {
    source_table: ['来源表', 'dq_issues, value_issues or rejects'],
    category: ['问题类别', 'category'],
    kind: ['数据来源', 'source kind'],
    file_name: ['文件', 'file'],
    record_key: ['记录键', 'record key'],
    name: ['名称', 'name'],
    detail: ['说明', 'detail'],
    row_count: ['行数', 'rows concerned'],
  },
  ledger_review: {
    source: ['来源', 'source'],
    record_key: ['记录键', 'record key'],
    name: ['名称', 'name as in the source'],
    district_name: ['区县', 'district'],
    candidate_name: ['候选单位', 'candidate employer name'],
    candidate_employer_id: ['候选单位ID', 'candidate employer id'],
    score: ['相似度', 'similarity'],
    reason: ['原因', 'why it was not linked'],
    status: ['状态', '待人工确认'],
  },
  ledger_run: {
    run_id: ['运行号', 'run id'],
    status: ['状态', 'status (running while the pipeline has not recorded it yet)'],
    as_of: ['核查日', 'as-of date'],
    month: ['已结算月份', 'closed month'],
    started_at: ['开始', 'started'],
    finished_at: ['结束', 'finished'],
    files_loaded: ['载入文件', 'files loaded'],
    files_refused: ['拒收文件', 'files refused'],
    files_skipped: ['重复跳过', 'duplicates skipped'],
    rows_loaded: ['载入行数', 'rows loaded'],
    rows_rejected: ['拒收行数', 'rows rejected'],
    employers: ['单位数', 'employers'],
    findings: ['问题数', 'findings'],
    review: ['待人工确认', 'links to review'],
    dq_issues: ['数据质量问题', 'data-quality issues'],
    timings: ['各阶段耗时(ms)', 'stage timings JSON'],
  },
  ledger_run_inputs: {
    file_id: ['文件号', 'file id'],
    file_name: ['文件', 'file'],
    kind: ['类型', 'kind'],
    status: ['状态', 'loaded or refused'],
    this_run: ['本次载入', 'delivered in this run (else: loaded earlier and still in use)'],
    as_of: ['数据日期', 'snapshot date'],
    rows_read: ['读取行', 'rows read'],
    rows_loaded: ['载入行', 'rows loaded'],
    rows_rejected: ['拒收行', 'rows rejected'],
    message: ['说明', 'message'],
  },
  ledger_open_history: {
    run_id: ['运行号', 'run'],
    as_of: ['核查日', 'as-of date'],
    open_cases: ['在办案件', 'cases open after the run'],
    opened: ['新增', 'opened'],
    resolved: ['销号', 'resolved'],
  },
};

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
      h: ['用工人数证据 H', 'headcount evidence H (docs/rules.md)'],
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
  ledger_selected: {
    zh: '台账报告运行',
    en: 'the run every ledger view reports on: the latest run with rules, or SET VARIABLE ledger_run (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_selected'] ?? {},
  },
  ledger_rules: { zh: '台账规则列表', en: 'the rules the ledgers show, in order: id, Chinese title (view)', columns: {} },
  ledger_employer: {
    zh: '台账单位口径',
    en: 'per employer of the selected run: active, should be enrolled, enrolled, due and paid for M (what the rates count)',
    columns: LEDGER_VIEW_COLUMNS['ledger_employer'] ?? {},
  },
  ledger_findings: { zh: '台账疑点', en: 'the findings of the selected run with their district (view)', columns: {} },
  ledger_case_state: { zh: '案件当时状态', en: "every case's state after the selected run (view)", columns: {} },
  ledger_cases_progress: {
    zh: '案件进展',
    en: 'per district and rule: cases opened, resolved, exempt, reopened this run and in total; open now (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_cases_progress'] ?? {},
  },
  ledger_rule: { zh: '按规则汇总', en: 'findings and amounts per district and rule (view)', columns: LEDGER_VIEW_COLUMNS['ledger_rule'] ?? {} },
  ledger_district: {
    zh: '汇总（按区县）',
    en: 'the 汇总 sheet: per district coverage, payment and collection rates, findings per rule, cases, arrears (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_district'] ?? {},
  },
  ledger_arrears: {
    zh: '欠费台账',
    en: 'employers owing contributions in the selected run, with class, months, amount and late fee (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_arrears'] ?? {},
  },
  ledger_data_quality: {
    zh: '数据质量',
    en: "the run's data-quality issues, nulled values and rejected rows, grouped (view)",
    columns: LEDGER_VIEW_COLUMNS['ledger_data_quality'] ?? {},
  },
  ledger_review: {
    zh: '待人工确认（台账）',
    en: 'near-miss name links of the selected run, to be confirmed by a person (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_review'] ?? {},
  },
  ledger_run: {
    zh: '运行记录（台账）',
    en: 'the selected run: status, dates, files, rows, employers, findings (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_run'] ?? {},
  },
  ledger_run_inputs: {
    zh: '输入文件',
    en: 'the files behind the selected run: delivered in it, or loaded earlier and still current (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_run_inputs'] ?? {},
  },
  ledger_open_history: {
    zh: '在办案件趋势',
    en: 'open cases after each run up to the selected one (view)',
    columns: LEDGER_VIEW_COLUMNS['ledger_open_history'] ?? {},
  },
  campaign_actual: {
    zh: '目标实绩（本次）',
    en: 'per district for the selected run: should-be-insured and insured units, insured persons, coverage, collected (view)',
    columns: CAMPAIGN_COLUMNS,
  },
  campaign_month_runs: { zh: '每月最后一次运行', en: 'the last run of each month (by as-of date), the runs the monthly views compare (view)', columns: {} },
  blacklist_candidates: {
    zh: '失信联合惩戒候选名单',
    en: 'cases urged (已督促, 限期整改) whose 整改期限 has passed while the finding still holds, in the latest run (view)',
    columns: {},
  },
  blacklist_evidence: {
    zh: '失信候选证据链',
    en: 'the evidence trail of each blacklist candidate: findings, feedback rows, state changes (view)',
    columns: {},
  },
  arrears_writeoff: { zh: '欠费核销报告', en: 'arrears of closed employers (class closed): write-off report (view)', columns: {} },
  arrears_payment_plan: { zh: '欠费分期缴费跟进表', en: 'arrears of dormant employers (class dormant): instalment plan (view)', columns: {} },
  arrears_enforcement: { zh: '欠费强制执行清单', en: 'arrears of operating employers (class operating): enforcement list (view)', columns: {} },
  notices: { zh: '社会保险登记告知书', en: 'one notice per employer and reason (new_employer, uninsured_case), with the run that sent it', columns: {} },
  feedback: {
    zh: '核查反馈',
    en: 'every filled row read from a returned worklist: case, result, date, checker, status applied/rejected and reason',
    columns: {},
  },
  feedback_files: { zh: '已读取的反馈文件', en: 'every returned worklist read (by content hash): rows read, applied, rejected', columns: {} },
  audit_samples: {
    zh: '稽核抽查样本',
    en: 'employers drawn for the annual audit sample, per year and month, with the audit result when returned',
    columns: {},
  },
  audit_sample_runs: { zh: '稽核抽查批次', en: 'each monthly draw of the audit sample: rate, enrolled, target, pool, drawn, mean risk', columns: {} },
  schema_version: { zh: '数据库结构版本', en: 'the schema migrations applied to this database, in order', columns: {} },
  district_progress: {
    zh: '目标完成情况（每次运行）',
    en: 'per run and district: actuals, targets, completion and rank (全市合计 row: district_code NULL); the history behind 较上月 and the bulletin trend',
    columns: CAMPAIGN_COLUMNS,
  },
  campaign_targets: {
    zh: '目标任务（已识别区县）',
    en: 'the current targets per district and year, 区县 resolved to a code, 参保率目标 as a fraction, 征缴目标 in yuan (view)',
    columns: {},
  },
  campaign_progress_now: { zh: '目标完成情况（本次计算）', en: 'what district_progress records for the selected run (view)', columns: CAMPAIGN_COLUMNS },
  ledger_targets: {
    zh: '目标完成情况（台账）',
    en: "the selected run's district_progress with prev_* and *_change against the last run of the previous month (view)",
    columns: CAMPAIGN_COLUMNS,
  },
  campaign_monthly: {
    zh: '目标完成情况（按月）',
    en: 'district_progress of the last run of each month, with the change against the month before (view)',
    columns: CAMPAIGN_COLUMNS,
  },
  campaign_case_flow: {
    zh: '每月案件变化',
    en: "per month (of the run's as-of date) and district: cases opened, reopened, resolved, made exempt (view)",
    columns: {},
  },
  ref_division: { zh: '行政区划', en: 'administrative divisions to street level', columns: {} },
  ref_industry: { zh: '国民经济行业分类', en: 'GB/T 4754-2017 sections and divisions with risk flags', columns: {} },
  ref_local_params: { zh: '地方参数', en: 'average wage, base floor/cap, employer rates per period', columns: {} },
};
