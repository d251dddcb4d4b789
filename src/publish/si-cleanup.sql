-- Cases referred to another office by a grid worker's answer (cases/answers.ts, effect 'refer';
-- docs/rules.md "Answers on returned worklists"), and the SI office's clean-up list they go on.
--
-- Placeholders, filled in si-cleanup.ts from code constants (never from data):
--   {{rule_title}}  CASE f.rule_id WHEN <rule id> THEN <rule title> ... ELSE f.rule_id END;
--   {{target}}      the referral target of this list (REFERRAL_TARGET of cases/answers.ts).

-- step: si_cleanup.referrals
-- The referrals that hold: the latest of each case, not ended by a later answer, on a case that
-- is still open and has not left the open states since it was referred (a case resolved and
-- found again is the grid worker's again).
CREATE OR REPLACE VIEW case_referrals_active AS
SELECT r.* FROM case_referrals r JOIN cases c USING (case_id)
WHERE r.ended_at IS NULL AND c.state IN ('new', 'open', 'reopened')
  AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = r.case_id AND e.changed_at > r.referred_at AND e.to_state IN ('resolved', 'exempt'))
QUALIFY row_number() OVER (PARTITION BY r.case_id ORDER BY r.referred_at DESC) = 1;

-- step: si_cleanup.list_at
-- 社保注销清理清单 of run p_run: one row per referred case the run still finds, with the
-- employer's SI unit ids (what the SI office looks up), the answer that referred it and what to do.
CREATE OR REPLACE MACRO si_cleanup_at(p_run) AS TABLE
WITH units AS (
  SELECT employer_id, string_agg(DISTINCT record_key, '、' ORDER BY record_key) AS unit_ids
  FROM employer_links WHERE source = 'si_unit' GROUP BY employer_id)
SELECT p_run AS run_id, f.case_id, f.employer_id, coalesce(dv.name, '未知区县') AS district_name, e.street, e.name, e.uscc, u.unit_ids,
       f.rule_id, {{rule_title}} AS rule_title, f.evidence_text, f.amount,
       r.result, r.checked_on, r.checker, r.remarks,
       regexp_replace(r.file, '^.*[/\\]', '') || ' ' || r.sheet || '!' || CAST(r."row" AS VARCHAR) AS source,
       CAST(r.referred_at AS DATE) AS referred_on,
       CASE r.result
         WHEN '无雇工' THEN '核实无用工后办理暂停缴费（减员）或注销参保；有欠费的先清欠或按程序核销'
         WHEN '已注销或迁出' THEN '核实注销或迁出后办理注销参保或关系转移；有欠费的向清算组申报或按程序核销'
         WHEN '查无此单位' THEN '按社保登记的联系方式核实单位是否存续；确已不存在的办理注销参保，欠费按程序核销'
         ELSE '核实后办理'
       END AS action
FROM case_referrals_active r
JOIN findings f ON f.case_id = r.case_id AND f.run_id = p_run
JOIN employers e ON e.employer_id = f.employer_id
LEFT JOIN units u ON u.employer_id = f.employer_id
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = e.district_code
WHERE r.target = {{target}}
ORDER BY district_name, e.street NULLS LAST, e.name, f.case_id;

-- step: si_cleanup.view
CREATE OR REPLACE VIEW si_cleanup_list AS SELECT * FROM si_cleanup_at((SELECT max(run_id) FROM findings));
