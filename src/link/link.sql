-- Linking (docs/rules.md, "Linking"): every record that names an employer is joined to one
-- employer by USCC, then organisation code, then a person's decision on a reviewed pair, then
-- exact normalised name within a district, then a registry employer's former name (曾用名)
-- within a district, then the name without its region prefix for records without a district,
-- then similar names within a district (blocked, so it never compares all pairs). Every link
-- keeps its method, score and rule. Similar names under the auto-accept threshold go to
-- link_review, not into employers; a pair a person judged "not the same" is never linked.
--
-- Scratch tables of these steps start with _ and live for the run's connection; the stage's
-- outputs are the tables employers, employer_links, employer_keys, link_records, link_review
-- and the run's dq_issues.

-- step: link.records
-- One row per source record that can name an employer. Keys: the USCC for registry rows, the
-- taxpayer id for tax rows (withholding agents of iit_detail too), the unit id for SI units.
-- Each source keeps the record's own district; tax rows have none but the one inside their code.
DELETE FROM link_records;
INSERT INTO link_records BY NAME
-- Traditional characters to simplified (opencc-js, a JS function) only for the few names that
-- have one; doing it here rather than updating the table afterwards saved 7 s at city size.
SELECT *, CASE WHEN recon_has_traditional(name_basic) THEN recon_simplify(name_basic) ELSE name_basic END AS name_norm FROM (
WITH raw AS (
  SELECT 'registration' AS source, coalesce(uscc, 'line:' || file_id || ':' || src_line) AS record_key,
         uscc AS code, name, district_code, street, legal_rep, entity_type AS type_text, status_class, established_on, employees,
         CAST(NULL AS VARCHAR) AS org_given
  FROM registration_current
  UNION ALL
  SELECT 'civil_org', coalesce(uscc, 'line:' || file_id || ':' || src_line), uscc, name, district_code, NULL, legal_rep, org_type,
         status_class, established_on, employees, NULL
  FROM civil_org_current
  UNION ALL
  SELECT 'tax_registration', taxpayer_id, taxpayer_id, name, NULL, NULL, NULL, NULL, status_class, registered_on, NULL, NULL
  FROM tax_registration_current
  UNION ALL
  -- Withholding agents missing from the tax registry still name an employer.
  SELECT 'tax_withholding', taxpayer_id, taxpayer_id, arg_max(name, period), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM tax_withholding_current
  WHERE taxpayer_id NOT IN (SELECT taxpayer_id FROM tax_registration_current)
  GROUP BY taxpayer_id
  UNION ALL
  -- So do the withholding agents of the person-level detail (个税全员全额扣缴申报明细) that
  -- neither tax export has: every agent is an employer.
  SELECT 'iit_detail', taxpayer_id, taxpayer_id, arg_max(agent_name, period), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM iit_detail_current
  WHERE taxpayer_id NOT IN (SELECT taxpayer_id FROM tax_registration_current) AND taxpayer_id NOT IN (SELECT taxpayer_id FROM tax_withholding_current)
  GROUP BY taxpayer_id
  UNION ALL
  -- An SI unit's own organisation code (组织机构代码, aab003; the printed form's hyphen dropped).
  SELECT 'si_unit', unit_id, any_value(uscc), mode(name), mode(district_code), NULL, NULL, NULL, NULL, min(enrolled_on), NULL,
         replace(mode(org_code), '-', '')
  FROM si_enrollment_current
  GROUP BY unit_id
),
-- Each code is checked once (the checks are the costly part), then the keys derive from that.
checked AS (
  SELECT *,
         CASE WHEN code IS NULL THEN 'missing' WHEN recon_uscc_valid(code) THEN 'uscc'
              WHEN (source LIKE 'tax%' OR source = 'iit_detail') AND recon_taxpayer_org_code(code) IS NOT NULL THEN 'legacy15'
              WHEN (source LIKE 'tax%' OR source = 'iit_detail') AND regexp_full_match(code, '\d{17}[\dX](\d{2})?|\d{15}(\d{2})?') THEN 'resident_id'
              ELSE 'invalid' END AS code_kind
  FROM raw)
SELECT source, record_key,
       CASE WHEN code_kind IN ('missing', 'invalid') THEN NULL ELSE code END AS code,
       name, district_code, street, legal_rep, type_text, status_class, established_on, employees, code_kind,
       recon_name_basic(name) AS name_basic,
       CASE WHEN code_kind = 'uscc' THEN code END AS uscc,
       CASE WHEN code_kind = 'uscc' THEN substr(code, 9, 9) WHEN code_kind = 'legacy15' THEN substr(code, 7, 9)
            -- A unit without a valid USCC: its own organisation code when its check character holds.
            WHEN org_given IS NOT NULL AND recon_org_code_valid(org_given) THEN org_given END AS org_code,
       CASE WHEN code_kind = 'uscc' THEN substr(code, 3, 6) WHEN code_kind = 'legacy15' THEN substr(code, 1, 6) END AS region
FROM checked);

-- step: link.uscc
-- Anchors: every valid USCC seen in any source is one employer.
CREATE OR REPLACE TEMP TABLE _links AS
SELECT source, record_key, 'uscc:' || uscc AS cluster, 'uscc' AS method, 1.0::DOUBLE AS score, 'same USCC' AS rule
FROM link_records WHERE uscc IS NOT NULL;

-- step: link.org_code
-- Legacy keys: a 15-character tax number or an SI unit's organisation code against the
-- organisation code inside an anchor's USCC; only a unique anchor counts.
CREATE OR REPLACE TEMP TABLE _anchor_org AS
SELECT org_code, min(uscc) AS uscc, count(DISTINCT uscc) AS n FROM link_records WHERE uscc IS NOT NULL GROUP BY org_code;
INSERT INTO _links
SELECT r.source, r.record_key, 'uscc:' || a.uscc, 'org_code', 1.0, 'organisation code = USCC chars 9-17'
FROM link_records r JOIN _anchor_org a ON a.org_code = r.org_code AND a.n = 1
WHERE r.uscc IS NULL;
INSERT INTO dq_issues
SELECT $run, 'ambiguous_org_code', r.source, r.record_key, r.name, NULL,
       'organisation code ' || r.org_code || ' is inside ' || a.n || ' different USCCs'
FROM link_records r JOIN _anchor_org a ON a.org_code = r.org_code AND a.n > 1 WHERE r.uscc IS NULL;

-- step: link.decisions
-- A person's decisions on reviewed pairs (link_decisions, the latest per pair), applied before
-- the name steps. 是同一单位 (same) links the record to the candidate's cluster (method
-- decision), unless a code link now puts the record in another cluster (the two carry
-- different valid codes: reported, not applied) or the candidate is gone (reported); of two
-- same decisions for one record the latest counts. 不是同一单位 (different) forbids the pair in
-- every name step (_forbidden). 无法确定 (unsure) changes nothing: the pair stays listed.
CREATE OR REPLACE TEMP TABLE _decisions AS
SELECT * FROM link_decisions
QUALIFY row_number() OVER (PARTITION BY source, record_key, candidate_cluster ORDER BY decided_on DESC, received_at DESC, file_row DESC) = 1;
CREATE OR REPLACE TEMP TABLE _same AS
SELECT * FROM _decisions WHERE decision = 'same'
QUALIFY row_number() OVER (PARTITION BY source, record_key ORDER BY decided_on DESC, received_at DESC, file_row DESC) = 1;
INSERT INTO dq_issues
SELECT $run, 'decision_contradicted', d.source, d.record_key, r.name, NULL,
       'judged the same employer as ' || d.candidate_cluster || ' by ' || coalesce(d.checker, '?') || ' on ' || strftime(d.decided_on, '%Y-%m-%d')
       || ', but its code now links it to ' || l.cluster || '; the decision is not applied'
FROM _same d JOIN _links l USING (source, record_key) JOIN link_records r USING (source, record_key)
WHERE l.cluster <> d.candidate_cluster;
INSERT INTO dq_issues
SELECT $run, 'decision_stale', d.source, d.record_key, r.name, NULL,
       'judged the same employer as ' || d.candidate_cluster || ', which no export names any more; the decision is not applied'
FROM _same d JOIN link_records r USING (source, record_key)
WHERE NOT EXISTS (SELECT 1 FROM _links l WHERE l.source = d.source AND l.record_key = d.record_key)
  AND NOT EXISTS (SELECT 1 FROM _links a WHERE a.cluster = d.candidate_cluster);
INSERT INTO _links
SELECT d.source, d.record_key, d.candidate_cluster, 'decision', 1.0,
       '人工确认 ' || strftime(d.decided_on, '%Y-%m-%d') || coalesce(' ' || nullif(trim(d.checker), ''), '')
FROM _same d JOIN link_records r USING (source, record_key)
WHERE NOT EXISTS (SELECT 1 FROM _links l WHERE l.source = d.source AND l.record_key = d.record_key)
  AND EXISTS (SELECT 1 FROM _links a WHERE a.cluster = d.candidate_cluster);
CREATE OR REPLACE TEMP TABLE _forbidden AS
SELECT DISTINCT source, record_key, candidate_cluster AS cluster FROM _decisions WHERE decision = 'different';

-- step: link.names.prepare
-- Names known for each anchor (every spelling its code-linked records use), with a district.
CREATE OR REPLACE TEMP TABLE _anchor_names AS
SELECT DISTINCT l.cluster, r.name_norm, coalesce(r.district_code, r.region) AS district
FROM _links l JOIN link_records r USING (source, record_key)
WHERE r.name_norm IS NOT NULL AND coalesce(r.district_code, r.region) IS NOT NULL;
CREATE OR REPLACE TEMP TABLE _unlinked AS
SELECT r.* FROM link_records r ANTI JOIN _links l USING (source, record_key) WHERE r.name_norm IS NOT NULL;

-- step: link.names.exact
CREATE OR REPLACE TEMP TABLE _exact AS
SELECT u.source, u.record_key, list(DISTINCT a.cluster) AS clusters
FROM _unlinked u JOIN _anchor_names a ON a.name_norm = u.name_norm AND a.district = coalesce(u.district_code, u.region)
ANTI JOIN _forbidden f ON f.source = u.source AND f.record_key = u.record_key AND f.cluster = a.cluster
GROUP BY u.source, u.record_key;
INSERT INTO _links
SELECT source, record_key, clusters[1], 'name_exact', 1.0, 'same normalised name in the same district'
FROM _exact WHERE len(clusters) = 1;
INSERT INTO dq_issues
SELECT $run, 'ambiguous_name', e.source, e.record_key, u.name, NULL,
       'the same name in the same district belongs to ' || len(e.clusters) || ' employers: ' || array_to_string(e.clusters, ', ')
FROM _exact e JOIN _unlinked u USING (source, record_key) WHERE len(e.clusters) > 1;

-- step: link.names.former
-- A registry employer's former names (曾用名, registration.former_names: several names split
-- on ; ； 、 |), normalised like names, count as its names for the exact step: a record that
-- no current name matched links when exactly one employer of its district had that name.
CREATE OR REPLACE TEMP TABLE _former_names AS
WITH f AS (
  SELECT l.cluster, coalesce(r.district_code, r.region) AS district, recon_name_basic(trim(x.former)) AS b
  FROM (SELECT uscc, unnest(regexp_split_to_array(former_names, '[;；、|]')) AS former
        FROM registration_current WHERE former_names IS NOT NULL AND uscc IS NOT NULL) x
  JOIN link_records r ON r.source = 'registration' AND r.record_key = x.uscc
  JOIN _links l ON l.source = r.source AND l.record_key = r.record_key
  WHERE trim(x.former) <> '')
SELECT DISTINCT cluster, district, CASE WHEN recon_has_traditional(b) THEN recon_simplify(b) ELSE b END AS name_norm
FROM f WHERE nullif(b, '') IS NOT NULL AND district IS NOT NULL;
CREATE OR REPLACE TEMP TABLE _former AS
SELECT u.source, u.record_key, list(DISTINCT a.cluster) AS clusters
FROM (SELECT * FROM _unlinked ANTI JOIN _exact USING (source, record_key)) u
JOIN _former_names a ON a.name_norm = u.name_norm AND a.district = coalesce(u.district_code, u.region)
ANTI JOIN _forbidden f ON f.source = u.source AND f.record_key = u.record_key AND f.cluster = a.cluster
GROUP BY u.source, u.record_key;
INSERT INTO _links
SELECT source, record_key, clusters[1], 'former_name', 1.0, 'same normalised name as a former name (曾用名) of the registry employer, in the same district'
FROM _former WHERE len(clusters) = 1;
INSERT INTO dq_issues
SELECT $run, 'ambiguous_former_name', e.source, e.record_key, u.name, NULL,
       'the name is a former name of ' || len(e.clusters) || ' employers in the district: ' || array_to_string(e.clusters, ', ')
FROM _former e JOIN _unlinked u USING (source, record_key) WHERE len(e.clusters) > 1;

-- step: link.names.city.regions
-- A record with no district at all (a taxpayer registered under an ID number): its name
-- without the region prefix, when exactly one employer in the city has that name, or else
-- exactly one in the district its own prefix names (常熟市汇优建材经营部 beside 张家港市汇优建材经营部).
-- The prefixes are the divisions of the anchors' cities only: a trade name such as 安远 or 顺昌
-- is also a county somewhere in China, and stripping it would merge 安远烟酒店 with 顺昌烟酒店.
CREATE OR REPLACE TEMP TABLE _region_names AS
WITH own AS (
  SELECT DISTINCT d.city_code, d.province_code FROM ref_division d
  WHERE d.level IN ('city', 'district') AND d.gb_code IN (SELECT DISTINCT district FROM _anchor_names))
SELECT DISTINCT d.code, d.level, d.name FROM ref_division d
WHERE (d.level = 'province' AND d.code IN (SELECT province_code FROM own))
   OR (d.level IN ('city', 'district') AND d.city_code IN (SELECT city_code FROM own));

-- step: link.names.city.divisions
SELECT DISTINCT name FROM _region_names;

-- step: link.names.city
-- $prefix: the region-prefix pattern of those divisions (names.ts regionPrefixPattern).
CREATE OR REPLACE TEMP TABLE _anchor_keys AS
SELECT DISTINCT cluster, district, regexp_replace(name_norm, $prefix, '') AS name_key FROM _anchor_names;
CREATE OR REPLACE TEMP TABLE _district_names AS
SELECT code, name FROM _region_names WHERE level = 'district'
UNION
SELECT code, regexp_replace(name, '(自治县|新区|市|区|县|旗)$', '') FROM _region_names
WHERE level = 'district' AND length(regexp_replace(name, '(自治县|新区|市|区|县|旗)$', '')) >= 2;
CREATE OR REPLACE TEMP TABLE _city AS
SELECT u.source, u.record_key, list(DISTINCT a.cluster) AS clusters,
       list(DISTINCT a.cluster) FILTER (WHERE n.code IS NOT NULL) AS in_named_district
FROM _unlinked u JOIN _anchor_keys a ON a.name_key = regexp_replace(u.name_norm, $prefix, '')
LEFT JOIN _district_names n ON n.code = a.district AND contains(regexp_extract(u.name_norm, $prefix), n.name)
ANTI JOIN _forbidden f ON f.source = u.source AND f.record_key = u.record_key AND f.cluster = a.cluster
WHERE coalesce(u.district_code, u.region) IS NULL AND length(a.name_key) >= 2
GROUP BY ALL;
INSERT INTO _links
SELECT source, record_key, clusters[1], 'name_city', 0.97,
       'same name without its region prefix, the only one in the city (the record has no district)'
FROM _city WHERE len(clusters) = 1;
INSERT INTO _links
SELECT source, record_key, in_named_district[1], 'name_city', 0.97,
       'same name without its region prefix, the only one in the district its prefix names (the record has no district)'
FROM _city WHERE len(clusters) > 1 AND len(in_named_district) = 1;

-- step: link.names.similar
-- Similar names, blocked on (district, first two characters of the core) or (district,
-- last two): a typo on one end still meets its twin on the other.
CREATE OR REPLACE TEMP TABLE _candidates AS
WITH u AS (
  SELECT source, record_key, name_norm, coalesce(district_code, region) AS district,
         recon_name_core(name_norm) AS core, recon_name_suffix(name_norm) AS suffix
  FROM _unlinked ANTI JOIN _exact USING (source, record_key) ANTI JOIN _links USING (source, record_key)
  WHERE coalesce(district_code, region) IS NOT NULL),
a AS (
  SELECT cluster, name_norm, district, recon_name_core(name_norm) AS core, recon_name_suffix(name_norm) AS suffix
  FROM _anchor_names),
pairs AS (
  SELECT u.*, a.cluster, a.name_norm AS anchor_name, a.core AS anchor_core, a.suffix AS anchor_suffix
  FROM u JOIN a ON a.district = u.district AND left(a.core, 2) = left(u.core, 2)
  UNION
  SELECT u.*, a.cluster, a.name_norm, a.core, a.suffix
  FROM u JOIN a ON a.district = u.district AND right(a.core, 2) = right(u.core, 2))
SELECT p.source, p.record_key, p.cluster, p.anchor_name, p.suffix = p.anchor_suffix AS same_suffix,
       max(recon_jaro_winkler(p.core, p.anchor_core)) AS score
FROM pairs p ANTI JOIN _forbidden f ON f.source = p.source AND f.record_key = p.record_key AND f.cluster = p.cluster
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE _best AS
SELECT source, record_key,
       arg_max(cluster, score) AS cluster, arg_max(anchor_name, score) AS anchor_name,
       arg_max(same_suffix, score) AS same_suffix, max(score) AS score,
       coalesce(list_sort([s FOR s IN list(score)], 'DESC')[2], 0) AS second
FROM (SELECT source, record_key, cluster, any_value(anchor_name) AS anchor_name, bool_or(same_suffix) AS same_suffix, max(score) AS score
      FROM _candidates GROUP BY ALL)
GROUP BY source, record_key;
INSERT INTO _links
SELECT source, record_key, cluster, 'name_similar', score,
       'similar name in the same district (character Jaro-Winkler of the name without its legal form >= ' || $accept || ', same legal form)'
FROM _best WHERE score >= $accept AND same_suffix AND score - second >= $margin;

-- step: link.review
-- The near misses, each pair under its stable id (link_review_pairs keeps every pair ever
-- listed, with the as-of date $as_of of the run that first listed it); a pair judged 无法确定
-- says so in its reason.
DELETE FROM link_review;
INSERT INTO link_review BY NAME
WITH listed AS (
  SELECT b.source, b.record_key, u.name, coalesce(u.district_code, u.region) AS district_code,
         b.anchor_name AS candidate_name, b.cluster AS candidate_cluster, round(b.score, 4) AS score,
         CASE WHEN NOT b.same_suffix THEN 'legal form differs' WHEN b.score - b.second < $margin THEN 'two candidates are as close'
              ELSE 'similarity under the auto-accept threshold' END AS reason,
         'P' || upper(substr(md5(b.source || chr(31) || b.record_key || chr(31) || b.cluster), 1, 10)) AS pair_id
  FROM _best b JOIN _unlinked u USING (source, record_key)
  WHERE b.score >= $review AND NOT (b.score >= $accept AND b.same_suffix AND b.score - b.second >= $margin)
    AND NOT EXISTS (SELECT 1 FROM _links l WHERE l.source = b.source AND l.record_key = b.record_key))
SELECT $run AS run_id, l.source, l.record_key, l.name, l.district_code, l.candidate_name, l.candidate_cluster, l.score,
       CASE WHEN d.decision = 'unsure'
            THEN '人工确认：无法确定（' || strftime(d.decided_on, '%Y-%m-%d') || coalesce(' ' || nullif(trim(d.checker), ''), '') || '）；' || l.reason
            ELSE l.reason END AS reason,
       l.pair_id, coalesce(p.first_listed, CAST($as_of AS DATE)) AS first_listed
FROM listed l LEFT JOIN link_review_pairs p USING (pair_id)
LEFT JOIN _decisions d ON d.source = l.source AND d.record_key = l.record_key AND d.candidate_cluster = l.candidate_cluster;
INSERT INTO link_review_pairs
SELECT pair_id, source, record_key, candidate_cluster, $run, first_listed, $run FROM link_review ANTI JOIN link_review_pairs USING (pair_id);
UPDATE link_review_pairs SET last_run = $run WHERE pair_id IN (SELECT pair_id FROM link_review);

-- step: link.own
-- Records that match nobody are employers of their own, keyed by their own id.
INSERT INTO _links
SELECT r.source, r.record_key,
       CASE r.source WHEN 'si_unit' THEN 'unit:' WHEN 'registration' THEN 'reg:' WHEN 'civil_org' THEN 'civil:' ELSE 'tax:' END || r.record_key,
       'own', 1.0, 'no other source matches: an employer of its own'
FROM link_records r ANTI JOIN _links l USING (source, record_key);

-- step: link.ids
-- Stable employer ids: a cluster keeps the id its keys had (USCC first, then organisation
-- code, unit id, taxpayer id), so an employer keeps its id when its name changes or a later
-- export adds its USCC. An id claimed by two clusters stays with the higher-priority key.
CREATE OR REPLACE TEMP TABLE _cluster_keys AS
SELECT DISTINCT cluster, key, priority FROM (
  SELECT cluster, cluster AS key, CASE WHEN cluster LIKE 'uscc:%' THEN 1 ELSE 3 END AS priority FROM _links
  UNION ALL
  SELECT l.cluster, 'org:' || r.org_code, 2 FROM _links l JOIN link_records r USING (source, record_key) WHERE r.org_code IS NOT NULL
  UNION ALL
  SELECT l.cluster, CASE WHEN l.source = 'si_unit' THEN 'unit:' ELSE 'tax:' END || l.record_key, 3
  FROM _links l WHERE l.source IN ('si_unit', 'tax_registration', 'tax_withholding', 'iit_detail'));
-- A cluster a person's decision joined keeps the older of its keys' ids (first seen earliest), then by priority.
CREATE OR REPLACE TEMP TABLE _claims AS
SELECT c.cluster,
       arg_min(k.employer_id, CASE WHEN d.cluster IS NULL THEN '' ELSE k.first_run END || '|' || c.priority || '|' || k.employer_id) AS employer_id,
       min(c.priority) AS priority
FROM _cluster_keys c JOIN employer_keys k USING (key)
LEFT JOIN (SELECT DISTINCT cluster FROM _links WHERE method = 'decision') d USING (cluster)
GROUP BY c.cluster;
CREATE OR REPLACE TEMP TABLE _assigned AS
SELECT cluster, employer_id FROM (
  SELECT cluster, employer_id, row_number() OVER (PARTITION BY employer_id ORDER BY priority, cluster) AS rank FROM _claims)
WHERE rank = 1;
CREATE OR REPLACE TEMP TABLE _fresh AS
SELECT cluster FROM (SELECT DISTINCT cluster FROM _links) ANTI JOIN _assigned USING (cluster) ORDER BY cluster;
INSERT INTO _assigned SELECT cluster, 'E' || lpad(CAST(nextval('employer_seq') AS VARCHAR), 8, '0') FROM _fresh;
-- Rebuilt rather than upserted: an INSERT OR REPLACE of two million keys through the primary
-- key index took seconds per hundred thousand. Keys not seen this run keep their old id.
CREATE OR REPLACE TEMP TABLE _keys_now AS
SELECT c.key, any_value(a.employer_id) AS employer_id
FROM (SELECT DISTINCT cluster, key FROM _cluster_keys) c JOIN _assigned a USING (cluster) GROUP BY c.key;
CREATE OR REPLACE TEMP TABLE _keys_rebuilt AS
SELECT n.key, n.employer_id, coalesce(k.first_run, $run) AS first_run, $run AS last_run
FROM _keys_now n LEFT JOIN employer_keys k USING (key)
UNION ALL
SELECT k.* FROM employer_keys k ANTI JOIN _keys_now n USING (key);
DELETE FROM employer_keys;
INSERT INTO employer_keys BY NAME SELECT * FROM _keys_rebuilt;
DELETE FROM employer_links;
INSERT INTO employer_links BY NAME
SELECT a.employer_id, l.source, l.record_key, l.method, round(l.score, 4) AS score, l.rule, r.name, r.name_norm,
       coalesce(r.district_code, r.region) AS district_code, r.code_kind
FROM _links l JOIN _assigned a USING (cluster) JOIN link_records r USING (source, record_key);

-- step: link.agents
-- Each withholding agent of iit_detail (taxpayer id and name as written) and its employer: the
-- one its taxpayer id's record links to (the tax registry's, else tax_withholding's, else its own).
DELETE FROM iit_agents;
INSERT INTO iit_agents BY NAME
SELECT a.taxpayer_id, a.agent_name, min(l.employer_id) AS employer_id
FROM (SELECT DISTINCT taxpayer_id, agent_name FROM iit_detail_current) a
JOIN employer_links l ON l.record_key = a.taxpayer_id AND l.source IN ('tax_registration', 'tax_withholding', 'iit_detail')
GROUP BY a.taxpayer_id, a.agent_name;

-- step: link.units
-- Every SI unit of the current enrollment (a unit that only pays, with no enrollment row, is
-- in no employer: payment_without_enrollment) and its employer.
DELETE FROM si_units;
INSERT INTO si_units BY NAME
SELECT record_key AS unit_id, min(employer_id) AS employer_id FROM employer_links WHERE source = 'si_unit' GROUP BY record_key;

-- step: link.fresh
SELECT count(*) AS n FROM _fresh;

-- step: link.employers
-- One row per employer, its attributes taken from the most authoritative source.
DELETE FROM employers;
INSERT INTO employers BY NAME
WITH ranked AS (
  SELECT l.employer_id, r.*,
         CASE r.source WHEN 'registration' THEN 1 WHEN 'civil_org' THEN 2 WHEN 'tax_registration' THEN 3
                       WHEN 'si_unit' THEN 4 ELSE 5 END AS source_rank,
         -- Ties (a USCC on two registry rows) broken by name and key: a re-run picks the same.
         -- A number, not a (rank, name, key) struct: with struct keys the ten arg_min states
         -- held every name twice and could not spill (out of memory at 3M employers in 3 GB);
         -- the sort that numbers the rows spills.
         row_number() OVER (ORDER BY source_rank, r.name, r.record_key, r.source) AS rank_key
  FROM employer_links l JOIN link_records r USING (source, record_key))
SELECT employer_id,
       arg_min(uscc, rank_key) FILTER (WHERE uscc IS NOT NULL) AS uscc,
       arg_min(org_code, rank_key) FILTER (WHERE org_code IS NOT NULL) AS org_code,
       arg_min(name, rank_key) AS name,
       arg_min(name_norm, rank_key) AS name_norm,
       recon_employer_kind(arg_min(uscc, rank_key) FILTER (WHERE uscc IS NOT NULL), arg_min(type_text, rank_key) FILTER (WHERE type_text IS NOT NULL)) AS kind,
       arg_min(coalesce(district_code, region), rank_key) FILTER (WHERE coalesce(district_code, region) IS NOT NULL) AS district_code,
       arg_min(street, rank_key) FILTER (WHERE street IS NOT NULL) AS street,
       arg_min(legal_rep, rank_key) FILTER (WHERE legal_rep IS NOT NULL) AS legal_rep,
       bool_or(source = 'registration') AS in_registration,
       bool_or(source = 'civil_org') AS in_civil,
       bool_or(source IN ('tax_registration', 'tax_withholding', 'iit_detail')) AS in_tax,
       bool_or(source = 'si_unit') AS in_si,
       count(*) AS records
FROM ranked GROUP BY employer_id;

-- step: link.conflicts
-- Data-quality reports from linking: bad codes, one USCC twice in a registry, names that disagree.
INSERT INTO dq_issues
SELECT $run, 'invalid_code', r.source, r.record_key, r.name, l.employer_id,
       'code ' || coalesce(raw.code_raw, '') || ' fails its check; not used as a key'
FROM (SELECT source, record_key, name FROM link_records WHERE code_kind = 'invalid') r
JOIN employer_links l USING (source, record_key)
LEFT JOIN (SELECT 'registration' AS source, uscc AS record_key, any_value(uscc_raw) AS code_raw FROM registration_current GROUP BY uscc
           UNION ALL SELECT 'civil_org', uscc, any_value(uscc_raw) FROM civil_org_current GROUP BY uscc
           UNION ALL SELECT 'si_unit', unit_id, any_value(uscc_raw) FROM si_enrollment_current GROUP BY unit_id
           UNION ALL SELECT 'tax_registration', taxpayer_id, any_value(taxpayer_id_raw) FROM tax_registration_current GROUP BY taxpayer_id
           UNION ALL SELECT 'tax_withholding', taxpayer_id, any_value(taxpayer_id_raw) FROM tax_withholding_current GROUP BY taxpayer_id
           UNION ALL SELECT 'iit_detail', taxpayer_id, any_value(taxpayer_id_raw) FROM iit_detail_current
                     WHERE taxpayer_id IN (SELECT record_key FROM link_records WHERE source = 'iit_detail' AND code_kind = 'invalid') GROUP BY taxpayer_id) raw
  USING (source, record_key);
INSERT INTO dq_issues
SELECT $run, 'invalid_org_code', 'si_unit', s.unit_id, any_value(s.name), any_value(l.employer_id),
       'organisation code ' || any_value(s.org_code_raw) || ' fails its check; not used as a key'
FROM si_enrollment_current s LEFT JOIN employer_links l ON l.source = 'si_unit' AND l.record_key = s.unit_id
WHERE s.org_code IS NOT NULL AND NOT recon_org_code_valid(replace(s.org_code, '-', ''))
GROUP BY s.unit_id;
INSERT INTO dq_issues
SELECT $run, 'duplicate_uscc', 'registration', uscc, string_agg(DISTINCT name, ' / '), NULL,
       count(*) || ' registry rows share this USCC'
FROM registration_current WHERE uscc IS NOT NULL GROUP BY uscc HAVING count(*) > 1;
INSERT INTO dq_issues
SELECT $run, 'name_conflict', l.source, l.record_key, l.name, l.employer_id,
       'USCC ' || e.uscc || ' is "' || e.name || '" in the registry but "' || l.name || '" here'
FROM employer_links l JOIN employers e USING (employer_id)
WHERE l.method = 'uscc' AND e.in_registration AND l.source <> 'registration'
  AND l.name_norm <> e.name_norm AND recon_jaro_winkler(l.name_norm, e.name_norm) < $below;
INSERT INTO dq_issues
SELECT $run, 'payment_without_enrollment', 'si_payment', unit_id, NULL, NULL,
       count(*) || ' payment rows for a unit that is not in the enrollment export'
FROM si_payment_current WHERE unit_id NOT IN (SELECT unit_id FROM si_enrollment_current) GROUP BY unit_id;

-- step: link.summary.methods
SELECT method, count(*) AS n FROM employer_links GROUP BY method ORDER BY method;

-- step: link.summary.dq
SELECT category, count(*) AS n FROM dq_issues WHERE run_id = $run GROUP BY category ORDER BY category;

-- step: link.summary.totals
SELECT (SELECT count(*) FROM link_records) AS records, (SELECT count(*) FROM employers) AS employers, (SELECT count(*) FROM link_review) AS review;
