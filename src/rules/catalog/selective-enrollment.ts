import type { RuleDefinition } from '../types.ts';

/** 选择性参保: some mandatory insurance types missing. */
export const selectiveEnrollment: RuleDefinition = {
  id: 'selective_enrollment',
  title: '选择性参保',
  description:
    'Enrolled in pension (110) but not enrolled (no row, or a row not active) in at least one other mandatory type: 210, 310, 410, and 510 where the local parameters say maternity is separate. High when 410 (work injury) is missing in a high-risk industry, else medium.',
  version: 2,
  params: {},
  requires: ['employer_facts.enrolled', 'employer_facts.active_types', 'employer_facts.industry_code', 'ref_industry.work_injury_high_risk'],
  exemptWhenClosed: true,
  amountFormula: '无（规则未定义金额）',
  sql: `-- rule=selective_enrollment
WITH f AS (
  SELECT f.*,
         list_filter(CASE WHEN $maternity_separate THEN ['210', '310', '410', '510'] ELSE ['210', '310', '410'] END,
                     lambda t: NOT list_contains(f.active_types, t)) AS missing,
         coalesce(i.work_injury_high_risk, false) AS high_risk
  FROM employer_facts f
  -- The division of C2614, E47 or 4710; or the section when the code is only its letter
  -- (行业门类代码): section B is all mining, so all of it is high-risk.
  LEFT JOIN ref_industry i
    ON i.code = CASE WHEN regexp_full_match(upper(f.industry_code), '[A-T]') THEN upper(f.industry_code)
                     ELSE regexp_extract(upper(f.industry_code), '^[A-T]?(\\d{2})', 1) END)
SELECT employer_id,
       CASE WHEN list_contains(missing, '410') AND high_risk THEN 'high' ELSE 'medium' END AS severity,
       CAST(NULL AS DECIMAL(18, 2)) AS amount,
       json_object('missing_types', missing, 'active_types', active_types, 'industry_code', industry_code, 'high_risk_industry', high_risk) AS evidence,
       '已参加养老保险，未参加'
         || array_to_string(list_transform(missing, lambda t: CASE t WHEN '210' THEN '失业保险' WHEN '310' THEN '医疗保险'
                                                               WHEN '410' THEN '工伤保险' WHEN '510' THEN '生育保险' END), '、')
         || CASE WHEN list_contains(missing, '410') AND high_risk THEN '（工伤高风险行业）' ELSE '' END AS evidence_text
FROM f
WHERE enrolled AND len(missing) > 0`,
};
