import type { RuleDefinition } from '../types.ts';

/** 纳税不缴费: withholds income tax for staff but is not insured. */
export const taxNotInsured: RuleDefinition = {
  id: 'tax_not_insured',
  title: '纳税不缴费',
  description:
    'Taxpayer status 正常, withholding headcount Hw >= 1 in the 3 months up to the closed month, not registered with SI, and not closed, revoked or moved out in the registry. Always high.',
  version: 1,
  params: {
    min_headcount: { default: 1, description: 'smallest withholding headcount that counts', min: 1, integer: true },
  },
  requires: ['employer_facts.taxpayer_active', 'employer_facts.hw', 'employer_facts.registered_si', 'employer_facts.closed'],
  exemptWhenClosed: true,
  amountFormula: '无（规则未定义金额）',
  sql: `-- rule=tax_not_insured
SELECT employer_id, 'high' AS severity, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       json_object('withholding_headcount', hw, 'withholding_months', w_months, 'tax_status', tax_status) AS evidence,
       '税务登记状态正常，近3个月个税扣缴申报最多' || hw || '人，未办理社会保险登记' AS evidence_text
FROM employer_facts
WHERE taxpayer_active AND hw >= $p_min_headcount AND NOT registered_si AND NOT closed`,
};
