import type { RuleDefinition } from '../types.ts';

/** 注销仍参保: data clean-up, a closed entity still enrolled. */
export const closedStillEnrolled: RuleDefinition = {
  id: 'closed_still_enrolled',
  title: '注销仍参保',
  description:
    'Enrolled (pension active) while the registry says closed, revoked or moved out, since more than 30 days before the as-of date (or with no date). Low: a data clean-up.',
  version: 1,
  params: {
    min_days: { default: 30, description: 'days since closing before it counts', min: 0, integer: true },
  },
  requires: ['employer_facts.enrolled', 'employer_facts.closed', 'employer_facts.closed_on'],
  exemptWhenClosed: false,
  amountFormula: '无（数据清理）',
  sql: `-- rule=closed_still_enrolled
SELECT employer_id, 'low' AS severity, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       json_object('registry_status', coalesce(reg_status_text, civil_status), 'closed_on', closed_on) AS evidence,
       '登记状态为' || coalesce(reg_status_text, CASE civil_status WHEN 'closed' THEN '注销' ELSE '撤销' END)
         || coalesce('（' || strftime(closed_on, '%Y-%m-%d') || '）', '') || '，社保仍为参保缴费状态' AS evidence_text
FROM employer_facts
WHERE enrolled AND closed
  AND (closed_on IS NULL OR closed_on < CAST($as_of AS DATE) - to_days(CAST($p_min_days AS INTEGER)))`,
};
