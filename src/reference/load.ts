/**
 * Loads the reference data into DuckDB: `ref_division` (provinces down to streets),
 * `ref_industry` (GB/T 4754-2017 sections and divisions with their risk flags) and
 * `ref_local_params` (one row per parameter period). Tables are replaced on every load, so a
 * run always sees the files as they are now.
 */
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/database.ts';
import { INDUSTRIES_FILE, loadIndustries } from './industries.ts';
import { INSURANCE_TYPES, loadLocalParams, type LocalParams } from './params.ts';

export interface ReferenceOptions {
  /** The user's local parameters YAML (`pipelines/local-params.yaml`). */
  localParamsFile: string;
}

export interface ReferenceSummary {
  divisions: number;
  industries: number;
  localParams: LocalParams;
}

const DIVISION_FILES = {
  provinces: fileURLToPath(new URL('./divisions/provinces.csv', import.meta.url)),
  cities: fileURLToPath(new URL('./divisions/cities.csv', import.meta.url)),
  areas: fileURLToPath(new URL('./divisions/areas.csv', import.meta.url)),
  streets: fileURLToPath(new URL('./divisions/streets.csv', import.meta.url)),
};

// all_varchar keeps codes as text: 110101001 must not become a number, nor 01 lose its zero.
// gb_code is the 6-digit GB/T 2260 form exports use for provinces and cities (11 -> 110000).
const DIVISIONS_SQL = `
CREATE OR REPLACE TABLE ref_division AS
WITH
  provinces AS (SELECT * FROM read_csv($1, header = true, all_varchar = true)),
  cities AS (SELECT * FROM read_csv($2, header = true, all_varchar = true)),
  areas AS (SELECT * FROM read_csv($3, header = true, all_varchar = true)),
  streets AS (SELECT * FROM read_csv($4, header = true, all_varchar = true))
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
ORDER BY code`;

const INDUSTRIES_SQL = `
CREATE OR REPLACE TABLE ref_industry AS
SELECT code,
       level,
       name,
       NULLIF(parent, '') AS parent,
       work_injury_high_risk::BOOLEAN AS work_injury_high_risk,
       pneumoconiosis_priority::BOOLEAN AS pneumoconiosis_priority
FROM read_csv($1, header = true, all_varchar = true)`;

const RATE_COLUMNS = INSURANCE_TYPES.map((type) => `rate_${type} DECIMAL(8,5) NOT NULL`).join(',\n  ');

const LOCAL_PARAMS_SQL = `
CREATE OR REPLACE TABLE ref_local_params (
  valid_from DATE NOT NULL,
  valid_to DATE NOT NULL,
  average_wage DECIMAL(18,2) NOT NULL,
  base_floor DECIMAL(18,2) NOT NULL,
  base_cap DECIMAL(18,2) NOT NULL,
  ${RATE_COLUMNS},
  maternity_separate BOOLEAN NOT NULL
)`;

const INSERT_PARAMS_SQL = `
INSERT INTO ref_local_params VALUES (
  $1::DATE, $2::DATE, $3::DECIMAL(18,2), $4::DECIMAL(18,2), $5::DECIMAL(18,2),
  $6::DECIMAL(8,5), $7::DECIMAL(8,5), $8::DECIMAL(8,5), $9::DECIMAL(8,5), $10::DECIMAL(8,5),
  $11::BOOLEAN
)`;

/** Creates (or replaces) ref_division, ref_industry and ref_local_params; the parameters file is checked first. */
export async function loadReferenceTables(db: Db, options: ReferenceOptions): Promise<ReferenceSummary> {
  // Parse the user's file before touching the database: a typo there should stop the run
  // with the list of problems, not leave half-loaded tables behind.
  const localParams = loadLocalParams(options.localParamsFile);
  // Checked in JS too, so a broken industries file fails with a line number.
  loadIndustries(INDUSTRIES_FILE);

  await db.run(
    DIVISIONS_SQL,
    [DIVISION_FILES.provinces, DIVISION_FILES.cities, DIVISION_FILES.areas, DIVISION_FILES.streets],
    { step: 'reference.divisions' },
  );
  await db.run(INDUSTRIES_SQL, [INDUSTRIES_FILE], { step: 'reference.industries' });
  await db.run(LOCAL_PARAMS_SQL, undefined, { step: 'reference.local_params' });
  for (const set of localParams.periods) {
    await db.run(
      INSERT_PARAMS_SQL,
      [
        set.validFrom,
        set.validTo,
        set.averageWage,
        set.baseFloor,
        set.baseCap,
        ...INSURANCE_TYPES.map((type) => set.employerRates[type]),
        set.maternitySeparate,
      ],
      { step: 'reference.local_params' },
    );
  }

  const [counts] = await db.all<{ divisions: number; industries: number }>(
    `SELECT (SELECT count(*) FROM ref_division)::INTEGER AS divisions,
            (SELECT count(*) FROM ref_industry)::INTEGER AS industries`,
    [],
    { step: 'reference.counts' },
  );
  return { divisions: counts?.divisions ?? 0, industries: counts?.industries ?? 0, localParams };
}
