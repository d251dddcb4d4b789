-- The office's person lists of a run (person-lists.ts): 续保提醒 (people who stopped paying into
-- the employees' pension, person_lapsed) and 代缴名单 (people the state should pay the residents'
-- pension for: assistance_not_covered, and those it pays for). Open cases of this run's findings
-- only (a verified or resolved case is not listed). Districts and streets: ledger_person_home
-- (ledger-views.ts), as the person ledger counts them.

-- step: person_lists.renewal
-- 续保提醒: one row per lapsed person, with the ID masked here (first 6 and last 4 characters, as
-- core/personal.ts masks one) and the phone as si_person has it (the purpose of the list): of the
-- person's rows with a phone, the one paid last.
WITH lapsed AS (
  SELECT f.case_id, f.person_key, f.severity, f.evidence->>'last_paid_month' AS last_paid_month,
         TRY_CAST(f.evidence->>'months_lapsed' AS INTEGER) AS months_lapsed
  FROM findings f JOIN cases c ON c.case_id = f.case_id AND c.state IN ('new', 'open', 'reopened')
  WHERE f.run_id = $run AND f.rule_id = 'person_lapsed' AND f.person_key <> ''
    AND f.case_id NOT IN (SELECT case_id FROM case_referrals_active)),
phones AS (
  SELECT p.person_key, max_by(trim(s.phone), coalesce(s.last_paid_period, DATE '0001-01-01')) AS phone
  FROM si_person_current s JOIN persons p ON p.id_no = s.id_no
  WHERE nullif(trim(s.phone), '') IS NOT NULL AND p.person_key IN (SELECT person_key FROM lapsed)
  GROUP BY p.person_key)
SELECT coalesce(pl.si_district, '') AS district_code, coalesce(dv.name, CASE WHEN pl.si_district IS NOT NULL THEN '区县' || pl.si_district END, '未知区县') AS district,
       pl.si_street AS street, p.person_name,
       CASE WHEN length(p.id_no) > 10 THEN left(p.id_no, 6) || repeat('*', length(p.id_no) - 10) || right(p.id_no, 4) ELSE repeat('*', length(p.id_no)) END AS id_masked,
       ph.phone, l.last_paid_month, l.months_lapsed, l.severity, l.case_id
FROM lapsed l JOIN persons p USING (person_key)
LEFT JOIN ledger_person_place pl USING (person_key)
LEFT JOIN phones ph USING (person_key)
LEFT JOIN ref_division dv ON dv.code = pl.si_district
ORDER BY coalesce(pl.si_district, '') = '', coalesce(pl.si_district, ''), pl.si_street NULLS LAST, l.months_lapsed DESC NULLS LAST, p.person_name, l.case_id;

-- step: person_lists.daijiao_due
-- 代缴名单, 待代缴: one row per open assistance_not_covered case, with the FULL ID (finance pays
-- from it; the workbook goes to the restricted folder), the categories and since date of the
-- finding, the person's street and community on the roll, the 参保状态 (未参保 / 已参保未代缴)
-- and the amount (the minimum tier).
WITH due AS (
  SELECT f.case_id, f.person_key, f.amount, f.evidence->>'category' AS category, f.evidence->>'since' AS since,
         f.evidence->>'status' AS status, TRY_CAST(f.evidence->>'year' AS INTEGER) AS year
  FROM findings f JOIN cases c ON c.case_id = f.case_id AND c.state IN ('new', 'open', 'reopened')
  WHERE f.run_id = $run AND f.rule_id = 'assistance_not_covered' AND f.person_key <> ''
    AND f.case_id NOT IN (SELECT case_id FROM case_referrals_active))
SELECT coalesce(h.district_code, '') AS district_code,
       coalesce(dv.name, CASE WHEN h.district_code IS NOT NULL THEN '区县' || h.district_code END, '未知区县') AS district, h.street, h.community,
       p.person_name, p.id_no, d.category, d.since, d.status, d.year, CAST(d.amount AS DOUBLE) AS amount, d.case_id
FROM due d JOIN persons p USING (person_key)
LEFT JOIN (SELECT * FROM ledger_person_home WHERE source = 'assistance') h USING (person_key)
LEFT JOIN ref_division dv ON dv.code = h.district_code
ORDER BY coalesce(h.district_code, '') = '', coalesce(h.district_code, ''), h.street NULLS LAST, h.community NULLS LAST, p.person_name, d.case_id;

-- step: person_lists.daijiao_done
-- 代缴名单, 已代缴: the people of the same population ($min_age <= age < $max_age, not a
-- pensioner, not an enrolled person, on a roll on D) whose residents' pension for $year is paid
-- by the state (a 政府代缴 row, any status), with what it paid. Reads the run's person facts.
WITH done AS (
  SELECT a.person_key, a.category_text, a.since
  FROM _pf_aid a JOIN _pf_person pf USING (person_key)
  WHERE pf.age >= $min_age AND pf.age < $max_age AND NOT pf.pensioner AND NOT pf.enrolled AND pf.daijiao),
paid AS (
  SELECT p.person_key, sum(r.paid_amount) AS paid
  FROM resident_pension_current r JOIN persons p ON p.id_no = r.id_no
  WHERE r.funding_class = 'government' AND r.year = $year AND p.person_key IN (SELECT person_key FROM done)
  GROUP BY p.person_key)
SELECT coalesce(h.district_code, '') AS district_code,
       coalesce(dv.name, CASE WHEN h.district_code IS NOT NULL THEN '区县' || h.district_code END, '未知区县') AS district, h.street, h.community,
       p.person_name, p.id_no, d.category_text AS category, strftime(d.since, '%Y-%m-%d') AS since, '已代缴' AS status,
       CAST($year AS INTEGER) AS year, CAST(pd.paid AS DOUBLE) AS amount, CAST(NULL AS VARCHAR) AS case_id
FROM done d JOIN persons p USING (person_key)
LEFT JOIN (SELECT * FROM ledger_person_home WHERE source = 'assistance') h USING (person_key)
LEFT JOIN ref_division dv ON dv.code = h.district_code
LEFT JOIN paid pd USING (person_key)
ORDER BY coalesce(h.district_code, '') = '', coalesce(h.district_code, ''), h.street NULLS LAST, h.community NULLS LAST, p.person_name, p.person_key;
