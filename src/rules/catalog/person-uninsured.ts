import type { RuleDefinition } from '../types.ts';

/** 未参保职工 (漏保人员): paid wages, not insured. */
export const personUninsured: RuleDefinition = {
  id: 'person_uninsured',
  subject: 'person',
  title: '未参保职工',
  description:
    'Employed at E (a qualifying wage row at E in M-1 and M, not left on or before D); working age; not a pensioner; not an enrolled person (110/120 active), or enrolled with a last paid month before M-2; employed_on (when given) on or before D - 30 days. One finding per person and employer. High when E is enrolled (漏保 inside an insured unit), else medium. Employers in 停业/歇业/清算 are included.',
  version: 1,
  params: {
    hire_days: {
      default: 30,
      description: 'days from hiring (任职受雇从业日期) before the person must be insured (社会保险法 art. 58)',
      min: 0,
      integer: true,
    },
    months: { default: 12, description: 'months up to M whose wage rows at the employer count in the amount', min: 1, max: 12, integer: true },
  },
  requires: ['employer_facts.enrolled', 'person_jobs.mask', 'person_jobs.employed_on', 'person_facts.working_age', 'person_facts.last_paid'],
  exemptWhenClosed: true,
  amountFormula: '∑ 近12个月中在本单位有工资薪金申报的各月：当月缴费基数下限 x 单位养老费率',
  sql: `-- rule=person_uninsured
WITH found AS (
  SELECT j.person_key, j.employer_id, j.mask, j.employed_on, p.enrolled, p.last_paid, f.enrolled AS employer_enrolled
  FROM person_jobs j JOIN person_facts p USING (person_key) JOIN employer_facts f USING (employer_id)
  WHERE p.working_age AND NOT p.pensioner
    AND (NOT p.enrolled OR coalesce(p.last_paid < CAST(CAST($month AS DATE) - INTERVAL 2 MONTH AS DATE), false))
    AND (j.employed_on IS NULL OR j.employed_on <= CAST($as_of AS DATE) - to_days(CAST($p_hire_days AS INTEGER)))),
months AS (
  SELECT f.person_key, f.employer_id, count(*) AS n, list(strftime(m.period, '%Y-%m') ORDER BY m.period) AS months,
         min(m.period) AS first_month, sum(m.floor * m.rate_110) AS amount
  FROM found f JOIN person_months m ON (f.mask >> m.idx) & 1 = 1 AND m.idx < $p_months
  GROUP BY f.person_key, f.employer_id)
SELECT f.employer_id, f.person_key,
       CASE WHEN f.employer_enrolled THEN 'high' ELSE 'medium' END AS severity,
       round(m.amount, 2) AS amount,
       json_object('months_employed', m.n, 'months', m.months, 'employed_on', f.employed_on, 'enrolled_employer', f.employer_enrolled,
                   'person_enrolled', f.enrolled, 'last_paid_month', strftime(f.last_paid, '%Y-%m')) AS evidence,
       '近' || $p_months || '个月中有' || m.n || '个月在本单位领取工资薪金（' || strftime(m.first_month, '%Y年%m月') || '至'
         || strftime(CAST($month AS DATE), '%Y年%m月') || '）'
         || CASE WHEN f.employed_on IS NOT NULL THEN '，任职受雇日期' || strftime(f.employed_on, '%Y-%m-%d') ELSE '' END
         || CASE WHEN f.enrolled THEN '，已参加职工养老保险但最后缴费为' || strftime(f.last_paid, '%Y年%m月') ELSE '，未参加职工养老保险' END
         || CASE WHEN f.employer_enrolled THEN '（单位已参保，漏保）' ELSE '（单位未参保）' END AS evidence_text
FROM found f JOIN months m USING (person_key, employer_id)`,
};
