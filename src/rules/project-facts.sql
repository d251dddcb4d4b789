-- The project facts (RULES.md "project_uninsured", "Ledgers, per district"): the run's building
-- permits, their contractors as linked, and whether a project enrolment covers each. Rebuilt
-- each run into project_permits (project-facts.ts runs the steps in this order); the rule
-- project_uninsured, the project lists and ledger_project_district read it.

-- step: rules.project.names
-- The normalised project names (the employer name rules: NFKC, traditional to simplified,
-- brackets unified and kept, whitespace and other punctuation removed), computed in JS on the
-- distinct names of both kinds and handed over as JSON.
CREATE OR REPLACE TEMP TABLE _prj_names AS
SELECT n.name, n.name_key FROM (SELECT unnest(from_json(CAST($names AS JSON), '[{"name":"VARCHAR","name_key":"VARCHAR"}]'), recursive := true)) n;

-- step: rules.project.enrolments
-- Every project enrolment of si_project_current enrolled on or before D, whatever its status,
-- with its contractor's USCC: its own, else that of the employer its unit links to (si_units).
CREATE OR REPLACE TEMP TABLE _prj_enrolled AS
SELECT s.project_id, s.permit_no, n.name_key, s.enrolled_on,
       coalesce(s.contractor_uscc, nullif(e.uscc, '')) AS contractor_uscc
FROM si_project_current s
LEFT JOIN _prj_names n ON n.name = s.project_name
LEFT JOIN si_units u ON u.unit_id = s.unit_id
LEFT JOIN employers e ON e.employer_id = u.employer_id
WHERE s.enrolled_on <= CAST($as_of AS DATE);

-- step: rules.project.permits
-- One row per permit number (its earliest issued_on; then the earliest file and line), its
-- contractor linked by USCC (employer_id '' when the USCC fails its check or is not in the
-- registry: contractor_issue says which), and the enrolment that covers it: by the permit
-- number first, else by the contractor's USCC and the normalised project name.
DELETE FROM project_permits;
INSERT INTO project_permits BY NAME
WITH permits AS (
  SELECT * FROM construction_permit_current
  QUALIFY row_number() OVER (PARTITION BY permit_no ORDER BY issued_on NULLS LAST, file_id, src_line) = 1),
linked AS (
  SELECT p.*, n.name_key,
         CASE WHEN p.contractor_uscc IS NULL THEN 'missing_uscc'
              WHEN NOT recon_uscc_valid(p.contractor_uscc) THEN 'invalid_uscc'
              WHEN e.employer_id IS NULL THEN 'unknown_contractor' END AS contractor_issue,
         coalesce(e.employer_id, '') AS employer_id
  FROM permits p
  LEFT JOIN _prj_names n ON n.name = p.project_name
  LEFT JOIN (SELECT uscc, min(employer_id) AS employer_id FROM employers WHERE uscc IS NOT NULL AND uscc <> '' GROUP BY uscc) e
    ON e.uscc = p.contractor_uscc AND recon_uscc_valid(p.contractor_uscc)),
by_permit AS (
  SELECT permit_no, arg_min(project_id, (enrolled_on, project_id)) AS project_id, min(enrolled_on) AS enrolled_on
  FROM _prj_enrolled WHERE permit_no IS NOT NULL GROUP BY permit_no),
by_name AS (
  SELECT contractor_uscc, name_key, arg_min(project_id, (enrolled_on, project_id)) AS project_id, min(enrolled_on) AS enrolled_on
  FROM _prj_enrolled WHERE contractor_uscc IS NOT NULL AND name_key IS NOT NULL AND name_key <> '' GROUP BY contractor_uscc, name_key)
SELECT $run AS run_id, CAST($as_of AS DATE) AS as_of, l.permit_no, l.project_code, l.project_name, l.name_key, l.contractor_uscc, l.contractor_name,
       l.employer_id, l.contractor_issue, l.issued_on, l.contract_amount,
       coalesce(l.district_code, f.district_code) AS district_code, l.status,
       CASE WHEN bp.project_id IS NOT NULL THEN 'permit_no' WHEN bn.project_id IS NOT NULL THEN 'contractor_name' END AS insured_by,
       coalesce(bp.project_id, bn.project_id) AS project_id, coalesce(bp.enrolled_on, bn.enrolled_on) AS enrolled_on
FROM linked l
LEFT JOIN by_permit bp ON bp.permit_no = l.permit_no
LEFT JOIN by_name bn ON bn.contractor_uscc = l.contractor_uscc AND bn.name_key = l.name_key AND bp.project_id IS NULL
LEFT JOIN employer_facts f ON f.employer_id = nullif(l.employer_id, '')
ORDER BY l.permit_no;

-- step: rules.project.data_quality
-- Permits whose contractor cannot be linked (still findings, with no employer): reported once a
-- permit, by file and permit number.
INSERT INTO dq_issues
SELECT $run, 'project_contractor_' || CASE contractor_issue WHEN 'missing_uscc' THEN 'missing' WHEN 'invalid_uscc' THEN 'invalid' ELSE 'unknown' END,
       'construction_permit', permit_no, contractor_name, NULL,
       CASE contractor_issue
         WHEN 'missing_uscc' THEN 'permit without a contractor USCC; listed without an employer'
         WHEN 'invalid_uscc' THEN 'contractor USCC ' || contractor_uscc || ' fails its check; listed without an employer'
         ELSE 'contractor USCC ' || contractor_uscc || ' is not in the registry; listed without an employer' END
FROM project_permits WHERE contractor_issue IS NOT NULL ORDER BY permit_no;

-- step: rules.project.params
-- project_injury_rate of the period containing D (else M's); NULL: the default.
SELECT coalesce((SELECT project_injury_rate FROM ref_local_params WHERE CAST($as_of AS DATE) BETWEEN valid_from AND valid_to),
                (SELECT project_injury_rate FROM ref_local_params WHERE CAST($month AS DATE) BETWEEN valid_from AND valid_to)) AS injury_rate;
