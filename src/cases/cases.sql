-- Cases follow this run's findings (the rules stage's _rule_findings: employer_id, rule_id,
-- person_key, permit_no, evidence, ...). A case is (employer, rule, person, permit): person_key ''
-- for an employer rule, employer_id '' for a person rule's finding about the person alone;
-- permit_no '' for every rule but a project rule (employer_id: the contractor, or ''). A case keeps its id
-- whatever happens to it, so a rule that flaps reopens the same case instead of minting a new one:
--
--   found, no case                  -> new
--   found, new/open/reopened        -> open
--   found, resolved                 -> reopened
--   found, exempt                   -> reopened (the exemption step let it through: its facts changed)
--   not found, new/open/reopened    -> resolved
--
-- One statement per step, so the run log times each. New cases get their ids first, so the
-- transitions are built with every id in place (no UPDATE of 200k+ rows).

-- step: cases.new
CREATE OR REPLACE TEMP TABLE _case_new AS
SELECT 'C' || lpad(CAST(nextval('case_seq') AS VARCHAR), 8, '0') AS case_id, employer_id, rule_id, person_key, permit_no
FROM (SELECT employer_id, rule_id, person_key, permit_no FROM _rule_findings f ANTI JOIN cases c USING (employer_id, rule_id, person_key, permit_no)
      ORDER BY rule_id, employer_id, person_key, permit_no);

-- step: cases.transitions
CREATE OR REPLACE TEMP TABLE _case_transitions AS
SELECT coalesce(c.case_id, n.case_id) AS case_id, f.employer_id, f.rule_id, f.person_key, f.permit_no, c.state AS from_state,
       CASE WHEN c.case_id IS NULL THEN 'new'
            WHEN c.state IN ('new', 'reopened', 'open') THEN 'open'
            ELSE 'reopened' END AS to_state,
       CASE WHEN c.case_id IS NULL THEN 'found'
            WHEN c.state = 'exempt' THEN 'found again with changed facts'
            WHEN c.state = 'resolved' THEN 'found again'
            ELSE 'still found' END AS reason
FROM _rule_findings f LEFT JOIN cases c USING (employer_id, rule_id, person_key, permit_no) LEFT JOIN _case_new n USING (employer_id, rule_id, person_key, permit_no)
UNION ALL
SELECT c.case_id, c.employer_id, c.rule_id, c.person_key, c.permit_no, c.state, 'resolved', 'no longer found'
FROM cases c ANTI JOIN _rule_findings f USING (employer_id, rule_id, person_key, permit_no)
WHERE c.state IN ('new', 'open', 'reopened');

-- step: cases.insert
INSERT INTO cases (case_id, employer_id, rule_id, person_key, permit_no, state, opened_run, state_run, last_found_run)
SELECT case_id, employer_id, rule_id, person_key, permit_no, 'new', $run, $run, $run FROM _case_new;

-- step: cases.update
UPDATE cases c SET
  state = t.to_state,
  state_run = CASE WHEN t.from_state = t.to_state THEN c.state_run ELSE $run END,
  last_found_run = CASE WHEN t.to_state = 'resolved' THEN c.last_found_run ELSE $run END,
  reopen_count = c.reopen_count + CASE WHEN t.to_state = 'reopened' THEN 1 ELSE 0 END,
  exempt_evidence = CASE WHEN t.to_state = 'reopened' THEN NULL ELSE c.exempt_evidence END
FROM _case_transitions t WHERE t.case_id = c.case_id AND t.from_state IS NOT NULL;

-- step: cases.events
INSERT INTO case_events
SELECT case_id, $run, from_state, to_state, reason, current_timestamp FROM _case_transitions
WHERE from_state IS NULL OR from_state <> to_state;

-- step: cases.findings
-- The run's findings with their case ids.
INSERT INTO findings BY NAME
SELECT $run AS run_id, c.case_id, f.rule_id, f.rule_version, f.employer_id, f.person_key, f.permit_no, f.severity, f.amount, f.amount_formula,
       f.evidence, f.evidence_text, CAST($as_of AS DATE) AS as_of, CAST($month AS DATE) AS month
FROM _rule_findings f JOIN cases c USING (employer_id, rule_id, person_key, permit_no)
ORDER BY f.rule_id, f.employer_id, f.person_key, f.permit_no;

-- step: cases.counts
SELECT count(*) FILTER (WHERE to_state = 'new') AS opened, count(*) FILTER (WHERE to_state = 'resolved') AS resolved,
       count(*) FILTER (WHERE to_state = 'reopened') AS reopened FROM _case_transitions;

-- step: cases.views
-- The evaluation view of RULES.md ("Evaluation views"): the latest run's person findings with the
-- person's full ID (persons.id_no, normalised to 18 characters, upper-case X) and name, and the
-- USCC of the employer the finding belongs to ('' for none). The one place outside the kind
-- tables and persons that shows a full ID: `recon query` masks it unless --unmask.
CREATE OR REPLACE VIEW person_findings_latest AS
SELECT f.rule_id, p.id_no, p.person_name, coalesce(e.uscc, '') AS uscc, f.employer_id, f.case_id, f.severity, f.amount
FROM findings f JOIN persons p USING (person_key) LEFT JOIN employers e ON e.employer_id = nullif(f.employer_id, '')
WHERE f.run_id = (SELECT max(run_id) FROM findings) AND f.person_key <> '';
-- The project evaluation view (RULES.md "Evaluation views"): the latest run's findings about
-- building permits, with the USCC of the contractor as the permit gives it ('' for none) and
-- the employer it is linked to ('' when not linked).
CREATE OR REPLACE VIEW project_findings_latest AS
SELECT f.rule_id, f.permit_no, coalesce(pp.contractor_uscc, e.uscc, '') AS uscc, f.employer_id, f.case_id, f.severity, f.amount
FROM findings f LEFT JOIN project_permits pp USING (permit_no) LEFT JOIN employers e ON e.employer_id = nullif(f.employer_id, '')
WHERE f.run_id = (SELECT max(run_id) FROM findings) AND f.permit_no <> '';
