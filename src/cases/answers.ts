import { EXEMPTING_RESULTS, PERSON_RESULT_VALUES, RESULT_VALUES, type PersonResultValue, type ResultValue } from './worklist-layout.ts';

/**
 * What a grid worker's answer (核查结果) does to a case, per rule (docs/rules.md, "Answers on
 * returned worklists"). An answer means what it says: it closes a case only when it refutes the
 * finding with a fact the worker is the best source for; an answer that confirms the finding
 * never closes it.
 *
 * - `exempt`: the answer refutes the finding (nobody to insure, the business is gone or was
 *   never there) for an employer unknown to SI: the case is exempt until its facts change.
 * - `open`: recorded, the case stays on the worklist (with 上次核查) until the data shows the
 *   problem fixed. 已参保 is a claim the next SI export proves; a headcount from the employer's
 *   own tax or SI filings is not refuted by an empty office.
 * - `refer`: the answer confirms a problem whose fix is the SI office's: an employer that is
 *   gone or has no staff but whose SI enrollment (or contributions) run on. The case stays open
 *   and keeps being found, leaves the worklists, and goes on 社保注销清理清单 (campaign/) until
 *   it is resolved or answered again.
 */
export type AnswerEffect = 'exempt' | 'open' | 'refer';

/** Where a referred case goes: the SI office's clean-up list (社保注销清理清单). */
export const REFERRAL_TARGET = 'si_cleanup';

type Row = Record<ResultValue, AnswerEffect>;
const row = (over: Partial<Row>): Row => ({
  已参保: 'open',
  已督促: 'open',
  限期整改: 'open',
  无雇工: 'open',
  已注销或迁出: 'open',
  查无此单位: 'open',
  其他: 'open',
  ...over,
});

/** Rules about employers SI does not know (not registered): the worker's finding on the spot is the best evidence. */
const NOT_REGISTERED = row({ 无雇工: 'exempt', 已注销或迁出: 'exempt', 查无此单位: 'exempt' });
/** Rules about enrolled employers: gone or not found means the SI office must clear its own record. */
const ENROLLED = row({ 已注销或迁出: 'refer', 查无此单位: 'refer' });
/** Enrolled employers that stopped paying or declaring: no staff means the SI office suspends or ends the enrollment. */
const ENROLLED_NOT_PAYING = row({ 无雇工: 'refer', 已注销或迁出: 'refer', 查无此单位: 'refer' });

/** The table, per built-in rule (test/cases/answers.test.ts checks every rule of the catalog has a row). */
export const ANSWER_EFFECTS: Readonly<Record<string, Row>> = {
  // Not registered with SI, should be: no staff, closed or not there refutes it.
  uninsured: NOT_REGISTERED,
  // Withholds income tax for staff: the tax returns show paid staff, 无雇工 does not refute them.
  tax_not_insured: row({ 已注销或迁出: 'exempt', 查无此单位: 'exempt' }),
  // Headcount and wages from withholding returns, insured counts from SI: 无雇工 does not refute them.
  under_enrolled: ENROLLED,
  under_declared_base: ENROLLED,
  selective_enrollment: ENROLLED,
  suspended_active: ENROLLED,
  // A debt stays owed whoever is at the address: gone or not found, the SI office clears or writes it off.
  arrears: ENROLLED,
  lapsed: ENROLLED_NOT_PAYING,
  not_declared: ENROLLED_NOT_PAYING,
  // Registry closed or moved out, SI still enrolled: every answer that says "gone" confirms it.
  closed_still_enrolled: ENROLLED_NOT_PAYING,
};

/**
 * Answers about a person (人员清单, and the 代缴 list's 已代缴): the worklist's results plus
 * 已代缴, which the office records for a person the 代缴 list covered.
 */
export const PERSON_ANSWERS = [...PERSON_RESULT_VALUES, '已代缴'] as const;
export type PersonAnswer = PersonResultValue | '已代缴';
type PersonRow = Record<PersonAnswer, AnswerEffect>;

/**
 * A person a grid worker or the office has verified (RULES.md "Not findings": 已参保, 已离职,
 * 非本单位人员, 退休返聘, 已代缴) is exempt until the evidence changes; 其他 keeps the case open.
 * The same for every person rule: each answer is a fact about the person that refutes the
 * finding as it stands (enrolled now, no longer or never employed there, a re-employed
 * pensioner, the 代缴 paid), and a change in the data (a wage row of a new month, another
 * payment month) brings it back.
 */
const PERSON_VERIFIED: PersonRow = { 已参保: 'exempt', 已离职: 'exempt', 非本单位人员: 'exempt', 退休返聘: 'exempt', 已代缴: 'exempt', 其他: 'open' };

/** The person rules' table (test/cases/answers.test.ts and test/rules/person-cases.test.ts). */
export const PERSON_ANSWER_EFFECTS: Readonly<Record<string, PersonRow>> = {
  person_uninsured: PERSON_VERIFIED,
  person_base_low: PERSON_VERIFIED,
  person_lapsed: PERSON_VERIFIED,
  assistance_not_covered: PERSON_VERIFIED,
};

/** Rules outside the table (custom rules): the 0.2 behaviour, exempting results exempt. */
const DEFAULT_ROW: Row = row(Object.fromEntries(EXEMPTING_RESULTS.map((r) => [r, 'exempt'])) as Partial<Row>);

/** What `result` does to a case of `ruleId` (undefined for a result not in the rule's list: such rows are rejected). */
export function answerEffect(ruleId: string, result: string): AnswerEffect | undefined {
  const person = PERSON_ANSWER_EFFECTS[ruleId];
  if (person) return (PERSON_ANSWERS as readonly string[]).includes(result) ? person[result as PersonAnswer] : undefined;
  if (!(RESULT_VALUES as readonly string[]).includes(result)) return undefined;
  return (ANSWER_EFFECTS[ruleId] ?? DEFAULT_ROW)[result as ResultValue];
}

/** Chinese name of an effect, as the 说明 sheet and the docs show it. */
export const EFFECT_LABEL: Record<AnswerEffect, string> = {
  exempt: '核销（暂不再列出，数据变化后重新列出）',
  open: '保留在清单上（直到数据显示问题已解决）',
  refer: '转社保经办机构（列入社保注销清理清单，不再列在本清单）',
};

/**
 * The table as lines for the 说明 sheet: per answer, which rules it exempts, keeps open or
 * refers, with the rules' Chinese titles. Answers that keep every rule open are one line.
 */
export function answerTableLines(titles: ReadonlyMap<string, string>): Array<[string, string]> {
  const rules = Object.keys(ANSWER_EFFECTS);
  const name = (id: string): string => titles.get(id) ?? id;
  const out: Array<[string, string]> = [];
  const allOpen = RESULT_VALUES.filter((r) => rules.every((id) => answerEffect(id, r) === 'open'));
  if (allOpen.length) out.push([allOpen.join('、'), `所有问题：${EFFECT_LABEL.open}`]);
  for (const result of RESULT_VALUES.filter((r) => !allOpen.includes(r))) {
    const parts: string[] = [];
    for (const effect of ['exempt', 'refer', 'open'] as const) {
      const ids = rules.filter((id) => answerEffect(id, result) === effect);
      if (ids.length) parts.push(`${ids.map(name).join('、')}：${EFFECT_LABEL[effect]}`);
    }
    out.push([result, parts.join('；')]);
  }
  return out;
}
