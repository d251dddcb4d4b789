import { CONTRACTS, KINDS } from '../sources/index.ts';

/** One column's meaning: Chinese name, English description. */
export type ColumnDoc = [zh: string, en: string];

/** A published table or view and what its columns mean, in Chinese and English. */
export interface TableDoc {
  zh: string;
  en: string;
  /**
   * Column meanings. A key may hold a placeholder: `<rule>` stands for any rule id
   * (`uninsured_n`), `<class>` for an arrears class (closed, dormant, operating).
   */
  columns: Record<string, ColumnDoc>;
}

/**
 * Columns that mean the same in every table that has them; a table's own entry wins. Kept
 * apart so that each of the sixty-odd tables and views does not repeat them.
 */
const COMMON: Record<string, ColumnDoc> = {
  run_id: ['运行号', 'the run (runs.run_id) that wrote the row or that it reports on'],
  case_id: ['案件编号', 'case id (cases.case_id), one per employer and rule for ever'],
  employer_id: ['单位编号', 'employer id (employers.employer_id), kept across runs'],
  person_key: ['人员编号', "person (persons.person_key, P + 9 digits, kept across runs); '' for an employer's finding or case"],
  permit_no: ['施工许可证编号', "building permit number, folded like a code (NFKC, spaces removed, upper case); '' for a finding or case not about a permit"],
  rule_id: ['规则', 'rule id (recon rules lists them)'],
  rule_title: ['规则名称', 'the rule’s Chinese title'],
  name: ['单位名称', 'employer name'],
  uscc: ['统一社会信用代码', 'unified social credit code (valid ones only)'],
  org_code: ['组织机构代码', 'organisation code (characters 9-17 of the USCC)'],
  district_code: ['区县代码', 'district division code ("" or NULL when unknown)'],
  district_name: ['区县', 'district name (未知区县 when unknown)'],
  street: ['街道', 'street (乡镇/街道)'],
  legal_rep: ['法定代表人', 'legal representative'],
  phone: ['联系电话', 'contact phone'],
  address: ['地址', 'address'],
  severity: ['优先级', 'priority: high / medium / low (高/中/低)'],
  amount: ['估算金额（元）', 'estimated amount, yuan'],
  amount_formula: ['金额算法', 'how the amount was estimated'],
  evidence: ['证据（结构化）', 'evidence as JSON'],
  evidence_text: ['问题说明', 'evidence as a Chinese sentence'],
  rule_version: ['规则版本', 'version of the rule that found it'],
  as_of: ['核查日', 'as-of date D of the run'],
  month: ['已结算月份', 'closed month M (first day of the month)'],
  year: ['年度', 'year'],
  file_id: ['文件编号', 'file (manifest.file_id)'],
  file_name: ['文件名', 'file name'],
  src_line: ['来源行号', 'line (CSV) or sheet row (xlsx) in that file'],
  kind: ['数据类型', 'export kind (registration, si_payment, ...) or link source (si_unit)'],
  source: ['来源', 'source of the record: an export kind, or si_unit for a social-insurance unit'],
  record_key: ['记录键', 'the record’s own key in its source (USCC, taxpayer id, unit id)'],
  detail: ['说明', 'what was found, in English (the ledger and data_quality.csv show it in Chinese)'],
  category: ['问题类别', 'category code'],
  reason: ['原因', 'reason'],
  status: ['状态', 'status code'],
  score: ['相似度', 'name similarity, 0-1'],
  name_norm: ['规范化名称', 'name normalised for matching (NFKC, simplified, one bracket kind, no spaces or punctuation)'],
  code_kind: ['代码类别', 'what the record’s code is: uscc, legacy15, id_number, missing, invalid, other'],
  established_on: ['成立日期', 'date established'],
  closed_on: ['注销/吊销日期', 'date closed or revoked'],
  industry_code: ['行业代码', 'GB/T 4754 industry code'],
  insurance_code: ['险种', 'insurance type: 110 pension, 210 unemployment, 310 medical, 410 work injury, 510 maternity'],
  status_class: ['状态（归类）', 'canonical status class (active, suspended, terminated, closed, ...)'],
  insured_count: ['参保人数', 'insured persons'],
  period: ['所属期', 'month (first day)'],
  deadline: ['整改期限', 'deadline'],
  checker: ['核查人', 'who checked'],
  remarks: ['备注', 'remarks'],
  result: ['核查结果', 'the 核查结果 written on the returned worklist'],
  checked_on: ['核查日期', 'date checked'],
  opened_run: ['立案运行', 'run that opened the case'],
  case_state: ['案件状态', 'case state: new, open, reopened, resolved, exempt'],
  recorded_at: ['记录时间', 'when the row was recorded'],
  received_at: ['接收时间', 'when the file was read'],
  sha256: ['内容哈希', 'SHA-256 of the file content'],
  rows_read: ['读取行数', 'data rows read'],
  rows_loaded: ['载入行数', 'rows loaded'],
  rows_rejected: ['拒收行数', 'rows rejected'],
};

const PROVENANCE: Record<string, ColumnDoc> = {
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
      columns[col.name] = [col.label, `${col.label} as exported (${col.type}${col.required ? ', required' : ''}): docs/exports.md`];
      if (col.type === 'code') columns[`${col.name}_raw`] = [`${col.label}（原文）`, `${col.name} as written in the file`];
      if (col.type === 'capital') {
        columns[`${col.name}_wan`] = [`${col.label}（万元）`, `${col.name} in 10,000 units of its currency`];
        columns[`${col.name}_currency`] = ['币种', `currency of ${col.name}`];
      }
      if (col.type === 'enum') columns[col.classColumn ?? `${col.name}_class`] = [`${col.label}（归类）`, `canonical class of ${col.name}, NULL when unknown`];
      if (col.type === 'resident_id') {
        columns[col.name] = [
          col.label,
          `resident ID normalised to 18 characters (upper-case X; a 15-digit one upgraded), NULL when not a valid resident ID${col.idTypeColumn ? ' or the row is another ID type' : ''}`,
        ];
        columns[`${col.name}_raw`] = [`${col.label}（原文）`, `${col.name} as written in the file`];
        columns['id_issue'] = ['证件号码问题', 'why the resident ID is not valid: bad_format, bad_check (check character), bad_birth_date; NULL when valid'];
      }
    }
    out[kind] = { zh: `${c.label}（全部历史）`, en: `every loaded ${kind} row, all snapshots`, columns };
    out[`${kind}_current`] = { zh: `${c.label}（当前）`, en: `current ${kind} rows (view): what no later delivery replaced`, columns };
  }
  return out;
}

/** Column meanings of the campaign views and of district_progress (docs and `recon tables`). */
const CAMPAIGN_COLUMNS: Record<string, ColumnDoc> = {
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

/** The month-on-month columns of ledger_targets and campaign_monthly. */
const CAMPAIGN_CHANGE_COLUMNS: Record<string, ColumnDoc> = {
  ...CAMPAIGN_COLUMNS,
  prev_run_id: ['上月运行号', 'the last run of the previous month (by as-of date) compared with'],
  prev_as_of: ['上月核查日', 'its as-of date'],
  prev_insured_units: ['上月参保单位数', 'insured_units then'],
  insured_units_change: ['较上月新增单位', 'insured_units - prev_insured_units'],
  prev_insured_persons: ['上月参保人数', 'insured_persons then'],
  insured_persons_change: ['较上月新增人数', 'insured_persons - prev_insured_persons'],
  prev_coverage_rate: ['上月参保率', 'coverage_rate then'],
  coverage_rate_change: ['参保率较上月（百分点）', 'coverage_rate - prev_coverage_rate'],
  prev_collected: ['上月征缴金额（元）', 'collected then'],
  collected_change: ['较上月征缴增加（元）', 'collected - prev_collected'],
  prev_completion: ['上月综合完成率', 'completion then'],
  completion_change: ['综合完成率较上月（百分点）', 'completion - prev_completion'],
  prev_rank: ['上月排名', 'rank then'],
  rank_change: ['排名变化', 'prev_rank - rank: positive = moved up'],
};

/** The arrears work lists (arrears_writeoff, arrears_payment_plan, arrears_enforcement). */
const ARREARS_LIST_COLUMNS: Record<string, ColumnDoc> = {
  class: ['欠费类别', 'closed (核销), dormant (缴费计划) or operating (依法追缴)'],
  reg_status_text: ['登记状态', 'registry status as exported'],
  tax_status: ['税务状态', 'taxpayer status class'],
  months_owing: ['欠费月数', 'months owing'],
  since: ['欠费起始月', 'first month owing (YYYY-MM)'],
  arrears: ['欠费金额（元）', 'arrears up to the closed month M, yuan'],
  late_fee: ['滞纳金（元）', 'late fee to D: 0.05% a day from the 16th of the following month'],
  total: ['合计（元）', 'arrears + late fee'],
  instalment: ['每期应缴（元）', 'total / 12: one instalment of the suggested payment plan'],
};

/** case_referrals and the view of those that hold. */
const REFERRAL_COLUMNS: Record<string, ColumnDoc> = {
  target: ['转办对象', 'si_cleanup: the SI office’s clean-up list (社保注销清理清单)'],
  result: ['核查结果', 'the answer that referred the case'],
  file: ['反馈文件', 'the returned worklist it came in'],
  sheet: ['工作表', 'sheet'],
  row: ['行号', 'row'],
  run_id: ['运行号', 'run that read the answer'],
  referred_at: ['转办时间', 'when it was referred'],
  ended_at: ['结束时间', 'when a later answer ended the referral (NULL: it holds)'],
  ended_reason: ['结束原因', 'why it ended'],
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
  ledger_rules: {
    rule_id: ['规则', 'rule id'],
    rule_title: ['规则名称', 'Chinese title'],
    rule_order: ['顺序', 'position in the ledgers (docs/rules.md order)'],
  },
  ledger_employer: {
    run_id: ['运行号', 'the run that filled the rows (the publish stage refills the table each run)'],
    employer_id: ['单位ID', 'employer id'],
    name: ['单位名称', 'employer name'],
    uscc: ['统一社会信用代码', 'USCC'],
    kind: ['单位类别', 'employer kind (employers.kind)'],
    district_code: ['区县代码', 'district code ("" when unknown)'],
    district_name: ['区县', 'district name'],
    street: ['街道', 'street'],
    active: ['在业', 'registration active (employer_facts.active)'],
    should_enroll: [
      '应参保',
      'should be enrolled: active AND (enrolled in 110, OR the uninsured rule population: kind enterprise, farmer cooperative, social organisation, or individual business with H >= 1, established on or before D - min_age_days)',
    ],
    enrolled: ['已参保', 'active AND enrolled in 110 (pension) with status active'],
    due_m: ['当月应缴', 'amount due for M, all types'],
    paid_m: ['当月实缴', 'amount paid for M, all types'],
    paid_in_full: ['足额缴费', 'enrolled AND amount due for M > 0 AND paid >= due'],
    collected_ytd: ['本年征缴（元）', 'contributions paid, all types, for the months of the year of D up to D'],
  },
  ledger_findings: {
    person_key: ['人员编号', "the person a person finding is about (persons.person_key; '' for employer findings)"],
    district_code: ['区县代码', 'district code ("" when unknown): the employer\'s, or for a finding about a person alone the person\'s (ledger_person_home)'],
    class: ['欠费类别', 'arrears findings: closed, dormant or operating'],
    late_fee: ['滞纳金（元）', 'arrears findings: late fee to D'],
  },
  ledger_case_state: {
    person_key: ['人员编号', "the person a person case is about ('' for employer cases)"],
    state: ['案件状态', "the case's state after the selected run"],
    state_run: ['状态运行', 'the run of its last change up to the selected run'],
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
    'arrears_<class>_n': ['欠费单位数（按类别）', 'employers owing, per class (closed, dormant, operating)'],
    'arrears_<class>_amount': ['欠费金额（按类别）', 'arrears per class (yuan)'],
    'arrears_<class>_late_fee': ['滞纳金（按类别）', 'late fees per class (yuan)'],
    '<rule>_n': ['各规则问题数', 'findings of the rule (the 问题分类 sheet)'],
    '<rule>_amount': ['各规则金额', 'estimated amount of the rule, yuan (for arrears: arrears_amount)'],
    cases_opened: ['本次新增案件', 'cases opened this run'],
    cases_resolved: ['本次销号案件', 'cases resolved this run'],
    cases_reopened: ['本次重新打开', 'cases reopened this run'],
    cases_exempt: ['本次核实豁免', 'cases marked exempt this run'],
    cases_open: ['在办案件', 'cases open after this run (new, open, reopened)'],
    arrears_amount: ['欠费合计', 'arrears, all classes (yuan)'],
    arrears_late_fee: ['滞纳金合计', 'late fees, all classes (yuan)'],
  },
  ledger_person: {
    district_code: ['区县代码', 'district code (NULL on the 合计 total row)'],
    district_name: ['区县', 'district (合计 = total)'],
    wage_earners: [
      '领取工资职工数',
      'people employed at an employer of the district (a qualifying wage row there in M-1 and M, not left); NULL: no person data this run',
    ],
    wage_earners_enrolled: ['其中已参保', 'of them, enrolled persons (an active 110 or 120 si_person row, at any unit)'],
    person_coverage_rate: ['职工参保率', 'wage_earners_enrolled / wage_earners (NULL when 0 or unknown)'],
    uninsured_people: ['未参保职工数', 'people found uninsured at an employer of the district (person_uninsured findings of the run)'],
    base_low_people: ['缴费基数偏低人数', 'people found on a low pension base at an employer of the district (person_base_low)'],
    lapsed: ['断缴人员数', 'people found lapsed (person_lapsed), in the district of their SI row'],
    assistance: [
      '困难群体应代缴人数',
      "people on an assistance roll on D, 16-59, not pensioners, not enrolled persons (assistance_not_covered's population), in the district of their roll",
    ],
    assistance_covered: ['其中已代缴', 'of them, with a 政府代缴 resident_pension row for the 代缴 year'],
    daijiao_coverage_rate: ['代缴覆盖率', 'assistance_covered / assistance (NULL when 0 or unknown)'],
  },
  ledger_person_home: {
    person_key: ['人员编号', 'persons.person_key'],
    source: [
      '来源',
      "si: the person's 110 si_person row paid last; assistance: their open-ended (else latest-ending), latest-recognised row of a listed assistance category",
    ],
    district_code: ['区县代码', 'district code of that row'],
    district_name: ['区县', 'district name (未知区县 when the code is unknown)'],
    street: ['街道', 'street of that row'],
    community: ['社区', 'community (assistance rolls only)'],
  },
  ledger_person_place: {
    person_key: ['人员编号', 'a person some case is about alone (employer_id empty)'],
    si_district: ['区县代码（社保）', "district of the person's SI row, else of their assistance roll"],
    si_street: ['街道（社保）', 'street of that row'],
    aid_district: ['区县代码（困难群体）', "district of the person's assistance roll, else of their SI row"],
    aid_street: ['街道（困难群体）', 'street of that row'],
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
    district_code: ['区县代码', 'district code'],
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
    severity: ['优先级', 'high / medium / low'],
    case_id: ['案件号', 'case id'],
    case_state: ['案件状态', 'case state'],
  },
  ledger_cases_progress: {
    district_code: ['区县代码', 'district code (NULL on the 合计 rows)'],
    district_name: ['区县', 'district'],
    rule_id: ['规则', 'rule'],
    rule_title: ['规则名称', 'rule title'],
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
    category: ['问题类别', 'category (dq_issues), reason (value_issues) or rejected_row'],
    kind: ['数据来源', 'source kind'],
    file_name: ['文件', 'file'],
    record_key: ['记录键', 'record key'],
    name: ['名称', 'name'],
    employer_id: ['单位编号', 'employer the record belongs to, when known'],
    detail: ['说明', 'detail in English (the ledger shows it in Chinese)'],
    row_count: ['行数', 'rows concerned'],
  },
  ledger_review: {
    source: ['来源', 'source'],
    record_key: ['记录键', 'record key'],
    name: ['名称', 'name as in the source'],
    district_code: ['区县代码', 'district code of the record'],
    district_name: ['区县', 'district'],
    candidate_name: ['候选单位', 'candidate employer name'],
    candidate_employer_id: ['候选单位ID', 'candidate employer id'],
    score: ['相似度', 'similarity'],
    reason: ['原因', 'why it was not linked'],
    status: ['状态', '待人工确认'],
    pair_id: ['复核编号', 'the pair’s stable id, as on review/待人工确认.xlsx'],
    reason_code: ['原因代码', 'why it was not linked (code: legal form differs / two candidates are as close / similarity under the auto-accept threshold)'],
    first_listed: ['首次列出', 'as-of date of the run that first listed the pair'],
    days_waiting: ['已等待天数', 'days from first_listed to the run’s D'],
    decision: ['人工结论', '无法确定（<date> <checker>） when a person could not decide; empty otherwise'],
  },
  ledger_run: {
    run_id: ['运行号', 'run id'],
    status: ['状态', 'succeeded, warnings, failed (running while the run has not recorded its end)'],
    as_of: ['核查日', 'as-of date'],
    month: ['已结算月份', 'closed month'],
    pipeline: ['流水线文件', 'the pipeline file of the run'],
    started_at: ['开始', 'started (UTC)'],
    finished_at: ['结束', 'finished'],
    output_dir: ['结果文件夹', 'the run folder'],
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
    warnings: ['警告数', 'warnings of the run (run.json warnings)'],
  },
  ledger_run_inputs: {
    file_id: ['文件号', 'file id'],
    file_name: ['文件', 'file'],
    kind: ['类型', 'kind'],
    status: ['状态', 'loaded, refused or duplicate'],
    this_run: ['本次载入', 'delivered in this run (else: loaded earlier and still in use)'],
    as_of: ['数据日期', 'snapshot date'],
    rows_read: ['读取行', 'rows read'],
    rows_loaded: ['载入行', 'rows loaded'],
    rows_rejected: ['拒收行', 'rows rejected'],
    message: ['说明', 'message'],
    path: ['路径', 'path of the file when it was read'],
  },
  ledger_open_history: {
    run_id: ['运行号', 'run'],
    as_of: ['核查日', 'as-of date'],
    open_cases: ['在办案件', 'employer cases open after the run'],
    opened: ['新增', 'employer cases opened'],
    resolved: ['销号', 'employer cases resolved'],
    open_person_cases: ['在办人员案件', 'person cases (person_key set) open after the run'],
  },
};

function ledgerView(name: string, zh: string, en: string): TableDoc {
  return { zh, en, columns: LEDGER_VIEW_COLUMNS[name] ?? {} };
}

/** The documented tables and views; `recon tables` joins these with what the database really has. */
export const TABLE_DOCS: Record<string, TableDoc> = {
  ...kindDocs(),
  manifest: {
    zh: '已读取文件清单',
    en: 'every file seen: hash, kind, encoding, rows, status (loaded/refused/duplicate)',
    columns: {
      run_id: ['运行号', 'run that read the file'],
      path: ['路径', 'path of the file when it was read'],
      size_bytes: ['文件大小（字节）', 'size in bytes'],
      kind: ['数据类型', 'export kind'],
      format: ['格式', 'csv or xlsx'],
      encoding: ['编码', 'utf-8, utf-8-bom, gb18030, utf-16le/be'],
      delimiter: ['分隔符', 'sniffed delimiter of a text file'],
      sheet: ['工作表', 'sheet read from a workbook'],
      header_line: ['表头行', 'line of the header row'],
      column_map: ['字段对应', 'canonical column -> header found (JSON)'],
      as_of: ['数据截至日期', 'the snapshot date of the file'],
      as_of_source: ['日期来源', 'where the as-of date came from: flag, file_name, title, run'],
      period_min: ['最早所属期', 'monthly kinds: first month in the file'],
      period_max: ['最晚所属期', 'monthly kinds: last month in the file'],
      values_flagged: ['问题值数', 'values nulled or kept as unknown (value_issues)'],
      status: ['状态', 'loaded, refused, or duplicate (a second copy of a file delivered in the same run)'],
      message: ['说明', 'why a file was refused, and what to do'],
      rows_read: ['读取行数', 'data rows in the file'],
      rows_loaded: ['入库行数', 'rows loaded'],
      rows_rejected: ['拒收行数', 'rows rejected (see rejects)'],
      loaded_at: ['读取时间', 'when the file was read'],
    },
  },
  rejects: {
    zh: '拒收行',
    en: 'rows not loaded: file, line, column, reason, raw text',
    columns: {
      run_id: ['运行号', 'run that read the file'],
      line: ['行号', 'line or sheet row'],
      column_name: ['字段', 'column'],
      reason: ['原因', 'reason (English; the ledger shows it in Chinese)'],
      raw: ['原始内容', 'raw text of the row'],
    },
  },
  value_issues: {
    zh: '字段值问题',
    en: 'loaded rows with an unreadable optional value (nulled) or an unknown status (kept)',
    columns: {
      line: ['行号', 'line or sheet row'],
      column_name: ['字段', 'column'],
      value: ['原值', 'the value as written'],
      reason: ['原因', 'unreadable date / period / amount / whole number / capital, unknown value'],
      action: ['处理', 'nulled (the value is NULL in the table) or kept (an unknown status, kept as written)'],
    },
  },
  supersessions: {
    zh: '数据替换记录',
    en: 'which file (or month) a later delivery replaced',
    columns: {
      file_id: ['被替换文件', 'the file replaced'],
      period: ['所属期', 'monthly kinds: the month replaced (NULL: the whole file)'],
      by_file_id: ['替换文件', 'the file that replaced it'],
      record_key: ['替换记录', 'iit_detail: the withholding agent whose month was replaced; assistance: the category; NULL: the whole file (or month)'],
      run_id: ['运行号', 'run that recorded it'],
    },
  },
  runs: {
    zh: '运行记录',
    en: 'every published run and command: status, dates, counts, summary JSON',
    columns: {
      pipeline: ['流水线文件', 'pipeline file'],
      command: ['命令', 'run, ingest, feedback, audit-sample, upgrade'],
      started_at: ['开始时间', 'started (UTC)'],
      finished_at: ['结束时间', 'finished'],
      status: ['状态', 'running, succeeded, warnings, failed'],
      as_of: ['核查日', 'as-of date D'],
      output_dir: ['结果文件夹', 'the run folder'],
      files_loaded: ['载入文件数', 'files loaded'],
      files_refused: ['拒收文件数', 'files refused'],
      files_skipped: ['重复跳过文件数', 'duplicate files skipped'],
      rows_loaded: ['载入行数', 'rows loaded'],
      rows_rejected: ['拒收行数', 'rows rejected'],
      summary: ['摘要', 'JSON: timings, warnings, rows by kind, link summary'],
      closed_month: ['已结算月份', 'closed month M (first day)'],
      lag_days: ['结算滞后天数', 'days after a month ends before it counts as closed'],
      min_age_days: ['成立满天数', 'uninsured.min_age_days the run used'],
    },
  },
  schema_version: {
    zh: '数据库结构版本',
    en: 'the schema migrations applied to this database, in order',
    columns: { version: ['版本', 'migration number'], applied_at: ['应用时间', 'when it was applied'] },
  },
  employers: {
    zh: '用人单位（一户一档）',
    en: 'one row per employer, attributes from the most authoritative source',
    columns: {
      employer_id: ['单位编号', 'stable employer id'],
      uscc: ['统一社会信用代码', 'valid USCC, if any'],
      name: ['单位名称', 'name'],
      kind: [
        '单位类别',
        'enterprise 企业, individual_business 个体工商户, farmer_coop 农民专业合作社, social_org 社会组织, public_institution 事业单位, other 其他',
      ],
      district_code: ['区县代码', 'district'],
      street: ['街道', 'street'],
      in_registration: ['有市场监管登记', 'a registration record is linked'],
      in_civil: ['有民政登记', 'a civil-affairs record is linked'],
      in_tax: ['有税务记录', 'a tax record is linked'],
      in_si: ['有社保记录', 'a social-insurance unit is linked'],
      records: ['关联记录数', 'source records linked'],
    },
  },
  employer_links: {
    zh: '关联关系',
    en: 'how each source record was linked to its employer: method, score, rule',
    columns: {
      method: ['关联方式', 'uscc, org_code, name_exact, name_city, name_similar, own'],
      score: ['得分', 'score'],
      rule: ['依据', 'why'],
      name: ['名称', 'name as in the source'],
      district_code: ['区县代码', 'district of the record'],
    },
  },
  employer_keys: {
    zh: '单位编号键',
    en: 'keys (USCC, org code, unit id, taxpayer id) -> employer id, kept across runs',
    columns: {
      key: ['键', 'uscc:…, org:…, unit:…, tax:…'],
      first_run: ['首次运行', 'run that first saw the key'],
      last_run: ['最近运行', 'run that last saw it'],
    },
  },
  persons: {
    zh: '人员',
    en: 'one row per person: a valid resident ID of the person-level kinds, its stable key (built by each run’s linking)',
    columns: {
      person_key: ['人员编号', 'P + 9 digits, given once and kept across runs'],
      id_no: ['公民身份号码', 'resident ID normalised to 18 characters (upper-case X)'],
      birth_date: ['出生日期', 'from the ID'],
      sex: ['性别', 'M / F, from the ID (17th digit odd: M)'],
      person_name: ['姓名', 'the latest name seen (latest file of the latest kind row)'],
      first_run: ['首次运行', 'run that first saw the person'],
      last_run: ['最近运行', 'run that last saw the person'],
    },
  },
  iit_agents: {
    zh: '扣缴义务人',
    en: 'each withholding agent of iit_detail_current (taxpayer id and name) and its employer (rebuilt by each run’s linking)',
    columns: {
      taxpayer_id: ['扣缴义务人纳税人识别号', 'as cleaned in iit_detail (join with IS NOT DISTINCT FROM)'],
      agent_name: ['扣缴义务人名称', 'as in iit_detail (join with IS NOT DISTINCT FROM)'],
    },
  },
  si_units: {
    zh: '社保单位',
    en: 'every unit id of si_enrollment / si_payment current data and its employer (rebuilt by each run’s linking)',
    columns: {
      unit_id: ['单位编号', 'SI unit id'],
    },
  },
  link_records: {
    zh: '待关联记录',
    en: 'every record that names an employer, with its checked codes and normalised name (rebuilt by each run)',
    columns: {
      code: ['代码', 'the record’s code after checking (NULL when missing or invalid)'],
      name: ['名称', 'name as in the source'],
      type_text: ['类型', 'entity or organisation type as exported'],
      employees: ['从业人数', 'employees in the registry'],
      name_basic: ['基本名称', 'name without its legal form'],
      region: ['区划（代码内）', 'the division code inside the USCC or legacy number'],
    },
  },
  link_review: {
    zh: '待人工确认',
    en: 'similar-name links under the auto-accept threshold',
    columns: {
      name: ['名称', 'name as in the source'],
      candidate_name: ['候选单位', 'the closest employer’s name'],
      candidate_cluster: ['候选单位键', 'its key (employer_keys.key)'],
      reason: ['原因', 'legal form differs / two candidates are as close / similarity under the auto-accept threshold / 人工确认：无法确定'],
      pair_id: ['复核编号', 'the pair’s stable id (link_review_pairs), as on review/待人工确认.xlsx'],
      first_listed: ['首次列出', 'as-of date of the run that first listed the pair'],
    },
  },
  link_review_pairs: {
    zh: '待人工确认（历次）',
    en: 'every pair ever proposed for review, under its stable id: the record, the candidate employer’s code cluster, when it was first and last listed',
    columns: {
      pair_id: ['复核编号', "'P' and 10 hex characters of md5(source, record_key, candidate_cluster)"],
      candidate_cluster: ['候选单位键', 'the candidate employer’s key (uscc:<USCC>)'],
      first_listed: ['首次列出', 'as-of date of the run that first listed it'],
      first_run: ['首次列出运行', 'the run that first listed it'],
      last_run: ['最近列出运行', 'the latest run that listed it'],
    },
  },
  link_decisions: {
    zh: '人工确认结果',
    en: 'a person’s judgement of a review pair (returned review/待人工确认.xlsx or recon links decide); every row kept, the latest per pair by decided_on then received_at counts, applied before the name steps of every run',
    columns: {
      pair_id: ['复核编号', 'the pair (link_review_pairs)'],
      candidate_cluster: ['候选单位键', 'the candidate employer’s key (uscc:<USCC>)'],
      decision: ['确认结果', 'same (是同一单位) / different (不是同一单位) / unsure (无法确定)'],
      file_sha256: ['文件校验值', 'SHA-256 of the returned workbook'],
      checker: ['核查人', 'who decided'],
      decided_on: ['日期', 'the date written on the row'],
      file_name: ['文件', 'the returned workbook'],
      file_row: ['行', 'sheet!row of the decision'],
      received_at: ['接收时间', 'when recon read it'],
    },
  },
  link_decision_files: {
    zh: '人工确认文件',
    en: 'each returned review workbook read (once, by its SHA-256): status stored / refused, rows read, stored and rejected, the refusal message',
    columns: {
      file_sha256: ['文件校验值', 'SHA-256 of the returned workbook (a file is read once)'],
      status: ['状态', 'stored (its rows were read) / refused (the whole file could not be read: message says why)'],
      message: ['说明', 'why the file was refused (NULL when stored)'],
      rows_stored: ['已采用行数', 'rows stored in link_decisions'],
      rows_rejected: ['退回行数', 'rows in link_decision_rejects'],
    },
  },
  link_decision_rejects: {
    zh: '人工确认退回行',
    en: 'rows of a returned review workbook that were not taken, with the reason in Chinese (checksum, unknown pair, missing or invalid answer, checker or date)',
    columns: {
      file_sha256: ['文件校验值', 'SHA-256 of the returned workbook'],
      file_row: ['行', 'sheet!row'],
      pair_id: ['复核编号', 'as written on the row'],
      answer: ['确认结果', 'as written'],
      code: ['代码', 'checksum / unknown_pair / missing_result / invalid_result / missing_checker / missing_date / invalid_date'],
      reason: ['原因', 'what is wrong and what to do, in Chinese'],
    },
  },
  dq_issues: {
    zh: '数据质量问题',
    en: 'invalid codes, duplicate USCCs, conflicting names, ambiguous matches, unknown values',
    columns: {
      category: [
        '问题类别',
        'invalid_code, invalid_org_code, duplicate_uscc, name_conflict, ambiguous_org_code, ambiguous_name, ambiguous_former_name, decision_contradicted, decision_stale, unknown_value, payment_without_enrollment',
      ],
      name: ['名称', 'name as in the source'],
      employer_id: ['单位编号', 'employer the record belongs to, when known'],
    },
  },
  employer_facts: {
    zh: '规则用单位事实',
    en: 'what the rules read per employer (the latest rules run)',
    columns: {
      kind: ['单位类别', 'employers.kind'],
      reg_status: ['登记状态（归类）', 'registry status class'],
      reg_status_text: ['登记状态', 'registry status as exported'],
      civil_status: ['民政登记状态', 'civil-affairs status class'],
      tax_status: ['税务状态', 'taxpayer status class'],
      taxpayer_active: ['税务正常', 'a linked taxpayer is active'],
      active: ['在业', 'active in the registry (or civil affairs) at D'],
      closed: ['已注销/吊销', 'closed, revoked or moved out'],
      registry_employees: ['登记从业人数', 'employees in the registry or civil-affairs export'],
      w_months: ['近三月申报月数', 'months with withholding in the 3 months up to M'],
      h: ['用工人数证据 H', 'headcount evidence H (docs/rules.md)'],
      hw: ['个税申报人数 Hw', 'largest withholding headcount in the 3 months up to M'],
      a_avg: ['平均申报人数 A', 'average withholding headcount over months with a row'],
      no_staff_6m: ['六个月无申报', 'no withholding headcount in the 6 months up to M'],
      registered_si: ['已社保登记', 'any enrollment active or suspended'],
      enrolled: ['已参加养老保险', 'enrolled in 110 (active)'],
      status_110: ['养老参保状态', 'status class of the 110 enrollment'],
      active_types: ['在保险种', 'insurance types with an active enrollment'],
      insured_110: ['养老参保人数', 'pension insured count in M'],
      address_source: ['地址来源', 'registration (住所), tax_registration (生产经营地址) or civil_org (住所): the first that has an address'],
      phone_source: ['电话来源', 'registration: the only export with a phone'],
    },
  },
  employer_withholding: {
    zh: '单位月度个税申报',
    en: 'withholding per employer and month (view)',
    columns: { headcount: ['申报人数', 'withholding headcount'], wages: ['收入额（元）', 'wages of the month'] },
  },
  employer_payments: {
    zh: '单位月度缴费',
    en: 'contributions per employer, month and insurance type (view)',
    columns: {
      base_total: ['缴费基数合计', 'contribution base total'],
      amount_due: ['应缴金额', 'amount due'],
      amount_paid: ['实缴金额', 'amount paid'],
    },
  },
  employer_enrollment: {
    zh: '单位参保险种',
    en: 'enrollment per employer and insurance type (view)',
    columns: { enrolled_on: ['参保日期', 'first enrolled'] },
  },
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
  person_findings_latest: {
    zh: '最新一次运行的人员疑点',
    en: 'person findings of the latest run with the full ID number (view; recon query masks it unless --unmask)',
    columns: {
      id_no: ['公民身份号码', 'resident ID, normalised to 18 characters with an upper-case X'],
      person_name: ['姓名', 'the name last seen for the ID (persons.person_name)'],
      uscc: ['统一社会信用代码', 'USCC of the employer the finding belongs to; empty for person_lapsed and assistance_not_covered'],
      employer_id: ['单位编号', 'employer the finding belongs to; empty for a finding about the person alone'],
      case_id: ['案件编号', 'case id (cases.case_id), one per employer, rule and person for ever'],
    },
  },
  project_findings_latest: {
    zh: '最新一次运行的新开工项目疑点',
    en: 'project findings (project_uninsured) of the latest run, one per building permit (view; the evaluation view of RULES.md)',
    columns: {
      uscc: [
        '施工单位统一社会信用代码',
        'the contractor’s USCC as the permit gives it (also when it fails its check or is not in the registry); empty when none',
      ],
      employer_id: ['单位编号', 'the contractor linked by USCC; empty when it is not in the registry or its USCC fails its check'],
      case_id: ['案件编号', 'case id (cases.case_id), one per contractor, rule and permit for ever'],
    },
  },
  project_permits: {
    zh: '施工许可（本次运行）',
    en: 'one row per permit number of construction_permit_current (its earliest issue) with its contractor as linked and the project enrolment covering it on D (rebuilt by each run’s rules stage: src/rules/project-facts.sql)',
    columns: {
      as_of: ['核查日', 'D of the run that built the rows'],
      project_code: ['项目编码', 'as in the permit'],
      project_name: ['项目名称', 'as in the permit'],
      name_key: ['项目名称（规范化）', 'NFKC, traditional to simplified, brackets unified, whitespace and punctuation removed: compared exactly'],
      contractor_uscc: ['施工单位统一社会信用代码', 'as in the permit (folded like a code)'],
      contractor_name: ['施工单位名称', 'as in the permit'],
      employer_id: ['单位编号', "the contractor linked by USCC ('' when not linked)"],
      contractor_issue: ['施工单位问题', 'NULL, or unknown_contractor (not in the registry), invalid_uscc (fails its check), missing_uscc'],
      issued_on: ['发证日期', 'the earliest issued_on of the permit number'],
      contract_amount: ['合同金额（万元）', 'in 10,000 yuan, as in the permit'],
      district_code: ['区县代码', 'the project’s district (项目所在区县), else the contractor’s'],
      status: ['项目状态', '在建 / 停工 / 竣工 as written (the rule counts a permit whatever its status)'],
      insured_by: [
        '参保依据',
        'NULL: no project enrolment on or before D; permit_no: by the permit number; contractor_name: by the contractor’s USCC and the normalised name',
      ],
      project_id: ['项目参保编号', 'the covering enrolment (si_project.project_id; the earliest)'],
      enrolled_on: ['参保日期', 'its enrolment date'],
    },
  },
  ledger_project_district: {
    zh: '新开工项目工伤保险参保率（按区县）',
    en: 'per district of the project (合计 row: district_code NULL; "" 未知区县) the permits issued in the calendar year of D up to D - 7 days, the insured among them, the rate and whether it reaches project_coverage_target (local parameter, default 0.9); from project_permits of the latest run (view)',
    columns: {
      as_of: ['核查日', 'D of the run that built project_permits'],
      district_code: ['区县代码', 'district code (NULL on the 合计 row, "" for 未知区县)'],
      district_name: ['区县', 'district (合计 = total)'],
      permits: ['新开工项目数', 'permits issued from 1 January of D’s year to D - 7 days'],
      insured: ['其中已参保', 'of them, with a project enrolment on or before D (by permit number, or by contractor and normalised name)'],
      rate: ['参保率', 'insured / permits (NULL when no permits)'],
      target: ['目标', 'project_coverage_target of the period containing D'],
      reached: ['是否达标', 'rate >= target'],
    },
  },
  cases: {
    zh: '案件',
    en: 'one case per (employer, rule), its state across runs',
    columns: {
      state: ['状态', 'new 新发现, open 在办, reopened 重新打开, resolved 已销号, exempt 核实豁免'],
      state_run: ['状态运行', 'run of the last state change'],
      last_found_run: ['最近发现运行', 'last run that found it'],
      reopen_count: ['重开次数', 'times reopened'],
      exempt_evidence: ['豁免时证据', 'the evidence when it was made exempt (a change reopens it)'],
    },
  },
  case_events: {
    zh: '案件状态变化',
    en: 'every state change of every case, with the run',
    columns: {
      from_state: ['原状态', 'state before (NULL when opened)'],
      to_state: ['新状态', 'state after'],
      reason: ['原因', 'found, still found, found again, found again with changed facts, no longer found; or the 网格员核查 that made it exempt'],
      changed_at: ['变更时间', 'when'],
    },
  },
  exemptions: {
    zh: '豁免统计',
    en: 'rows the "Not findings" exemptions removed, per rule and reason',
    columns: { reason: ['豁免原因', 'exemption (docs/rules.md, "Not findings")'], count: ['户数', 'employers exempted'] },
  },
  rule_runs: {
    zh: '规则执行记录',
    en: 'each rule in each run: version, parameters, found, exempted, time',
    columns: {
      version: ['规则版本', 'rule version'],
      params: ['参数', 'parameters in force (JSON)'],
      found: ['发现数', 'findings'],
      exempted: ['豁免数', 'rows exempted'],
      ms: ['耗时（毫秒）', 'time'],
    },
  },
  ledger_selected: ledgerView(
    'ledger_selected',
    '台账报告运行',
    'the run every ledger view reports on: the latest run with rules, or SET VARIABLE ledger_run (view)',
  ),
  ledger_rules: ledgerView('ledger_rules', '台账规则列表', 'the rules the ledgers show, in order: id, Chinese title (view)'),
  ledger_employer: ledgerView(
    'ledger_employer',
    '台账单位口径',
    'per employer of the selected run: active, should be enrolled, enrolled, due and paid for M (what the rates count)',
  ),
  ledger_findings: ledgerView('ledger_findings', '台账疑点', 'the findings of the selected run with their district (view)'),
  ledger_case_state: ledgerView('ledger_case_state', '案件当时状态', "every case's state after the selected run (view)"),
  ledger_cases_progress: ledgerView(
    'ledger_cases_progress',
    '案件进展',
    'per district and rule: cases opened, resolved, exempt, reopened this run and in total; open now (view)',
  ),
  ledger_rule: ledgerView('ledger_rule', '按规则汇总', 'findings and amounts per district and rule (view)'),
  ledger_district: ledgerView(
    'ledger_district',
    '汇总（按区县）',
    'the 汇总 and 问题分类 sheets: per district coverage, payment and collection rates, findings per rule, cases, arrears (view)',
  ),
  ledger_person: ledgerView(
    'ledger_person',
    '人员参保（按区县）',
    'the 人员参保 sheet: per district wage earners and the enrolled among them (职工参保率), people found uninsured or on a low base, lapsed people, people the state should pay the residents’ pension for and those it pays for (代缴覆盖率) (view)',
  ),
  ledger_person_home: ledgerView(
    'ledger_person_home',
    '人员所在区县',
    'where the person lists and the person ledger place a person: district, street and community of their SI row and of their assistance roll (view; person_key only, never the ID number)',
  ),
  ledger_person_place: ledgerView(
    'ledger_person_place',
    '人员案件所在区县',
    'the district of each person a case is about alone (person_lapsed, assistance_not_covered), by source (a table the publish stage refills from the current data)',
  ),
  ledger_arrears: ledgerView('ledger_arrears', '欠费台账', 'employers owing contributions in the selected run, with class, months, amount and late fee (view)'),
  ledger_data_quality: ledgerView('ledger_data_quality', '数据质量', "the run's data-quality issues, nulled values and rejected rows, grouped (view)"),
  ledger_review: ledgerView('ledger_review', '待人工确认（台账）', 'near-miss name links of the selected run, to be confirmed by a person (view)'),
  ledger_run: ledgerView('ledger_run', '运行记录（台账）', 'the selected run: status, dates, files, rows, employers, findings (view)'),
  ledger_run_inputs: ledgerView(
    'ledger_run_inputs',
    '输入文件',
    'the files behind the selected run: delivered in it, or loaded earlier and still current (view)',
  ),
  ledger_open_history: ledgerView('ledger_open_history', '在办案件趋势', 'open cases after each run up to the selected one (view)'),
  campaign_actual: {
    zh: '目标实绩（本次）',
    en: 'per district for the selected run: should-be-insured and insured units, insured persons, coverage, collected (view)',
    columns: CAMPAIGN_COLUMNS,
  },
  campaign_month_runs: {
    zh: '每月最后一次运行',
    en: 'the last run of each month (by as-of date), the runs the monthly views compare (view)',
    columns: { month: ['月份', 'month of the as-of date (first day)'], run_id: ['运行号', 'its last run'], as_of: ['核查日', 'that run’s as-of date'] },
  },
  blacklist_candidates: {
    zh: '失信联合惩戒候选名单',
    en: 'cases urged (已督促, 限期整改) whose 整改期限 has passed while the finding still holds, in the latest run (view)',
    columns: {
      as_of: ['核查日', 'as-of date of the run'],
      result: ['核查结果', 'the latest feedback: 已督促 or 限期整改'],
      checked_on: ['核查日期', 'date of that feedback'],
      deadline: ['整改期限', 'its deadline'],
      days_overdue: ['逾期天数', 'days from the deadline to D'],
      feedback_file: ['反馈文件', 'the returned worklist it came in'],
      feedback_run: ['反馈运行', 'the run that read it'],
      first_found_on: ['首次发现日期', 'as-of date of the first finding'],
      runs_found: ['发现次数', 'runs that found the case'],
      findings_trail: ['发现记录', 'every finding, one a line'],
      feedback_rows: ['反馈次数', 'feedback rows applied'],
      feedback_trail: ['反馈记录', 'every feedback, one a line'],
    },
  },
  blacklist_evidence: {
    zh: '失信候选证据链',
    en: 'the evidence trail of each blacklist candidate: findings, feedback rows, state changes (view)',
    columns: {
      event_date: ['日期', 'date of the event (findings and state changes: the run’s as-of date)'],
      event_order: ['顺序', '1 finding, 2 feedback, 3 state change (within a date)'],
      event: ['事件', '规则发现, 网格反馈, 反馈被拒收, 案件状态'],
      rule_or_result: ['规则/结果', 'the rule title, the feedback result, or the state change'],
      deadline: ['整改期限', 'deadline of a feedback'],
      detail: ['说明', 'the finding’s evidence, the feedback’s remarks, or why the state changed'],
      source: ['出处', 'returned file, sheet and row'],
    },
  },
  arrears_writeoff: {
    zh: '欠费核销报告',
    en: 'arrears of closed employers (class closed): write-off report (view)',
    columns: ARREARS_LIST_COLUMNS,
  },
  arrears_payment_plan: {
    zh: '欠费分期缴费跟进表',
    en: 'arrears of dormant employers (class dormant): instalment plan (view)',
    columns: ARREARS_LIST_COLUMNS,
  },
  arrears_enforcement: {
    zh: '欠费强制执行清单',
    en: 'arrears of operating employers (class operating): enforcement list (view)',
    columns: ARREARS_LIST_COLUMNS,
  },
  notices: {
    zh: '社会保险登记告知书',
    en: 'one notice per employer and reason (new_employer, uninsured_case), with the run that sent it',
    columns: {
      notice_id: ['告知书编号', 'notice id'],
      kind: ['告知原因', 'new_employer 新设立单位, uninsured_case 逾期未参保'],
      case_id: ['案件编号', 'the uninsured case (uninsured_case notices)'],
      sent_on: ['发送日期', 'the run’s as-of date'],
      deadline: ['办理期限', 'date by which to register'],
    },
  },
  feedback: {
    zh: '核查反馈',
    en: 'every filled row read from a returned worklist: case, result, date, checker, status applied/rejected and reason',
    columns: {
      run_id: ['运行号', 'run that read the file'],
      file: ['文件', 'the returned worklist'],
      file_sha256: ['文件哈希', 'its content hash'],
      sheet: ['工作表', 'sheet'],
      row: ['行号', 'row'],
      status: ['状态', 'applied or rejected'],
      reason_code: ['拒收代码', 'why rejected (code)'],
      reason: ['拒收原因', 'why rejected'],
      deadline: ['整改期限', 'deadline (with 限期整改)'],
      effect: ['处理结果', 'what an applied answer did to its case: exempt, open or refer (NULL on rejected rows and rows applied before 0.3)'],
    },
  },
  feedback_files: {
    zh: '已读取的反馈文件',
    en: 'every returned worklist read (by content hash): rows read, applied, rejected',
    columns: {
      file: ['文件', 'path'],
      run_id: ['运行号', 'run that read it'],
      rows_applied: ['应用行数', 'rows applied'],
      return_note: ['退回说明文件', 'the 退回说明 workbook written for its rejected rows, relative to the run folder'],
    },
  },
  feedback_refusals: {
    zh: '拒收的反馈文件',
    en: 'returned files that could not be read as worklists at all (damaged, not a worklist, header moved, 校验码 deleted): per run, with the 退回说明 written',
    columns: {
      file: ['文件', 'the returned file'],
      file_sha256: ['文件哈希', 'its content hash (NULL when it could not be read)'],
      reason_code: ['拒收代码', 'why it was refused (code)'],
      message: ['说明', 'why, in English'],
      message_zh: ['说明（中文）', 'why, as the 退回说明 says it'],
      return_note: ['退回说明文件', 'the 退回说明 workbook written, relative to the run folder'],
      refused_at: ['拒收时间', 'when'],
    },
  },
  case_referrals: {
    zh: '转办案件',
    en: 'cases an answer confirmed and referred to the SI office (target si_cleanup), with the answer; ended_at when answered again',
    columns: REFERRAL_COLUMNS,
  },
  case_referrals_active: { zh: '转办中的案件', en: 'the referrals that hold: latest per case, case still open since (view)', columns: REFERRAL_COLUMNS },
  si_cleanup_list: {
    zh: '社保注销清理清单',
    en: 'referred cases the latest run still finds, with SI unit ids and what to do: the SI office clean-up list (view)',
    columns: {
      unit_ids: ['社保单位编号', 'the employer’s SI unit ids (、-separated)'],
      source: ['出处', 'returned file, sheet and row of the answer'],
      referred_on: ['转办日期', 'day it was referred'],
      action: ['办理建议', 'what the SI office is to do'],
    },
  },
  audit_samples: {
    zh: '稽核抽查样本',
    en: 'employers drawn for the annual audit sample, per year and month, with the audit result when returned',
    columns: {
      sample_id: ['样本编号', 'sample id'],
      month: ['抽取月份', 'month drawn (1-12)'],
      stratum: ['分层', 'district x size band'],
      size_band: ['规模段', '0-9人, 10-49人, 50-199人, 200人以上'],
      risk_score: ['风险分', 'risk score (weights the draw within a stratum)'],
      risk_reasons: ['风险因素', 'what the score counted'],
      run_id: ['运行号', 'the draw (audit-sample command)'],
      sampled_at: ['抽取时间', 'when'],
      audited_on: ['稽核日期', 'audit date from the returned sheet'],
      audit_result: ['稽核结果', 'result'],
      auditor: ['稽核人', 'auditor'],
      audit_remarks: ['稽核备注', 'remarks'],
      audit_deadline: ['整改期限', 'deadline'],
      feedback_run: ['反馈运行', 'the run that read the returned sheet'],
    },
  },
  audit_sample_runs: {
    zh: '稽核抽查批次',
    en: 'each monthly draw of the audit sample: rate, enrolled, target, pool, drawn, mean risk',
    columns: {
      month: ['月份', 'month (1-12)'],
      rate: ['年度抽查比例', 'share of enrolled employers to audit in the year'],
      enrolled: ['参保单位数', 'enrolled employers when drawn'],
      target: ['年度目标数', 'ceil(rate x enrolled)'],
      before: ['此前已抽', 'drawn earlier in the year'],
      pool: ['可抽单位数', 'employers that could be drawn'],
      drawn: ['本月抽取', 'drawn this month'],
      sampled_at: ['抽取时间', 'when'],
      pool_mean_risk: ['候选平均风险分', 'mean risk score of the pool'],
      drawn_mean_risk: ['样本平均风险分', 'mean risk score of those drawn'],
    },
  },
  ledger_person_district: {
    zh: '人员参保台账（每次运行）',
    en: 'per run and district (合计 row: district_code NULL) the person ledger as publish counted it from the run’s person facts: wage earners, enrolled among them, lapsed, assistance people, covered among them; NULL counts: the run had no person facts. The history behind ledger_person and the bulletin',
    columns: {
      district_code: ['区县代码', 'district code (NULL on the 合计 row, "" for 未知区县)'],
      district_name: ['区县', 'district (合计 = total)'],
      wage_earners: ['领取工资职工数', 'people employed at an employer of the district in M-1 and M'],
      wage_earners_enrolled: ['其中已参保', 'of them, enrolled persons'],
      lapsed: ['断缴人员数', 'people found lapsed (person_lapsed findings of the run)'],
      assistance: ['困难群体应代缴人数', 'people on an assistance roll on D, 16-59, not pensioners, not enrolled'],
      assistance_covered: ['其中已代缴', 'of them, with a 政府代缴 row for the 代缴 year'],
      recorded_at: ['记录时间', 'when publish recorded the row'],
    },
  },
  ledger_project_runs: {
    zh: '项目参保台账（每次运行）',
    en: 'per run and district of the project (合计 row: district_code NULL; "" 未知区县) ledger_project_district as publish recorded it: permits issued this year up to D - 7 days, insured among them, rate, target, reached. The history the monthly bulletin ranks districts on',
    columns: {
      district_code: ['区县代码', 'district code (NULL on the 合计 row, "" for 未知区县)'],
      district_name: ['区县', 'district (合计 = total)'],
      permits: ['新开工项目数', 'permits issued from 1 January of D’s year to D - 7 days'],
      insured: ['其中已参保', 'of them, with a project enrolment on or before D'],
      rate: ['参保率', 'insured / permits, 4 decimals (NULL without permits)'],
      target: ['目标', 'project_coverage_target of the period containing D (default 0.9)'],
      reached: ['是否达标', 'insured >= permits x target (NULL without permits)'],
      recorded_at: ['记录时间', 'when publish recorded the row'],
    },
  },
  district_progress: {
    zh: '目标完成情况（每次运行）',
    en: 'per run and district: actuals, targets, completion and rank (全市合计 row: district_code NULL); the history behind 较上月 and the bulletin trend',
    columns: CAMPAIGN_COLUMNS,
  },
  campaign_targets: {
    zh: '目标任务（已识别区县）',
    en: 'the current targets per district and year, 区县 resolved to a code, 参保率目标 as a fraction, 征缴目标 in yuan (view)',
    columns: {
      ...CAMPAIGN_COLUMNS,
      district_code: ['区县代码', 'the 区县 resolved to a district code (NULL: not recognised)'],
      district_text: ['区县（原文）', 'the 区县 as written in the targets file'],
      target_coverage_text: ['参保率目标（原文）', 'as written (95%, 95, 0.95)'],
      as_of: ['数据截至日期', 'as-of date of the targets file'],
    },
  },
  campaign_progress_now: { zh: '目标完成情况（本次计算）', en: 'what district_progress records for the selected run (view)', columns: CAMPAIGN_COLUMNS },
  ledger_targets: {
    zh: '目标完成情况（台账）',
    en: "the selected run's district_progress with prev_* and *_change against the last run of the previous month (view)",
    columns: CAMPAIGN_CHANGE_COLUMNS,
  },
  campaign_monthly: {
    zh: '目标完成情况（按月）',
    en: 'district_progress of the last run of each month, with the change against the month before (view)',
    columns: CAMPAIGN_CHANGE_COLUMNS,
  },
  campaign_case_flow: {
    zh: '每月案件变化',
    en: "per month (of the run's as-of date) and district: cases opened, reopened, resolved, made exempt (view)",
    columns: {
      month: ['月份', 'month of the run’s as-of date (first day)'],
      opened: ['新增', 'cases opened'],
      reopened: ['重新打开', 'cases reopened'],
      resolved: ['销号', 'cases resolved'],
      exempt: ['核实豁免', 'cases made exempt'],
    },
  },
  ref_division: {
    zh: '行政区划',
    en: 'administrative divisions to street level',
    columns: {
      code: ['区划代码', 'division code (6 digits to district, 9 to street)'],
      name: ['名称', 'name'],
      level: ['级别', 'province, city, district, street'],
      parent_code: ['上级代码', 'parent division'],
      province_code: ['省级代码', 'province'],
      city_code: ['地级代码', 'city'],
      district_code: ['县级代码', 'district'],
      gb_code: ['国标代码', 'GB/T 2260 code'],
    },
  },
  ref_industry: {
    zh: '国民经济行业分类',
    en: 'GB/T 4754-2017 sections and divisions with risk flags',
    columns: {
      code: ['行业代码', 'section letter or division code'],
      level: ['级别', 'section or division'],
      name: ['名称', 'name'],
      parent: ['上级', 'the section of a division'],
      work_injury_high_risk: ['工伤高风险', 'high-risk for work-injury insurance'],
      pneumoconiosis_priority: ['尘肺病重点', 'pneumoconiosis priority industry'],
    },
  },
  ref_local_params: {
    zh: '地方参数',
    en: 'average wage, base floor/cap, employer rates per period',
    columns: {
      valid_from: ['起始日期', 'first day the parameters apply'],
      valid_to: ['截止日期', 'last day'],
      average_wage: ['社平工资（元/月）', 'average monthly wage'],
      base_floor: ['缴费基数下限', 'contribution base floor (60%)'],
      base_cap: ['缴费基数上限', 'contribution base cap (300%)'],
      rate_110: ['养老单位费率', 'employer rate, pension'],
      rate_210: ['失业单位费率', 'employer rate, unemployment'],
      rate_310: ['医疗单位费率', 'employer rate, medical'],
      rate_410: ['工伤单位费率', 'employer rate, work injury'],
      rate_510: ['生育单位费率', 'employer rate, maternity'],
      maternity_separate: ['生育单独缴费', 'maternity (510) is paid apart from medical'],
      resident_pension_min_tier: ['城乡居民养老最低缴费档次（元/年）', 'lowest yearly tier of the residents’ pension: the amount of assistance_not_covered'],
      project_injury_rate: [
        '工伤保险项目参保费率',
        'work-injury premium rate of a building project, times its contract amount: the amount of project_uninsured',
      ],
      project_coverage_target: ['新开工项目工伤保险参保率目标', 'target share of new building permits insured for work injury (the local plans: 0.9)'],
    },
  },
};

/** A documented key with a placeholder, as a pattern over real column names. */
function placeholderPattern(key: string): RegExp {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace('<class>', '(?:closed|dormant|operating)').replace('<rule>', '[a-z][a-z0-9_]*')}$`);
}

/**
 * What a column of a table or view means: the table's own entry, then one of its placeholder
 * entries (`<rule>_n`), then the meaning it has everywhere (COMMON); undefined when undocumented.
 */
export function columnDoc(table: string, column: string): ColumnDoc | undefined {
  const own = TABLE_DOCS[table]?.columns ?? {};
  const exact = own[column];
  if (exact) return exact;
  // The more specific placeholder first: arrears_closed_n is an arrears class, not a rule.
  const patterns = Object.keys(own)
    .filter((k) => k.includes('<'))
    .sort((a, b) => b.replace(/<\w+>/g, '').length - a.replace(/<\w+>/g, '').length);
  for (const key of patterns) if (placeholderPattern(key).test(column)) return own[key];
  return COMMON[column];
}
