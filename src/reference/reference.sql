-- Reference data, reloaded by every run so that it always sees the files as they are now.
-- all_varchar keeps codes as text: 110101001 must not become a number, nor 01 lose its zero.
-- gb_code is the 6-digit GB/T 2260 form exports use for provinces and cities (11 -> 110000).

-- step: reference.divisions
DELETE FROM ref_division;
INSERT INTO ref_division BY NAME
WITH
  provinces AS (SELECT * FROM read_csv($provinces, header = true, all_varchar = true)),
  cities AS (SELECT * FROM read_csv($cities, header = true, all_varchar = true)),
  areas AS (SELECT * FROM read_csv($areas, header = true, all_varchar = true)),
  streets AS (SELECT * FROM read_csv($streets, header = true, all_varchar = true))
SELECT code, name, 'province' AS level, NULL::VARCHAR AS parent_code,
       code AS province_code, NULL::VARCHAR AS city_code, NULL::VARCHAR AS district_code,
       rpad(code, 6, '0') AS gb_code
FROM provinces
UNION ALL
SELECT code, name, 'city', provinceCode, provinceCode, code, NULL, rpad(code, 6, '0')
FROM cities
UNION ALL
SELECT code, name, 'district', cityCode, provinceCode, cityCode, code, code
FROM areas
UNION ALL
SELECT code, name, 'street', areaCode, provinceCode, cityCode, areaCode, code
FROM streets
ORDER BY code;

-- step: reference.industries
DELETE FROM ref_industry;
INSERT INTO ref_industry BY NAME
SELECT code,
       level,
       name,
       NULLIF(parent, '') AS parent,
       work_injury_high_risk::BOOLEAN AS work_injury_high_risk,
       pneumoconiosis_priority::BOOLEAN AS pneumoconiosis_priority
FROM read_csv($industries, header = true, all_varchar = true);

-- step: reference.local_params
-- One row per parameter period of the user's file, as a JSON list (the file was checked in JS).
DELETE FROM ref_local_params;
INSERT INTO ref_local_params BY NAME
SELECT CAST(p->>'valid_from' AS DATE) AS valid_from, CAST(p->>'valid_to' AS DATE) AS valid_to,
       CAST(p->>'average_wage' AS DECIMAL(18, 2)) AS average_wage, CAST(p->>'base_floor' AS DECIMAL(18, 2)) AS base_floor,
       CAST(p->>'base_cap' AS DECIMAL(18, 2)) AS base_cap,
       CAST(p->>'rate_110' AS DECIMAL(8, 5)) AS rate_110, CAST(p->>'rate_210' AS DECIMAL(8, 5)) AS rate_210,
       CAST(p->>'rate_310' AS DECIMAL(8, 5)) AS rate_310, CAST(p->>'rate_410' AS DECIMAL(8, 5)) AS rate_410,
       CAST(p->>'rate_510' AS DECIMAL(8, 5)) AS rate_510, CAST(p->>'maternity_separate' AS BOOLEAN) AS maternity_separate,
       CAST(p->>'resident_pension_min_tier' AS DECIMAL(18, 2)) AS resident_pension_min_tier,
       CAST(p->>'project_injury_rate' AS DECIMAL(10, 6)) AS project_injury_rate,
       CAST(p->>'project_coverage_target' AS DECIMAL(6, 4)) AS project_coverage_target
FROM (SELECT unnest(from_json(CAST($periods AS JSON), '["JSON"]')) AS p);

-- step: reference.counts
SELECT (SELECT count(*) FROM ref_division)::INTEGER AS divisions, (SELECT count(*) FROM ref_industry)::INTEGER AS industries;
