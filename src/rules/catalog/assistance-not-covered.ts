import type { RuleDefinition } from '../types.ts';

/** 困难群体未代缴: a person the state should pay the residents' pension for, not covered. */
export const assistanceNotCovered: RuleDefinition = {
  id: 'assistance_not_covered',
  subject: 'person',
  title: '困难群体未代缴',
  description:
    "On an assistance roll of a listed category on D (since empty or <= D, until empty or >= D); 16 <= age < 60; not a pensioner; not an enrolled person; no resident_pension row for year Y with funding 政府代缴 (any status), Y = D's year from month rules.daijiao_from_month (7) on, else the year before. Amount: the local parameter resident_pension_min_tier. Medium. Belongs to the person alone.",
  version: 1,
  params: {
    min_age: { default: 16, description: 'youngest age (whole years on D) a 代缴 is due for', min: 0, integer: true },
    max_age: { default: 60, description: 'from this age on no 代缴 is due (pension age of the residents’ scheme)', min: 1, integer: true },
  },
  requires: ['person_assistance.categories', 'person_facts.daijiao', 'person_facts.enrolled'],
  exemptWhenClosed: false,
  amountFormula: '城乡居民养老保险最低缴费档次（本地参数 resident_pension_min_tier）',
  sql: `-- rule=assistance_not_covered
SELECT '' AS employer_id, a.person_key, 'medium' AS severity,
       round(CAST($min_tier AS DECIMAL(18, 2)), 2) AS amount,
       json_object('category', a.category_text, 'since', a.since,
                   'status', CASE WHEN p.resident_row_daijiao_year THEN '已参保未代缴' ELSE '未参保' END, 'year', $daijiao_year) AS evidence,
       a.category_text || CASE WHEN a.since IS NOT NULL THEN '（自' || strftime(a.since, '%Y-%m-%d') || '起）' ELSE '' END || '，'
         || $daijiao_year || '年度城乡居民养老保险'
         || CASE WHEN p.resident_row_daijiao_year THEN '已参保但未由政府代缴' ELSE '未参保，未由政府代缴' END AS evidence_text
FROM person_assistance a JOIN person_facts p USING (person_key)
WHERE p.age >= $p_min_age AND p.age < $p_max_age AND NOT p.pensioner AND NOT p.enrolled AND NOT p.daijiao`,
};
