-- People (docs/exports.md "Identity numbers"): every valid resident ID of the person-level kinds'
-- current data is one person, with a key that never changes ('P' + 9 digits, new people
-- numbered on from the largest key in ID order), the birth date and sex the ID holds, the
-- latest name seen and the runs that first and last saw them. A person no longer in the data
-- keeps their row and key. IDs that are not valid resident IDs are data-quality issues of their
-- source, reported by file and line, never by number or name.

-- step: link.persons.ids
-- One row per valid resident ID: its latest name (latest file, then line; the name of the
-- latest delivery wins whatever the kind).
CREATE OR REPLACE TEMP TABLE _person_ids AS
-- The order as one HUGEINT (as-of day, file, line): a struct key costs half as much again.
SELECT id_no,
       arg_max(person_name, (CAST(date_diff('day', DATE '1900-01-01', as_of) AS HUGEINT) * 10000000000 + file_id) * 100000000000 + src_line) AS person_name
FROM (
  SELECT id_no, person_name, as_of, file_id, src_line FROM iit_detail_current WHERE id_no IS NOT NULL
  UNION ALL SELECT id_no, person_name, as_of, file_id, src_line FROM si_person_current WHERE id_no IS NOT NULL
  UNION ALL SELECT id_no, person_name, as_of, file_id, src_line FROM resident_pension_current WHERE id_no IS NOT NULL
  UNION ALL SELECT id_no, person_name, as_of, file_id, src_line FROM assistance_current WHERE id_no IS NOT NULL)
GROUP BY id_no;

-- step: link.persons.seen
-- People already known: seen this run, under their latest name.
UPDATE persons SET person_name = n.person_name, last_run = $run
FROM _person_ids n WHERE n.id_no = persons.id_no;

-- step: link.persons.new
INSERT INTO persons BY NAME
SELECT 'P' || lpad(CAST((SELECT coalesce(max(CAST(substr(person_key, 2) AS BIGINT)), 0) FROM persons) + row_number() OVER (ORDER BY n.id_no) AS VARCHAR), 9, '0')
         AS person_key,
       n.id_no,
       recon_id_birth_n(CAST(left(n.id_no, 17) AS BIGINT)) AS birth_date,
       CASE WHEN CAST(substr(n.id_no, 17, 1) AS INTEGER) % 2 = 1 THEN 'M' ELSE 'F' END AS sex,
       n.person_name,
       $run AS first_run,
       $run AS last_run
FROM _person_ids n ANTI JOIN persons p USING (id_no);
DROP TABLE _person_ids;

-- step: link.persons.invalid_ids
-- A resident ID that is not valid (wrong length or characters, wrong check character, an
-- impossible birth date): one issue per file, number and reason, with the rows' count and first
-- line, and the employer of the row where there is one (the withholding agent's, the SI unit's).
INSERT INTO dq_issues
SELECT $run, 'invalid_id', x.kind, 'line:' || x.file_id || ':' || min(x.src_line), NULL, min(x.employer_id),
       CASE x.id_issue WHEN 'bad_check' THEN 'resident ID fails its check character'
                       WHEN 'bad_birth_date' THEN 'resident ID holds an impossible birth date'
                       ELSE 'resident ID is not 18 characters (or 15 digits)' END
       || ' (' || count(*) || ' row(s) of "' || m.file_name || '", first at line ' || min(x.src_line) || '); not used as a key'
FROM (
  SELECT 'iit_detail' AS kind, d.file_id, d.src_line, d.id_issue, d.id_no_raw, a.employer_id
  FROM iit_detail_current d
  LEFT JOIN iit_agents a ON a.taxpayer_id IS NOT DISTINCT FROM d.taxpayer_id AND a.agent_name IS NOT DISTINCT FROM d.agent_name
  WHERE d.id_issue IS NOT NULL
  UNION ALL
  SELECT 'si_person', s.file_id, s.src_line, s.id_issue, s.id_no_raw, u.employer_id
  FROM si_person_current s LEFT JOIN si_units u ON u.unit_id = s.unit_id WHERE s.id_issue IS NOT NULL
  UNION ALL
  SELECT 'resident_pension', file_id, src_line, id_issue, id_no_raw, NULL FROM resident_pension_current WHERE id_issue IS NOT NULL
  UNION ALL
  SELECT 'assistance', file_id, src_line, id_issue, id_no_raw, NULL FROM assistance_current WHERE id_issue IS NOT NULL) x
JOIN manifest m USING (file_id)
GROUP BY x.kind, x.file_id, m.file_name, x.id_issue, recon_code(x.id_no_raw);

-- step: link.persons.summary
SELECT (SELECT count(*) FROM persons WHERE last_run = $run) AS seen, (SELECT count(*) FROM persons WHERE first_run = $run) AS new;
