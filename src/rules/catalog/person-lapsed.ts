import type { RuleDefinition } from '../types.ts';

/** 断缴人员 (续保提醒): stopped paying into the pension and is not working for anyone. */
export const personLapsed: RuleDefinition = {
  id: 'person_lapsed',
  subject: 'person',
  title: '断缴人员',
  description:
    "A 110 si_person row with status active or suspended (terminated: transferred out, settled or deceased, does not count); working age; not a pensioner; a last paid month before M-2 (nothing paid on any 110 row in the 3 months ending at M; never paid: no finding); no qualifying wage row in M from any agent, linked or not; no active resident_pension row (正常参保) for D's year. Belongs to the person alone; the employer exclusions do not apply. Low; medium when lapsed 12 months or more.",
  version: 1,
  params: {
    min_gap: { default: 3, description: 'months from the last paid month to M (3: last paid M-3 or earlier)', min: 1, integer: true },
    medium_months: { default: 12, description: 'lapsed this many months or more: medium', min: 1, integer: true },
  },
  requires: ['person_facts.open_110', 'person_facts.last_paid', 'person_facts.employee_in_m', 'person_facts.resident_active'],
  exemptWhenClosed: false,
  amountFormula: '无（规则未定义金额）',
  sql: `-- rule=person_lapsed
WITH found AS (
  SELECT person_key, last_paid, phone_known, date_diff('month', last_paid, CAST($month AS DATE)) AS months_lapsed
  FROM person_facts
  WHERE open_110 AND working_age AND NOT pensioner AND last_paid IS NOT NULL
    AND date_diff('month', last_paid, CAST($month AS DATE)) >= $p_min_gap
    AND NOT employee_in_m AND NOT resident_active)
SELECT '' AS employer_id, person_key,
       CASE WHEN months_lapsed >= $p_medium_months THEN 'medium' ELSE 'low' END AS severity,
       CAST(NULL AS DECIMAL(18, 2)) AS amount,
       json_object('last_paid_month', strftime(last_paid, '%Y-%m'), 'months_lapsed', months_lapsed, 'phone_known', phone_known) AS evidence,
       '职工养老保险最后缴费为' || strftime(last_paid, '%Y年%m月') || '，已断缴' || months_lapsed || '个月，'
         || strftime(CAST($month AS DATE), '%Y年%m月') || '无工资薪金申报，' || year(CAST($as_of AS DATE)) || '年度未参加城乡居民养老保险'
         || CASE WHEN phone_known THEN '（社保登记有联系电话）' ELSE '（社保登记无联系电话）' END AS evidence_text
FROM found`,
};
