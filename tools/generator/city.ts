/**
 * The one city the fixtures live in: its real districts and streets from the division tables
 * that ship with the project, so reports can name them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** A district (区/县级市) with its streets and towns. */
export interface District {
  code: string;
  name: string;
  /** The name without 区/市/县, for short forms in names (`姑苏`). */
  short: string;
  streets: { code: string; name: string }[];
}

/** The city: name and its districts, in code order. */
export interface City {
  code: string;
  name: string;
  /** City name without 市 (`苏州`), the region prefix of company names. */
  short: string;
  province: string;
  districts: District[];
}

const DIVISIONS = fileURLToPath(new URL('../../src/reference/divisions/', import.meta.url));

/** Loads a prefecture-level city (4-digit code, default 3205 苏州市) from the division tables. */
export function loadCity(cityCode = '3205'): City {
  const read = (file: string): Record<string, string>[] =>
    parse(readFileSync(DIVISIONS + file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const city = read('cities.csv').find((row) => row['code'] === cityCode);
  if (city === undefined) throw new Error(`City ${cityCode} is not in cities.csv`);
  const province = read('provinces.csv').find((row) => row['code'] === city['provinceCode']);
  const streets = read('streets.csv').filter((row) => row['cityCode'] === cityCode);
  const districts = read('areas.csv')
    .filter((row) => row['cityCode'] === cityCode)
    .map((row) => {
      const code = row['code'] ?? '';
      const name = row['name'] ?? '';
      return {
        code,
        name,
        short: name.length > 2 ? name.replace(/(区|市|县)$/, '') : name,
        streets: streets.filter((s) => s['areaCode'] === code).map((s) => ({ code: s['code'] ?? '', name: s['name'] ?? '' })),
      };
    })
    // A district without streets in the table cannot give addresses; leave it out.
    .filter((d) => d.streets.length > 0)
    .sort((a, b) => a.code.localeCompare(b.code));
  if (districts.length === 0) throw new Error(`City ${cityCode} has no districts with streets`);
  const name = city['name'] ?? '';
  return {
    code: cityCode,
    name,
    short: name.replace(/市$/, ''),
    province: province?.['name'] ?? '',
    districts,
  };
}
