import type { RuleDefinition } from '../types.ts';

/** 未全员参保: insures fewer people than it pays. */
export const underEnrolled: RuleDefinition = {
  id: 'under_enrolled',
  title: '未全员参保',
  description:
    'Enrolled in pension; A = average withholding headcount over the months (of the 3 up to the closed month) that have a withholding row; A minus the pension insured count in the closed month (payment row, else enrollment row) is >= max(3, 10% of A). docs/rules.md gives no severity: medium.',
  version: 1,
  params: {
    min_gap: { default: 3, description: 'smallest gap in people', min: 0 },
    min_share: { default: 0.1, description: 'smallest gap as a share of A', min: 0, max: 1 },
    months: { default: 3, description: 'months of contributions in the estimate', min: 1, integer: true },
  },
  requires: ['employer_facts.enrolled', 'employer_facts.a_avg', 'employer_facts.insured_110', 'employer_facts.w_months'],
  exemptWhenClosed: true,
  amountFormula: '(A - 参保人数) x 缴费基数下限 x 单位养老费率 x 3',
  sql: `-- rule=under_enrolled
SELECT employer_id, 'medium' AS severity,
       round((a_avg - insured_110) * $floor * $rate_110 * $p_months, 2) AS amount,
       json_object('withholding_headcount_avg', round(a_avg, 2), 'withholding_months', w_months, 'insured', insured_110,
                   'gap', round(a_avg - insured_110, 2)) AS evidence,
       '税务个税申报' || CAST(round(a_avg, 1) AS VARCHAR) || '人，社保参保' || insured_110 || '人，相差'
         || CAST(round(a_avg - insured_110, 1) AS VARCHAR) || '人' AS evidence_text
FROM employer_facts
WHERE enrolled AND w_months > 0 AND insured_110 IS NOT NULL
  AND a_avg - insured_110 >= greatest($p_min_gap, $p_min_share * a_avg)`,
};
