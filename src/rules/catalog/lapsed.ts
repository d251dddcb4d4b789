import type { RuleDefinition } from '../types.ts';

/** 断缴: stopped paying while still operating. */
export const lapsed: RuleDefinition = {
  id: 'lapsed',
  title: '断缴',
  description:
    'Nothing paid (no row, or amount_paid 0, over all types) in each of >= 3 consecutive months ending at the closed month; something paid in some month before that gap; still active in registration, or taxpayer 正常 with H >= 1. docs/rules.md gives no severity: high (an operating employer stopped paying).',
  version: 1,
  params: {
    min_gap: { default: 3, description: 'consecutive unpaid months ending at the closed month', min: 1, integer: true },
  },
  requires: ['employer_payments.amount_paid', 'employer_facts.active', 'employer_facts.taxpayer_active', 'employer_facts.h'],
  exemptWhenClosed: true,
  amountFormula: '无（规则未定义金额）',
  sql: `-- rule=lapsed
WITH paid AS (
  SELECT employer_id, max(period) AS last_paid
  FROM (SELECT employer_id, period, sum(amount_paid) AS paid FROM employer_payments WHERE period <= CAST($month AS DATE) GROUP BY ALL)
  WHERE paid > 0 GROUP BY employer_id)
SELECT f.employer_id, 'high' AS severity, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       json_object('last_paid_month', strftime(p.last_paid, '%Y-%m'), 'unpaid_months', date_diff('month', p.last_paid, CAST($month AS DATE))) AS evidence,
       '最后一次缴费为' || strftime(p.last_paid, '%Y年%m月') || '，已连续' || date_diff('month', p.last_paid, CAST($month AS DATE))
         || '个月未缴费，单位仍在经营' AS evidence_text
FROM paid p JOIN employer_facts f USING (employer_id)
WHERE date_diff('month', p.last_paid, CAST($month AS DATE)) >= $p_min_gap
  AND (f.active OR (f.taxpayer_active AND f.h >= 1))`,
};
