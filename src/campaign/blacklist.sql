-- 失信联合惩戒候选名单 (blacklist.ts): the table macros blacklist_candidates_at(run) and
-- blacklist_evidence_at(run), and the views blacklist_candidates / blacklist_evidence over the
-- latest run with findings. They read findings, feedback, cases, case_events, employers and
-- ref_division, so those tables must exist.
--
-- Placeholders, filled in blacklist.ts from code constants (never from data):
--   {{temp}}             'TEMP ' for a read-only database (the macros and views are then
--                        temporary, for the session), else nothing;
--   {{rule_title}}       CASE f.rule_id WHEN <rule id> THEN <rule title> ... ELSE f.rule_id END,
--                        from the rule catalog (BUILTIN_RULES);
--   {{deadline_results}} the 核查结果 values that set a deadline (DEADLINE_RESULTS of
--                        cases/worklist-layout.ts) as a list: ('已督促', '限期整改').

-- step: blacklist.candidates_at
-- One row per candidate case of run p_run (as-of D = the as-of of its findings): the case's
-- latest applied feedback up to the run (by 核查日期, then receipt) is 已督促 or 限期整改 with a
-- 整改期限 before D, and the run still finds the case. Feedback counted is feedback applied by
-- the run or earlier, so an old run reproduces the list it had.
CREATE OR REPLACE {{temp}}MACRO blacklist_candidates_at(p_run) AS TABLE
WITH d AS (SELECT max(as_of) AS as_of FROM findings WHERE run_id = p_run),
fb AS (
  SELECT case_id, result, checked_on, deadline, checker, remarks, file, sheet, "row", run_id AS feedback_run, received_at
  FROM feedback WHERE status = 'applied' AND case_id IS NOT NULL AND run_id <= p_run),
last_fb AS (
  SELECT * FROM fb QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY checked_on DESC, received_at DESC, "row" DESC) = 1),
found AS (
  SELECT case_id, count(*) AS runs_found, min(as_of) AS first_found_on,
         string_agg(strftime(as_of, '%Y-%m-%d') || ' 批次' || run_id || ' 发现' || coalesce('，金额' || CAST(amount AS VARCHAR) || '元', ''), chr(10) ORDER BY run_id) AS findings_trail
  FROM findings WHERE run_id <= p_run GROUP BY case_id),
fb_trail AS (
  SELECT case_id, count(*) AS feedback_rows,
         string_agg(strftime(checked_on, '%Y-%m-%d') || ' ' || result || coalesce('，期限' || strftime(deadline, '%Y-%m-%d'), '')
                    || coalesce('，' || checker, '') || coalesce('，' || remarks, ''), chr(10) ORDER BY checked_on, received_at, "row") AS feedback_trail
  FROM fb GROUP BY case_id)
SELECT p_run AS run_id, d.as_of, c.case_id, c.employer_id, e.name, e.uscc,
       coalesce(dv.name, '未知区县') AS district_name, e.street, f.rule_id, {{rule_title}} AS rule_title,
       f.severity, f.amount, f.evidence_text,
       l.result, l.checked_on, l.deadline, date_diff('day', l.deadline, d.as_of) AS days_overdue, l.checker, l.remarks,
       l.file AS feedback_file, l.feedback_run,
       c.opened_run, found.first_found_on, found.runs_found, found.findings_trail, fb_trail.feedback_rows, fb_trail.feedback_trail
FROM last_fb l CROSS JOIN d
JOIN findings f ON f.case_id = l.case_id AND f.run_id = p_run
JOIN cases c ON c.case_id = l.case_id
JOIN employers e ON e.employer_id = c.employer_id
LEFT JOIN ref_division dv ON dv.level = 'district' AND dv.code = e.district_code
LEFT JOIN found ON found.case_id = l.case_id
LEFT JOIN fb_trail ON fb_trail.case_id = l.case_id
WHERE l.result IN {{deadline_results}} AND l.deadline IS NOT NULL AND l.deadline < d.as_of
ORDER BY district_name, days_overdue DESC, f.amount DESC NULLS LAST, c.case_id;

-- step: blacklist.evidence_at
-- The evidence trail of each candidate of run p_run: every finding, every feedback row (applied
-- or refused) and every case state change up to the run.
CREATE OR REPLACE {{temp}}MACRO blacklist_evidence_at(p_run) AS TABLE
WITH cand AS (SELECT case_id, name FROM blacklist_candidates_at(p_run)),
ev AS (
  SELECT f.case_id, f.as_of AS event_date, 1 AS event_order, '规则发现' AS event, f.run_id,
         {{rule_title}} AS rule_or_result, f.amount, NULL::DATE AS deadline, NULL AS checker, f.evidence_text AS detail, NULL AS source
  FROM findings f JOIN cand USING (case_id) WHERE f.run_id <= p_run
  UNION ALL
  -- The source is the returned file's name without its folder, its sheet and row.
  SELECT fb.case_id, fb.checked_on, 2, CASE WHEN fb.status = 'applied' THEN '网格反馈' ELSE '反馈被拒收' END, fb.run_id,
         fb.result, NULL, fb.deadline, fb.checker, concat_ws('；', fb.remarks, fb.reason),
         regexp_replace(fb.file, '^.*[/\\]', '') || ' ' || fb.sheet || '!' || CAST(fb."row" AS VARCHAR)
  FROM feedback fb JOIN cand USING (case_id) WHERE fb.run_id <= p_run
  UNION ALL
  -- Dated by the run's as-of date (as the findings are), not by the wall clock of the run.
  SELECT ce.case_id, coalesce((SELECT max(x.as_of) FROM findings x WHERE x.run_id = ce.run_id), CAST(ce.changed_at AS DATE)), 3, '案件状态', ce.run_id,
         coalesce(CASE ce.from_state WHEN 'new' THEN '新发现' WHEN 'open' THEN '核查中' WHEN 'reopened' THEN '重新列入' WHEN 'resolved' THEN '已消除' WHEN 'exempt' THEN '核查豁免' ELSE ce.from_state END || ' → ', '')
           || CASE ce.to_state WHEN 'new' THEN '新发现' WHEN 'open' THEN '核查中' WHEN 'reopened' THEN '重新列入' WHEN 'resolved' THEN '已消除' WHEN 'exempt' THEN '核查豁免' ELSE ce.to_state END,
         NULL, NULL, NULL,
         CASE ce.reason WHEN 'found' THEN '首次发现' WHEN 'still found' THEN '仍然发现' WHEN 'found again' THEN '再次发现'
                        WHEN 'found again with changed facts' THEN '事实变化后再次发现' WHEN 'no longer found' THEN '不再发现' ELSE ce.reason END,
         NULL
  FROM case_events ce JOIN cand USING (case_id) WHERE ce.run_id <= p_run)
SELECT ev.*, cand.name FROM ev JOIN cand USING (case_id)
ORDER BY case_id, event_date NULLS LAST, run_id, event_order, rule_or_result;

-- step: blacklist.views
-- The candidates and the evidence of the latest run with findings.
CREATE OR REPLACE {{temp}}VIEW blacklist_candidates AS SELECT * FROM blacklist_candidates_at((SELECT max(run_id) FROM findings));
CREATE OR REPLACE {{temp}}VIEW blacklist_evidence AS SELECT * FROM blacklist_evidence_at((SELECT max(run_id) FROM findings));
