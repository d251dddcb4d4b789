import type { RuleDefinition } from '../types.ts';

/** 个人缴费基数不实: a person's pension base below the wages the employer pays them. */
export const personBaseLow: RuleDefinition = {
  id: 'person_base_low',
  subject: 'person',
  title: '个人缴费基数不实',
  description:
    'Employed at E, with an active 110 row at an SI unit linked to E whose base is known (the largest such base); I = average income at E over the months of M-2..M with a wage row there; W = min(I, the base cap of M); base < 0.8 x W and W - base >= 500. Amount (W - base) x the employer pension rate of M x 3. Medium. No age condition; pensioners are never subjects.',
  version: 1,
  params: {
    ratio: { default: 0.8, description: 'a base below this share of W counts', min: 0, max: 1 },
    min_diff: { default: 500, description: 'smallest W - base, yuan a month', min: 0 },
    months: { default: 3, description: 'months the monthly difference is counted for in the amount', min: 1, integer: true },
  },
  requires: ['person_jobs.base', 'person_jobs.s3', 'person_jobs.n3', 'person_facts.pensioner'],
  exemptWhenClosed: true,
  amountFormula: '(min(近3个月月均工资, 缴费基数上限) - 个人缴费基数) x 单位养老费率 x 3',
  sql: `-- rule=person_base_low
WITH measured AS (
  SELECT j.person_key, j.employer_id, j.base, j.s3, j.n3, j.months_employed,
         CAST($cap AS DECIMAL(18, 2)) AS cap, j.s3 >= j.n3 * CAST($cap AS DECIMAL(18, 2)) AS capped
  FROM person_jobs j JOIN person_facts p USING (person_key)
  WHERE NOT p.pensioner AND j.base IS NOT NULL AND j.n3 > 0),
-- Compared exactly (no rounding of I): base < ratio x W and W - base >= min_diff, with W = s3 / n3 or the cap.
found AS (
  SELECT *,
         CASE WHEN capped THEN cap - base ELSE (s3 - n3 * base) / n3 END AS gap
  FROM measured
  WHERE CASE WHEN capped THEN base < CAST($p_ratio AS DECIMAL(9, 6)) * cap AND cap - base >= CAST($p_min_diff AS DECIMAL(18, 2))
             ELSE base * n3 < CAST($p_ratio AS DECIMAL(9, 6)) * s3 AND s3 - n3 * base >= CAST($p_min_diff AS DECIMAL(18, 2)) * n3 END)
SELECT employer_id, person_key, 'medium' AS severity,
       round(gap * $rate_110 * $p_months, 2) AS amount,
       json_object('base', base, 'avg_income', round(s3 / n3, 2), 'w', round(CASE WHEN capped THEN cap ELSE s3 / n3 END, 2),
                   'months', n3, 'months_employed', months_employed, 'cap', cap) AS evidence,
       '个人养老缴费基数' || CAST(round(base, 0) AS BIGINT) || '元，近' || n3 || '个月在本单位月均工资薪金' || CAST(round(s3 / n3, 0) AS BIGINT) || '元'
         || CASE WHEN capped THEN '（高于缴费基数上限' || CAST(round(cap, 0) AS BIGINT) || '元，按上限计）' ELSE '' END
         || '，基数低于应缴基数的' || CAST(round(100 * $p_ratio, 0) AS BIGINT) || '%' AS evidence_text
FROM found`,
};
