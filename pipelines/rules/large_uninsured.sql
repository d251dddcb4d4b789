-- An example of a rule of your own (enable it under `rules.custom` in nightly.yaml).
-- It may read every published table and the run's facts (employer_facts, employer_withholding,
-- employer_payments, employer_enrollment) and the parameters $as_of, $month, $floor, $rate_110.
-- It must return: employer_id, severity ('high'|'medium'|'low'), amount, evidence (JSON), evidence_text.
SELECT employer_id,
       'high' AS severity,
       round(hw * $floor * $rate_110 * 12, 2) AS amount,
       json_object('withholding_headcount', hw) AS evidence,
       '个税申报' || hw || '人以上的大型用人单位未参保' AS evidence_text
FROM employer_facts
WHERE active AND hw >= 50 AND NOT registered_si
