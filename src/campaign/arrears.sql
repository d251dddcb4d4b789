-- Arrears work lists (arrears-lists.ts, RULES.md `arrears`): the table macro arrears_list_at(run)
-- over the arrears findings of a run, and one view per class over the latest run with findings
-- (arrears_writeoff, arrears_payment_plan, arrears_enforcement: ARREARS_LISTS). They read
-- findings, employers, employer_facts, ref_division and cases, so those must exist.
--
-- Placeholders, filled in arrears-lists.ts from code constants (never from data):
--   {{temp}}              'TEMP ' for a read-only database (the macro and views are then
--                         temporary, for the session), else nothing;
--   {{plan_instalments}}  the instalments of the suggested payment plan (PLAN_INSTALMENTS, 12);
--   {{view}}, {{class}}   (arrears.view, once per list) the view's name and its class as a literal.

-- step: arrears.list_at
-- One row per arrears finding of run p_run. Amounts are the rule's (src/rules/catalog/arrears.ts):
-- arrears up to the closed month M, the late fee to the as-of date D; total = arrears + late fee,
-- instalment = total / the plan's instalments. Contact and registry columns come from
-- employer_facts (the latest rules run).
CREATE OR REPLACE {{temp}}MACRO arrears_list_at(p_run) AS TABLE
SELECT f.run_id, f.as_of, f.month, f.evidence->>'class' AS class, f.case_id, f.employer_id, e.name, e.uscc, e.legal_rep,
       coalesce(dv.name, '未知区县') AS district_name, e.street, fa.phone, fa.address,
       fa.reg_status_text, fa.closed_on, fa.tax_status,
       TRY_CAST(f.evidence->>'months_owing' AS INTEGER) AS months_owing, f.evidence->>'since' AS since,
       CAST(f.amount AS DECIMAL(18, 2)) AS arrears,
       coalesce(TRY_CAST(f.evidence->>'late_fee' AS DECIMAL(18, 2)), 0) AS late_fee,
       CAST(f.amount AS DECIMAL(18, 2)) + coalesce(TRY_CAST(f.evidence->>'late_fee' AS DECIMAL(18, 2)), 0) AS total,
       round((CAST(f.amount AS DECIMAL(18, 2)) + coalesce(TRY_CAST(f.evidence->>'late_fee' AS DECIMAL(18, 2)), 0)) / {{plan_instalments}}, 2) AS instalment,
       f.severity, c.state AS case_state, c.opened_run
FROM findings f
JOIN employers e ON e.employer_id = f.employer_id
LEFT JOIN employer_facts fa ON fa.employer_id = f.employer_id
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = e.district_code
LEFT JOIN cases c ON c.case_id = f.case_id
WHERE f.run_id = p_run AND f.rule_id = 'arrears';

-- step: arrears.view
-- The list of one class for the latest run with findings (filled once per list).
CREATE OR REPLACE {{temp}}VIEW {{view}} AS SELECT * FROM arrears_list_at((SELECT max(run_id) FROM findings)) WHERE class = {{class}};
