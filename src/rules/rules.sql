-- The rules stage's own statements (runner.ts runs the catalog's rules between them).

-- step: rules.raw
-- What the rules return, before the exemptions. person_key is '' for an employer rule's row;
-- employer_id is '' for a person rule's row about the person alone. permit_no is '' for every
-- rule but a project rule (whose employer_id is the contractor, '' when it is not linked).
CREATE OR REPLACE TEMP TABLE _rule_raw (
  rule_id VARCHAR, rule_version INTEGER, amount_formula VARCHAR, employer_id VARCHAR, person_key VARCHAR, severity VARCHAR,
  amount DECIMAL(18, 2), evidence JSON, evidence_text VARCHAR, permit_no VARCHAR);

-- step: rules.bad_rows
SELECT rule_id, count(*) AS n FROM _rule_raw
WHERE severity IS NULL OR severity NOT IN ('high', 'medium', 'low') OR employer_id IS NULL OR person_key IS NULL OR permit_no IS NULL
   OR (list_contains(string_split($person_rules, ','), rule_id) AND person_key = '')
   OR (list_contains(string_split($project_rules, ','), rule_id) AND permit_no = '')
GROUP BY rule_id ORDER BY rule_id;

-- step: rules.exemptions
-- docs/rules.md "Not findings": these override every rule and never become worklist rows.
-- Each removed row is counted per rule and reason. A case a grid worker verified as exempt
-- stays out while the rule finds the same evidence (its facts have not changed). The employer
-- exemptions apply to the employer a finding belongs to; a person rule's row about the person
-- alone (employer_id '') has no employer facts, and only the verified exemption can apply. A
-- row naming an employer the run does not know is dropped, as before.
CREATE OR REPLACE TEMP TABLE _rule_classified AS
SELECT r.*,
       CASE WHEN f.established_on > CAST($as_of AS DATE) - to_days(CAST($min_age_days AS INTEGER)) THEN 'established_recently'
            WHEN f.kind = 'individual_business' AND f.h IS NULL THEN 'individual_without_headcount'
            WHEN f.closed AND list_contains($closed_exempt, r.rule_id) THEN 'closed_revoked_or_moved_out'
            WHEN c.state = 'exempt' AND c.exempt_evidence = CAST(r.evidence AS VARCHAR) THEN 'verified_exempt_by_grid_worker'
       END AS exemption
FROM _rule_raw r LEFT JOIN employer_facts f USING (employer_id) LEFT JOIN cases c USING (employer_id, rule_id, person_key, permit_no)
WHERE r.employer_id = '' OR f.employer_id IS NOT NULL;
INSERT INTO exemptions SELECT $run, rule_id, exemption, count(*) FROM _rule_classified WHERE exemption IS NOT NULL GROUP BY ALL ORDER BY ALL;
-- The stage's output, read by the cases stage (cases.ts): this run's findings, one per employer, rule, person and permit.
CREATE OR REPLACE TEMP TABLE _rule_findings AS SELECT * EXCLUDE (exemption) FROM _rule_classified WHERE exemption IS NULL;

-- step: rules.tallies
SELECT rule_id, count(*) FILTER (WHERE exemption IS NULL) AS found, count(*) FILTER (WHERE exemption IS NOT NULL) AS exempted
FROM _rule_classified GROUP BY rule_id;

-- step: rules.value_issues
-- Unknown status and type values from the current files, as data-quality issues (never mapped silently).
INSERT INTO dq_issues
SELECT $run, 'unknown_value', v.kind, NULL, NULL, NULL,
       v.column_name || ' = "' || v.value || '" is not a known value (' || count(*) || ' rows, e.g. ' || min(v.file_name) || ' line ' || min(v.line) || ')'
FROM value_issues v JOIN manifest m USING (file_id)
WHERE v.action = 'kept' AND m.status = 'loaded'
GROUP BY v.kind, v.column_name, v.value;

-- step: rules.params
SELECT base_floor, rate_110, rate_210, rate_310, rate_410, rate_510, maternity_separate FROM ref_local_params
WHERE CAST($month AS DATE) BETWEEN valid_from AND valid_to;
