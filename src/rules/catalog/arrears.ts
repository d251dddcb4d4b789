import type { RuleDefinition } from '../types.ts';

/** 欠费: owes contributions. */
export const arrears: RuleDefinition = {
  id: 'arrears',
  title: '欠费',
  description:
    'Sum of (amount_due - amount_paid) over all months up to the closed month >= 100. Class: closed (registration closed/revoked, or taxpayer 注销) -> write-off report; dormant (taxpayer 非正常/停业, or withholding headcount 0 for the last 6 months) -> payment plan; operating -> enforcement. Late fee 0.05% a day from the 16th of the month after each unpaid month to the as-of date. docs/rules.md gives no severity: operating high, dormant medium, closed low.',
  version: 1,
  params: {
    min_amount: { default: 100, description: 'smallest arrears, yuan', min: 0 },
    late_fee_rate: { default: 0.0005, description: 'late fee per day (滞纳金, 万分之五)', min: 0, max: 1 },
  },
  requires: [
    'employer_payments.amount_due',
    'employer_payments.amount_paid',
    'employer_facts.reg_status',
    'employer_facts.tax_status',
    'employer_facts.no_staff_6m',
  ],
  exemptWhenClosed: false,
  amountFormula: '∑(应缴 - 实缴)，另计滞纳金 = ∑ 每月欠费 x 0.05% x 自次月16日起至核查日天数',
  sql: `-- rule=arrears
WITH owed AS (
  SELECT employer_id, period, sum(amount_due - amount_paid) AS owed
  FROM employer_payments WHERE period <= CAST($month AS DATE) GROUP BY ALL),
total AS (
  SELECT employer_id, sum(owed) AS owed, count(*) FILTER (WHERE owed > 0) AS months, min(period) FILTER (WHERE owed > 0) AS since,
         sum(CASE WHEN owed > 0 THEN owed * $p_late_fee_rate
                   * greatest(0, date_diff('day', CAST(period + INTERVAL 1 MONTH + INTERVAL 15 DAY AS DATE), CAST($as_of AS DATE))) END) AS late_fee
  FROM owed GROUP BY employer_id),
classed AS (
  SELECT t.*, f.*,
         CASE WHEN f.reg_status IN ('closed', 'revoked') OR f.civil_status IN ('closed', 'revoked') OR f.tax_status = 'closed' THEN 'closed'
              WHEN f.tax_status IN ('abnormal', 'suspended') OR f.no_staff_6m THEN 'dormant'
              ELSE 'operating' END AS class
  FROM total t JOIN employer_facts f USING (employer_id))
SELECT employer_id,
       CASE class WHEN 'operating' THEN 'high' WHEN 'dormant' THEN 'medium' ELSE 'low' END AS severity,
       round(owed, 2) AS amount,
       json_object('arrears', round(owed, 2), 'late_fee', round(coalesce(late_fee, 0), 2), 'class', class, 'months_owing', months,
                   'since', strftime(since, '%Y-%m')) AS evidence,
       '截至' || strftime(CAST($month AS DATE), '%Y年%m月') || '累计欠缴社保费' || CAST(round(owed, 2) AS VARCHAR) || '元，滞纳金'
         || CAST(round(coalesce(late_fee, 0), 2) AS VARCHAR) || '元（'
         || CASE class WHEN 'closed' THEN '已注销/吊销，列入核销' WHEN 'dormant' THEN '停业或无用工，制定缴费计划' ELSE '正常经营，依法追缴' END || '）' AS evidence_text
FROM classed
WHERE owed >= $p_min_amount`,
};
