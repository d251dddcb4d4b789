import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { loadLocalParams, paramsFor } from '../../src/reference/params.ts';

const SHIPPED = fileURLToPath(new URL('../../pipelines/local-params.yaml', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'recon-params-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeYaml(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const RATES = `
    employer_rates: { '110': 0.16, '210': 0.005, '310': 0.08, '410': 0.004, '510': 0.008 }`;

describe('loadLocalParams', () => {
  it('loads the shipped file: 2024-07-01 .. 2027-06-30, sorted, floors and caps derived', () => {
    const params = loadLocalParams(SHIPPED);
    expect(params.periods.length).toBeGreaterThanOrEqual(3);
    expect(params.periods[0]?.validFrom).toBe('2024-07-01');
    expect(params.periods.at(-1)?.validTo).toBe('2027-06-30');
    for (const set of params.periods) {
      expect(set.baseFloor).toBeCloseTo(set.averageWage * 0.6, 2);
      expect(set.baseCap).toBeCloseTo(set.averageWage * 3, 2);
      expect(set.employerRates['110']).toBe(0.16);
      expect(set.maternitySeparate).toBe(false);
    }
  });

  it('lets explicit base_floor and base_cap override the ratios', () => {
    const file = writeYaml(
      'explicit.yaml',
      `periods:
  - valid_from: 2025-07-01
    valid_to: 2026-06-30
    average_wage: 8000
    base_floor: 4900
    base_cap: 24000${RATES}
    maternity_separate: true
`,
    );
    const [set] = loadLocalParams(file).periods;
    expect(set).toMatchObject({ baseFloor: 4900, baseCap: 24000, baseFloorRatio: 0.6, maternitySeparate: true });
  });

  it('reports every problem at once, with the file and the field path', () => {
    const file = writeYaml(
      'bad.yaml',
      `periods:
  - valid_from: 2024-07-01
    valid_to: 2025-06-30
    average_wage: 8200
    employer_rates: { '110': 16, '210': 0.005, '310': 0.08, '410': -0.1, '510': 0.008 }
  - valid_from: 2025-02-30
    valid_to: 2026-06-30
    avarage_wage: 8600${RATES}
  - valid_from: 2025-01-01
    valid_to: 2025-12-31
    average_wage: 8600
    base_floor: 30000
    base_cap: 25000${RATES}
  - valid_from: 2025-03-01
    valid_to: 2025-08-31
    average_wage: 8600${RATES}
`,
    );
    const error = thrown(() => loadLocalParams(file));
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(`"${file}"`);
    expect(message).toContain('periods[0].employer_rates.110: must be between 0 and 1');
    expect(message).toContain('periods[0].employer_rates.410: must be between 0 and 1');
    expect(message).toContain('periods[1].valid_from: is not a calendar date');
    expect(message).toContain('periods[1].average_wage');
    expect(message).toContain('avarage_wage');
    expect(message).toContain('periods[2].base_floor: the base floor (30000) must be lower than the base cap (25000)');
    // Overlaps are found from the dates alone, even when the period has other problems.
    expect(message).toContain('periods[2].valid_from: period 2025-01-01..2025-12-31 overlaps periods[0] (2024-07-01..2025-06-30)');
    expect(message).toContain('periods[3].valid_from: period 2025-03-01..2025-08-31 overlaps periods[2]');
    const problems = (error as ConfigError).details['problems'] as { path: string }[];
    expect(problems).toHaveLength(8);
  });

  it('names the file when the YAML does not parse or is empty', () => {
    const broken = writeYaml('broken.yaml', 'periods: [\n  - valid_from: : :\n');
    expect(() => loadLocalParams(broken)).toThrow(ConfigError);
    expect(() => loadLocalParams(broken)).toThrow(/broken\.yaml" is not valid YAML/);
    const empty = writeYaml('empty.yaml', '');
    expect(() => loadLocalParams(empty)).toThrow(/empty\.yaml" \(1 problem\):\n {2}- \(top level\): must be a mapping with a "periods:" list/);
    expect(() => loadLocalParams(path.join(dir, 'missing.yaml'))).toThrow(/Cannot read local parameters file/);
  });
});

describe('paramsFor', () => {
  const params = loadLocalParams(SHIPPED);

  it('switches sets on July 1', () => {
    const june = paramsFor(params, '2025-06-30');
    const july = paramsFor(params, '2025-07-01');
    expect(june.validTo).toBe('2025-06-30');
    expect(july.validFrom).toBe('2025-07-01');
    expect(july).not.toBe(june);
    expect(july.averageWage).not.toBe(june.averageWage);
  });

  it('accepts a Date, read in local time', () => {
    expect(paramsFor(params, new Date(2025, 6, 1)).validFrom).toBe('2025-07-01');
    expect(paramsFor(params, new Date(2025, 5, 30, 23, 59)).validFrom).toBe('2024-07-01');
  });

  it('fails with a ConfigError when no set is in force', () => {
    expect(() => paramsFor(params, '2020-01-01')).toThrow(ConfigError);
    expect(() => paramsFor(params, '2020-01-01')).toThrow(/No local parameters in force on 2020-01-01/);
  });
});
