import { CONTRACTS, type Kind } from '../sources/index.ts';

/**
 * The Chinese an office or a grid worker reads for the codes the database keeps in English
 * (severity, case state, employer kind, link method, data-quality category and detail, stage
 * names). The database keeps the codes and the English detail; the outputs translate them
 * here, with one table each. A code no table knows is shown as it is.
 */

/** 优先级 of a finding. */
export const SEVERITY_ZH: Readonly<Record<string, string>> = { high: '高', medium: '中', low: '低' };

/** 案件状态 (docs/rules.md, "Cases"). */
export const CASE_STATE_ZH: Readonly<Record<string, string>> = {
  new: '新发现',
  open: '在办',
  reopened: '重新打开',
  resolved: '已销号',
  exempt: '核实豁免',
};

/** A run's status (runs.status, run.json). */
export const RUN_STATUS_ZH: Readonly<Record<string, string>> = {
  succeeded: '成功',
  warnings: '成功（有警告）',
  failed: '失败',
  running: '运行中',
};

/** A file's status in the manifest. */
export const FILE_STATUS_ZH: Readonly<Record<string, string>> = { loaded: '已载入', refused: '拒收', duplicate: '重复跳过' };

/** employers.kind (from the USCC's first two characters, else the registry's type text). */
export const EMPLOYER_KIND_ZH: Readonly<Record<string, string>> = {
  enterprise: '企业',
  individual_business: '个体工商户',
  farmer_coop: '农民专业合作社',
  social_org: '社会组织',
  public_institution: '事业单位',
  other: '其他',
};

/** employer_links.method. */
export const LINK_METHOD_ZH: Readonly<Record<string, string>> = {
  uscc: '统一社会信用代码相同',
  org_code: '组织机构代码相同',
  name_exact: '同区县名称相同',
  former_name: '同区县曾用名相同',
  decision: '人工确认为同一单位',
  name_city: '去掉地名后全市唯一同名',
  name_similar: '同区县名称相近',
  own: '无其他来源匹配，自成一户',
};

/** Link sources (employer_links.source, dq_issues.source) beyond the export kinds: an SI unit is one record of si_enrollment. */
const SOURCE_EXTRA_ZH: Readonly<Record<string, string>> = { si_unit: '社保参保单位' };

/** dq_issues.category, and the reasons of value_issues and rejects as ledger_data_quality shows them. */
export const DQ_CATEGORY_ZH: Readonly<Record<string, string>> = {
  invalid_code: '代码校验不通过',
  invalid_id: '身份证号码无效',
  duplicate_uscc: '统一社会信用代码重复',
  name_conflict: '同一代码名称不一致',
  ambiguous_org_code: '组织机构代码对应多家',
  ambiguous_name: '同区县同名多家',
  invalid_org_code: '组织机构代码校验不通过',
  ambiguous_former_name: '曾用名对应多家',
  decision_contradicted: '人工确认与代码不符，未采用',
  decision_stale: '人工确认的单位已不在数据中',
  unknown_value: '未知状态/类型值',
  payment_without_enrollment: '有缴费无参保登记',
  project_contractor_unknown: '施工单位不在登记库中',
  project_contractor_invalid: '施工单位信用代码校验不通过',
  project_contractor_missing: '施工许可无施工单位信用代码',
  rejected_row: '拒收行',
  'unreadable date': '日期无法识别',
  'unreadable period': '所属期无法识别',
  'unreadable amount': '金额无法识别',
  'unreadable whole number': '整数无法识别',
  'unreadable capital': '注册资本无法识别',
  'unreadable value': '值无法识别',
  'unknown value': '未知值',
};

/** ledger_data_quality.source_table. */
export const DQ_SOURCE_TABLE_ZH: Readonly<Record<string, string>> = { dq_issues: '关联检查', value_issues: '值无法识别', rejects: '拒收' };

/** Stage and part names of a run's timings (run.json timings_ms, 运行记录). */
export const STAGE_ZH: Readonly<Record<string, string>> = {
  open: '准备工作副本',
  reference: '参考数据',
  ingest: '载入',
  decisions: '读取人工确认结果',
  link: '关联',
  feedback: '读取核查反馈',
  rules: '规则',
  cases: '案件',
  publish: '发布',
  'publish.csv': '发布：CSV 文件',
  'publish.notices': '发布：告知书',
  'publish.worklists': '发布：核查清单',
  'publish.ledger_tables': '发布：台账数据',
  'publish.persons': '发布：续保提醒与代缴名单',
  'publish.projects': '发布：新开工项目未参保清单',
  'publish.review': '发布：待人工确认清单',
  'publish.ledger': '发布：台账',
  'publish.summary': '发布：概览页',
  'publish.campaign': '发布：专项清单',
  audit: '检查',
  commit: '提交',
};

/** notices.kind: why a 社会保险登记告知书 was sent (as on the notice itself). */
export const NOTICE_KIND_ZH: Readonly<Record<string, string>> = { new_employer: '新设立单位', uninsured_case: '逾期未参保' };

/** A case's change reason (case_events.reason) as the cases stage writes it. */
export const CASE_REASON_ZH: Readonly<Record<string, string>> = {
  found: '发现问题，立案',
  'still found': '仍然存在',
  'found again': '销号后再次发现',
  'found again with changed facts': '豁免后情况变化，再次发现',
  'no longer found': '问题不再存在，销号',
};

/** `dict[code]`, or the code itself when the table does not know it (NULL stays empty). */
export function zh(dict: Readonly<Record<string, string>>, code: unknown): string {
  if (code === null || code === undefined) return '';
  const key = String(code);
  return dict[key] ?? key;
}

/** The Chinese name of an export kind or link source (市场主体登记信息, 社保参保单位); unknown ones as they are. */
export function sourceZh(kind: unknown): string {
  if (kind === null || kind === undefined) return '';
  const key = String(kind);
  return CONTRACTS[key as Kind]?.label ?? SOURCE_EXTRA_ZH[key] ?? key;
}

/** The Chinese label of a kind's column (established_on of registration: 成立日期); unknown ones as they are. */
export function columnZh(kind: unknown, column: string): string {
  const contract = kind === null || kind === undefined ? undefined : CONTRACTS[String(kind) as Kind];
  const own = contract?.columns.find((c) => c.name === column)?.label;
  if (own) return own;
  // A column of a kind we do not know (or no kind): the first contract that has it.
  for (const c of Object.values(CONTRACTS)) {
    const found = c.columns.find((x) => x.name === column)?.label;
    if (found) return found;
  }
  return column;
}

/** The reason texts of rejected rows and nulled values (src/ingest/load.ts, src/sources/normalise.ts). */
const REASON_ZH: Readonly<Record<string, string>> = {
  'missing required value': '必填值为空',
  'unreadable date': '日期无法识别',
  'unreadable period': '所属期无法识别',
  'unreadable amount': '金额无法识别',
  'unreadable whole number': '整数无法识别',
  'unreadable capital': '注册资本无法识别',
  'unreadable value': '值无法识别',
  'unknown value': '不是已知的值',
  'wrong column count: more fields than headers': '列数不符：字段比表头多',
  'wrong column count: fewer fields than headers': '列数不符：字段比表头少',
  'unterminated or stray quote': '引号不成对',
  'line too long': '行过长',
  'invalid characters': '含无效字符',
};

const ACTION_ZH: Readonly<Record<string, string>> = { nulled: '已置空', kept: '保留原值' };

type Translate = (m: RegExpExecArray, kind: unknown) => string;

/** Why a resident ID is not valid (link/persons.sql, link.persons.invalid_ids). */
const ID_ISSUE_ZH: Readonly<Record<string, string>> = {
  'fails its check character': '校验码错误',
  'holds an impossible birth date': '出生日期不存在',
  'is not 18 characters (or 15 digits)': '位数或字符不符（应为 18 位或 15 位数字）',
};

/** The detail texts the pipeline writes (link.sql, rules.sql, ledger_data_quality), each with its Chinese. */
const DETAILS: Array<[RegExp, Translate]> = [
  [/^code (.*) fails its check; not used as a key$/s, (m) => `代码 ${m[1]} 校验不通过，未用作关联依据`],
  [/^organisation code (\S+) is inside (\d+) different USCCs$/, (m) => `组织机构代码 ${m[1]} 出现在 ${m[2]} 个不同的统一社会信用代码中，未据此关联`],
  [/^organisation code (.*) fails its check; not used as a key$/s, (m) => `组织机构代码 ${m[1]} 校验不通过，未用作关联依据`],
  [/^the same name in the same district belongs to (\d+) employers: (.*)$/s, (m) => `同一区县有 ${m[1]} 家单位同名（${m[2]}），未据名称关联`],
  [/^the name is a former name of (\d+) employers in the district: (.*)$/s, (m) => `该名称是同一区县 ${m[1]} 家单位的曾用名（${m[2]}），未据曾用名关联`],
  [
    /^judged the same employer as (\S+) by (.*) on (\S+), but its code now links it to (\S+); the decision is not applied$/s,
    (m) => `${m[2]} 于 ${m[3]} 确认与 ${m[1]} 为同一单位，但其代码现关联到 ${m[4]}，该确认结果不再采用`,
  ],
  [
    /^judged the same employer as (\S+), which no export names any more; the decision is not applied$/s,
    (m) => `已确认与 ${m[1]} 为同一单位，但该单位已不在任何数据中，该确认结果未采用`,
  ],
  [/^(\d+) registry rows share this USCC$/, (m) => `市场监管登记中有 ${m[1]} 行使用此统一社会信用代码`],
  [/^USCC (\S+) is "(.*)" in the registry but "(.*)" here$/s, (m) => `统一社会信用代码 ${m[1]} 在市场监管登记中为“${m[2]}”，此处为“${m[3]}”`],
  [/^(\d+) payment rows for a unit that is not in the enrollment export$/, (m) => `${m[1]} 行缴费记录所属单位不在参保登记中`],
  // rules/project-facts.sql: permits whose contractor cannot be linked.
  [
    /^contractor USCC (\S+) is not in the registry; listed without an employer$/,
    (m) => `施工单位统一社会信用代码 ${m[1]} 不在登记库中，按无单位列入新开工项目清单`,
  ],
  [/^contractor USCC (\S+) fails its check; listed without an employer$/, (m) => `施工单位统一社会信用代码 ${m[1]} 校验不通过，按无单位列入新开工项目清单`],
  [/^permit without a contractor USCC; listed without an employer$/, () => '施工许可无施工单位统一社会信用代码，按无单位列入新开工项目清单'],
  // link/persons.sql: no number in the text, the file and line say where.
  [
    /^resident ID (fails its check character|holds an impossible birth date|is not 18 characters \(or 15 digits\)) \((\d+) row\(s\) of "(.*)", first at line (\d+)\); not used as a key$/s,
    (m) => `身份证号码${zh(ID_ISSUE_ZH, m[1])}（文件“${m[3]}”中 ${m[2]} 行，首次出现在第 ${m[4]} 行），未用作人员关联依据`,
  ],
  [
    /^(\w+) = "(.*)" is not a known value \((\d+) rows, e\.g\. (.*) line (\d+)\)$/s,
    (m, kind) => `${columnZh(kind, m[1] as string)}“${m[2]}”不是已知的值（${m[3]} 行，例如 ${m[4]} 第 ${m[5]} 行）`,
  ],
  // ledger_data_quality, value_issues: `column = "value": reason, action (e.g. line N)`.
  [
    /^(\w+) = "(.*)": ([a-z ]+), (\w+) \(e\.g\. line (\d+)\)$/s,
    (m, kind) => `${columnZh(kind, m[1] as string)}“${m[2]}”${zh(REASON_ZH, m[3])}，${zh(ACTION_ZH, m[4])}（例如第 ${m[5]} 行）`,
  ],
  // ledger_data_quality, rejects: `[column: ]reason (e.g. line N)`.
  [/^(?:(\w+): )?(.+) \(e\.g\. line (\d+)\)$/s, (m, kind) => `${m[1] ? `${columnZh(kind, m[1])}：` : ''}${zh(REASON_ZH, m[2])}（例如第 ${m[3]} 行）`],
];

/**
 * A data-quality detail in Chinese (the English stays in the database): the known texts of
 * link.sql, rules.sql and ledger_data_quality, with column names as the export's Chinese
 * labels of `kind`. A text no pattern knows is returned as it is.
 */
export function detailZh(detail: unknown, kind?: unknown): string {
  if (detail === null || detail === undefined) return '';
  const text = String(detail);
  for (const [pattern, translate] of DETAILS) {
    const m = pattern.exec(text);
    if (m) return translate(m, kind);
  }
  return text;
}
