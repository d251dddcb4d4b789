import type { RuleDefinition } from '../types.ts';

/** 缴费基数不实: declares a lower wage base than it pays. */
export const underDeclaredBase: RuleDefinition = {
  id: 'under_declared_base',
  title: '缴费基数不实',
  description:
    'Enrolled; over the months (of the 3 up to the closed month) with both a pension payment row and a withholding row: pension base total < 0.8 x withholding wages and the difference >= 10,000; or the average base per insured person below the base floor. docs/rules.md gives no severity: medium.',
  version: 1,
  params: {
    ratio: { default: 0.8, description: 'base below this share of wages counts', min: 0, max: 1 },
    min_diff: { default: 10000, description: 'smallest difference between wages and base, yuan, over the months', min: 0 },
  },
  requires: ['employer_facts.enrolled', 'employer_payments.base_total', 'employer_payments.insured_count', 'employer_withholding.wages'],
  exemptWhenClosed: true,
  amountFormula: '(个税收入额 - 养老缴费基数) x 单位养老费率',
  sql: `-- rule=under_declared_base
WITH months AS (
  SELECT p.employer_id, count(*) AS months, sum(p.base_total) AS base, sum(p.insured_count) AS insured, sum(w.wages) AS wages
  FROM employer_payments p JOIN employer_withholding w ON w.employer_id = p.employer_id AND w.period = p.period
  WHERE p.insurance_code = '110' AND p.period BETWEEN CAST(CAST($month AS DATE) - INTERVAL 2 MONTH AS DATE) AND CAST($month AS DATE)
  GROUP BY p.employer_id)
SELECT f.employer_id, 'medium' AS severity,
       round(greatest(m.wages - m.base, 0) * $rate_110, 2) AS amount,
       json_object('months', m.months, 'base_total', m.base, 'wages', m.wages, 'ratio', round(m.base / nullif(m.wages, 0), 4),
                   'base_per_person', round(m.base / nullif(m.insured, 0), 2), 'floor', $floor) AS evidence,
       '近' || m.months || '个月养老缴费基数' || CAST(round(m.base, 0) AS BIGINT) || '元，个税工资薪金收入'
         || CAST(round(m.wages, 0) AS BIGINT) || '元'
         || CASE WHEN m.base / nullif(m.insured, 0) < $floor
                 THEN '，人均缴费基数' || CAST(round(m.base / m.insured, 0) AS BIGINT) || '元低于下限' || CAST(round($floor, 0) AS BIGINT) || '元'
                 ELSE '，基数仅为收入的' || CAST(round(100 * m.base / m.wages, 1) AS VARCHAR) || '%' END AS evidence_text
FROM months m JOIN employer_facts f USING (employer_id)
WHERE f.enrolled
  AND ((m.base < $p_ratio * m.wages AND m.wages - m.base >= $p_min_diff) OR m.base / nullif(m.insured, 0) < $floor)`,
};
