import type { RuleDefinition } from '../types.ts';

/** 未申报: enrolled but filed nothing for the closed month. */
export const notDeclared: RuleDefinition = {
  id: 'not_declared',
  title: '未申报',
  description:
    'Enrolled in pension (not suspended); a payment row exists for some earlier month but none (of any type) for the closed month. Assessed amount (社会保险法 art. 62): 110% of the amount due of the latest declared month. docs/rules.md gives no severity: medium.',
  version: 1,
  params: {
    assessment_ratio: { default: 1.1, description: 'share of the latest declared month assessed', min: 0 },
  },
  requires: ['employer_facts.enrolled', 'employer_payments.amount_due'],
  exemptWhenClosed: true,
  amountFormula: '上次申报月份应缴金额 x 110%',
  sql: `-- rule=not_declared
WITH p AS (
  SELECT employer_id, bool_or(period = CAST($month AS DATE)) AS has_month,
         max(period) FILTER (WHERE period < CAST($month AS DATE)) AS last_declared
  FROM employer_payments GROUP BY employer_id),
due AS (
  SELECT p.employer_id, p.last_declared, sum(e.amount_due) AS due
  FROM p JOIN employer_payments e ON e.employer_id = p.employer_id AND e.period = p.last_declared
  WHERE NOT p.has_month GROUP BY ALL)
SELECT f.employer_id, 'medium' AS severity, round(d.due * $p_assessment_ratio, 2) AS amount,
       json_object('last_declared_month', strftime(d.last_declared, '%Y-%m'), 'last_amount_due', d.due) AS evidence,
       strftime(CAST($month AS DATE), '%Y年%m月') || '未申报缴费，上次申报为' || strftime(d.last_declared, '%Y年%m月')
         || '（应缴' || CAST(d.due AS VARCHAR) || '元），按110%核定' AS evidence_text
FROM due d JOIN employer_facts f USING (employer_id)
WHERE f.enrolled`,
};
