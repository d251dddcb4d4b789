import type { RuleDefinition } from '../types.ts';

/** 暂停参保仍在用工: pension suspended or terminated while staff are paid. */
export const suspendedActive: RuleDefinition = {
  id: 'suspended_active',
  title: '暂停参保仍在用工',
  description: 'Enrollment in pension (110) suspended or terminated, while the withholding headcount Hw >= 1. docs/rules.md gives no severity: high.',
  version: 1,
  params: {
    min_headcount: { default: 1, description: 'smallest withholding headcount that counts', min: 1, integer: true },
  },
  requires: ['employer_facts.status_110', 'employer_facts.hw'],
  exemptWhenClosed: true,
  amountFormula: '无（规则未定义金额）',
  sql: `-- rule=suspended_active
SELECT employer_id, 'high' AS severity, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       json_object('pension_status', status_110, 'withholding_headcount', hw) AS evidence,
       '养老保险' || CASE status_110 WHEN 'suspended' THEN '已暂停缴费' ELSE '已终止缴费' END
         || '，近3个月个税扣缴申报最多' || hw || '人' AS evidence_text
FROM employer_facts
WHERE status_110 IN ('suspended', 'terminated') AND hw >= $p_min_headcount`,
};
