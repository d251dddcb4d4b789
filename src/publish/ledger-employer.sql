-- ledger_employer for a run ($run, $as_of D, $month M, $min_age_days): per employer, what the
-- ledger's rates count (docs/rules.md, "Ledgers"). Reads the run's temporary payment facts
-- (_facts_payments, rules/facts.sql); analysts read the table, filled once per run.
DELETE FROM ledger_employer;
INSERT INTO ledger_employer BY NAME
WITH pay AS (
  SELECT p.employer_id,
         sum(p.amount_due) FILTER (WHERE p.period = CAST($month AS DATE)) AS due_m,
         sum(p.amount_paid) FILTER (WHERE p.period = CAST($month AS DATE)) AS paid_m,
         -- 征缴金额 of the targets: paid, all types, for the months of D's year up to D.
         sum(p.amount_paid) FILTER (WHERE year(p.period) = year(CAST($as_of AS DATE)) AND p.period <= CAST($as_of AS DATE)) AS collected_ytd
  FROM _facts_payments p GROUP BY p.employer_id)
SELECT $run AS run_id, e.employer_id, e.name, e.uscc, f.kind, coalesce(e.district_code, '') AS district_code,
       coalesce(dv.name, '未知区县') AS district_name, e.street,
       f.active,
       f.active AND (f.enrolled
         OR ((f.kind IN ('enterprise', 'farmer_coop', 'social_org') OR (f.kind = 'individual_business' AND coalesce(f.h >= 1, false)))
             AND coalesce(f.established_on <= CAST($as_of AS DATE) - to_days(CAST($min_age_days AS INTEGER)), false))) AS should_enroll,
       f.active AND f.enrolled AS enrolled,
       coalesce(pay.due_m, 0) AS due_m, coalesce(pay.paid_m, 0) AS paid_m,
       f.active AND f.enrolled AND coalesce(pay.due_m > 0 AND pay.paid_m >= pay.due_m, false) AS paid_in_full,
       coalesce(pay.collected_ytd, 0) AS collected_ytd
FROM employer_facts f JOIN employers e USING (employer_id)
LEFT JOIN ref_division dv ON dv.code = e.district_code
LEFT JOIN pay USING (employer_id);
