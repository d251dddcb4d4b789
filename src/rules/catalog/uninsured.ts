import type { RuleDefinition } from '../types.ts';

/** 未参保: registered, should be insured, is not. */
export const uninsured: RuleDefinition = {
  id: 'uninsured',
  title: '未参保',
  description:
    'Active employer (enterprise, farmer cooperative, social organisation, or individual business with headcount evidence H >= 1), established at least rules.min_age_days (30) days before the as-of date, not registered with SI (no enrollment row of any type that is active or suspended). High when H >= 1, else medium: a visit decides.',
  version: 2,
  params: {
    max_months: { default: 24, description: 'months of contributions counted in the estimate, at most', min: 1, integer: true },
  },
  requires: ['employer_facts.active', 'employer_facts.kind', 'employer_facts.h', 'employer_facts.established_on', 'employer_facts.registered_si'],
  exemptWhenClosed: true,
  amountFormula: 'max(H,1) x 缴费基数下限 x 单位养老费率 x 成立以来整月数(最多24)',
  sql: `-- rule=uninsured
SELECT employer_id,
       CASE WHEN h >= 1 THEN 'high' ELSE 'medium' END AS severity,
       round(greatest(coalesce(h, 0), 1) * $floor * $rate_110
             * least($p_max_months, greatest(1, date_sub('month', established_on, CAST($as_of AS DATE)))), 2) AS amount,
       json_object('headcount', h, 'headcount_source', CASE WHEN w_months > 0 THEN 'withholding' WHEN h IS NOT NULL THEN 'registry' END,
                   'established_on', established_on,
                   'months', least($p_max_months, greatest(1, date_sub('month', established_on, CAST($as_of AS DATE))))) AS evidence,
       '成立于' || strftime(established_on, '%Y-%m-%d') || '，'
         || CASE WHEN w_months > 0 THEN '近3个月个税申报最多' || h || '人'
                 WHEN h IS NOT NULL THEN '登记从业人数' || h || '人'
                 ELSE '无用工人数信息' END
         || '，未办理社会保险登记' AS evidence_text
FROM employer_facts
WHERE active
  -- An individual business without headcount evidence (h NULL) is let through so that the
  -- runner counts it as exempt (docs/rules.md "Not findings") instead of it silently vanishing.
  AND (kind IN ('enterprise', 'farmer_coop', 'social_org') OR (kind = 'individual_business' AND (h >= 1 OR h IS NULL)))
  AND established_on <= CAST($as_of AS DATE) - to_days(CAST($min_age_days AS INTEGER))
  AND NOT registered_si`,
};
