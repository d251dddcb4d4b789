/**
 * GB/T 4754-2017 industry sections (门类 A-T) and divisions (大类 01-97), with the two flags the
 * rules need (docs/exports.md, "Reference data"): work-injury high-risk industries (B, C25, C26,
 * C30-C32, E47-E50) and pneumoconiosis priority industries (B08-B12, C30-C32). The data is
 * `industries.csv` next to this file; codes as they appear in exports are mapped with
 * `industryDivision`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { InputError } from '../core/errors.ts';

export type IndustryLevel = 'section' | 'division';

export interface Industry {
  /** Section letter (`C`) or two-digit division (`26`). */
  code: string;
  level: IndustryLevel;
  /** Official Chinese name: 化学原料和化学制品制造业 */
  name: string;
  /** The section letter of a division; null for a section. */
  parent: string | null;
  workInjuryHighRisk: boolean;
  pneumoconiosisPriority: boolean;
}

/** Where an industry code seen in an export belongs. */
export interface IndustryRef {
  section: string;
  /** Two-digit division; null when the code names only a section (`C`). */
  division: string | null;
}

/** The industries CSV that ships with the project. */
export const INDUSTRIES_FILE = fileURLToPath(new URL('./industries.csv', import.meta.url));

const HEADER = ['code', 'level', 'name', 'parent', 'work_injury_high_risk', 'pneumoconiosis_priority'];

/** Reads and checks an industries CSV (by default the one that ships with the project). */
export function loadIndustries(file: string = INDUSTRIES_FILE): Industry[] {
  const records = parse(readFileSync(file, 'utf8'), { bom: true, skip_empty_lines: true }) as string[][];
  const [header, ...rows] = records;
  if (header === undefined || header.join(',') !== HEADER.join(',')) {
    throw new InputError(`Cannot read industries file "${file}": the header must be ${HEADER.join(',')} (found: ${header?.join(',') ?? 'nothing'})`, { file });
  }
  return rows.map((row, index) => {
    const line = index + 2;
    const [code = '', level = '', name = '', parent = '', highRisk = '', priority = ''] = row;
    const bad = (what: string): InputError => new InputError(`Cannot read industries file "${file}", line ${line}: ${what}; fix the file`, { file, line });
    if (level !== 'section' && level !== 'division') throw bad(`level must be section or division (found "${level}")`);
    if (level === 'section' ? !/^[A-T]$/.test(code) : !/^\d{2}$/.test(code)) throw bad(`bad ${level} code "${code}"`);
    if (level === 'division' && !/^[A-T]$/.test(parent)) throw bad(`division ${code} needs a section letter as parent`);
    return {
      code,
      level,
      name,
      parent: parent === '' ? null : parent,
      workInjuryHighRisk: flag(highRisk, bad),
      pneumoconiosisPriority: flag(priority, bad),
    };
  });
}

function flag(value: string, bad: (what: string) => Error): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw bad(`a flag must be true or false (found "${value}")`);
}

// The shipped table is immutable, so one parsed copy per process is safe to share.
let shipped: Map<string, Industry> | undefined;

function industriesByCode(): Map<string, Industry> {
  shipped ??= new Map(loadIndustries().map((industry) => [industry.code, industry]));
  return shipped;
}

/** The section or division with this exact code (`C`, `26`), or undefined. */
export function industryByCode(code: string): Industry | undefined {
  return industriesByCode().get(code);
}

/**
 * Maps an industry code as exports write it to its division and section: `C2614`, `C261`,
 * `E47`, `4710`, `0111`, `26`, `C`. Full-width characters, spaces and dots are tolerated. A
 * one-digit code is a division that lost its leading zero (`6` -> `06`); three digits are a
 * group (中类, `261` -> `26`). Undefined when the code is not GB/T 4754-2017 or its letter
 * contradicts its digits (`A2614`).
 */
export function industryDivision(code: string | null | undefined): IndustryRef | undefined {
  if (code === null || code === undefined) return undefined;
  const cleaned = code
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s.\-_]/g, '');
  const match = /^([A-T])?(\d*)$/.exec(cleaned);
  if (match === null) return undefined;
  const letter = match[1];
  const digits = match[2] ?? '';
  if (digits === '') {
    if (letter === undefined || industryByCode(letter) === undefined) return undefined;
    return { section: letter, division: null };
  }
  let division: string;
  if (digits.length === 1) division = `0${digits}`;
  else if (digits.length <= 4) division = digits.slice(0, 2);
  else return undefined;
  const found = industryByCode(division);
  if (found === undefined || found.level !== 'division' || found.parent === null) return undefined;
  if (letter !== undefined && letter !== found.parent) return undefined;
  return { section: found.parent, division };
}

function flagsFor(code: string | null | undefined): Industry | undefined {
  const ref = industryDivision(code);
  if (ref === undefined) return undefined;
  return industryByCode(ref.division ?? ref.section);
}

/** Whether the industry is high-risk for work-injury insurance (B, C25, C26, C30-C32, E47-E50). */
export function isWorkInjuryHighRisk(code: string | null | undefined): boolean {
  return flagsFor(code)?.workInjuryHighRisk ?? false;
}

/** Whether the industry is a pneumoconiosis priority industry (B08-B12, C30-C32). */
export function isPneumoconiosisPriority(code: string | null | undefined): boolean {
  return flagsFor(code)?.pneumoconiosisPriority ?? false;
}
