-- The person ledger of a run ($run; $min_age, $max_age: the ages a 代缴 is due for,
-- assistance_not_covered's parameters): per district and a 合计 row (district_code NULL), kept
-- per run in ledger_person_district (the ledger_person view, the 人员参保 sheet, summary.html and
-- the monthly bulletin read it). Counted from the run's person facts, the ones the person rules
-- read (src/rules/person-facts.sql: _pf_jobs, _pf_person, _pf_aid), so a rate and the findings
-- behind it never disagree. District of a wage earner: their employer's (a person employed in
-- two districts counts in each, once in 合计); of a lapsed person: their SI row's
-- (ledger_person_place); of an assistance person: their roll's (ledger_person_home).

-- step: ledger.person.district
DELETE FROM ledger_person_district WHERE run_id = $run;
INSERT INTO ledger_person_district BY NAME
WITH jobs AS (
  SELECT DISTINCT j.person_key, coalesce(e.district_code, '') AS district_code, coalesce(pf.enrolled, false) AS enrolled
  FROM _pf_jobs j JOIN employers e USING (employer_id) LEFT JOIN _pf_person pf USING (person_key)),
wage AS (
  SELECT CASE WHEN grouping(district_code) = 1 THEN '合计' ELSE district_code END AS k,
         count(DISTINCT person_key) AS wage_earners, count(DISTINCT person_key) FILTER (WHERE enrolled) AS wage_earners_enrolled
  FROM jobs GROUP BY GROUPING SETS ((district_code), ())),
lapsed_people AS (
  SELECT DISTINCT f.person_key, coalesce(h.si_district, '') AS district_code
  FROM findings f LEFT JOIN ledger_person_place h USING (person_key)
  WHERE f.run_id = $run AND f.rule_id = 'person_lapsed' AND f.person_key <> ''),
lapsed AS (
  SELECT CASE WHEN grouping(district_code) = 1 THEN '合计' ELSE district_code END AS k, count(DISTINCT person_key) AS lapsed
  FROM lapsed_people GROUP BY GROUPING SETS ((district_code), ())),
aid_people AS (
  SELECT a.person_key, coalesce(h.district_code, '') AS district_code, pf.daijiao
  FROM _pf_aid a JOIN _pf_person pf USING (person_key)
  LEFT JOIN (SELECT person_key, district_code FROM ledger_person_home WHERE source = 'assistance') h USING (person_key)
  WHERE pf.age >= $min_age AND pf.age < $max_age AND NOT pf.pensioner AND NOT pf.enrolled),
aid AS (
  SELECT CASE WHEN grouping(district_code) = 1 THEN '合计' ELSE district_code END AS k,
         count(DISTINCT person_key) AS assistance, count(DISTINCT person_key) FILTER (WHERE daijiao) AS assistance_covered
  FROM aid_people GROUP BY GROUPING SETS ((district_code), ())),
keys AS (
  SELECT DISTINCT coalesce(district_code, '') AS k FROM employers
  UNION SELECT k FROM wage UNION SELECT k FROM lapsed UNION SELECT k FROM aid UNION SELECT '合计')
SELECT $run AS run_id, CASE WHEN keys.k = '合计' THEN NULL ELSE keys.k END AS district_code,
       CASE WHEN keys.k = '合计' THEN '合计' ELSE coalesce(dv.name, '未知区县') END AS district_name,
       coalesce(wage.wage_earners, 0) AS wage_earners, coalesce(wage.wage_earners_enrolled, 0) AS wage_earners_enrolled,
       coalesce(lapsed.lapsed, 0) AS lapsed, coalesce(aid.assistance, 0) AS assistance, coalesce(aid.assistance_covered, 0) AS assistance_covered,
       CAST(current_timestamp AS TIMESTAMP) AS recorded_at
FROM keys LEFT JOIN wage USING (k) LEFT JOIN lapsed USING (k) LEFT JOIN aid USING (k)
LEFT JOIN ref_division dv ON dv.code = keys.k;

-- step: ledger.person.district_without_facts
-- A run without person facts (no person rule ran): the districts, counts NULL (unknown, not 0).
DELETE FROM ledger_person_district WHERE run_id = $run;
INSERT INTO ledger_person_district BY NAME
WITH keys AS (SELECT DISTINCT coalesce(district_code, '') AS k FROM employers UNION SELECT '合计')
SELECT $run AS run_id, CASE WHEN keys.k = '合计' THEN NULL ELSE keys.k END AS district_code,
       CASE WHEN keys.k = '合计' THEN '合计' ELSE coalesce(dv.name, '未知区县') END AS district_name,
       CAST(NULL AS BIGINT) AS wage_earners, CAST(NULL AS BIGINT) AS wage_earners_enrolled, CAST(NULL AS BIGINT) AS lapsed,
       CAST(NULL AS BIGINT) AS assistance, CAST(NULL AS BIGINT) AS assistance_covered, CAST(current_timestamp AS TIMESTAMP) AS recorded_at
FROM keys LEFT JOIN ref_division dv ON dv.code = keys.k;

-- step: ledger.person.has_facts
-- Whether the rules stage left the person facts (only when a person rule ran).
SELECT count(*) = 3 AS has_facts FROM duckdb_tables() WHERE temporary AND table_name IN ('_pf_person', '_pf_jobs', '_pf_aid');
