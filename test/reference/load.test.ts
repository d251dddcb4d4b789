import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/schema/migrate.ts';
import { memoryDb, type Db } from '../../src/db/database.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { loadReferenceTables, type ReferenceSummary } from '../../src/reference/load.ts';

const LOCAL_PARAMS = fileURLToPath(new URL('../../pipelines/local-params.yaml', import.meta.url));

describe('loadReferenceTables', () => {
  let db: Db;
  let summary: ReferenceSummary;

  beforeAll(async () => {
    db = await memoryDb();
    await migrate(db);
    summary = await loadReferenceTables(db, LOCAL_PARAMS);
  });
  afterAll(() => db.close());

  it('loads divisions at every level, codes as text with leading digits intact', async () => {
    const levels = await db.all<{ level: string; n: number }>('SELECT level, count(*)::INTEGER AS n FROM ref_division GROUP BY level ORDER BY level');
    const byLevel = Object.fromEntries(levels.map((row) => [row.level, row.n]));
    expect(byLevel['province']).toBeGreaterThanOrEqual(31);
    expect(byLevel['city']).toBeGreaterThan(300);
    expect(byLevel['district']).toBeGreaterThan(2800);
    expect(byLevel['street']).toBeGreaterThan(40_000);
    expect(summary.divisions).toBe(Object.values(byLevel).reduce((a, b) => a + b, 0));

    const types = await db.all<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'ref_division' ORDER BY ordinal_position`,
    );
    expect(types.map((t) => t.column_name)).toEqual(['code', 'name', 'level', 'parent_code', 'province_code', 'city_code', 'district_code', 'gb_code']);
    expect(new Set(types.map((t) => t.data_type))).toEqual(new Set(['VARCHAR']));
  });

  it('links a street up to its district, city and province', async () => {
    const [street] = await db.all('SELECT * FROM ref_division WHERE code = $1', ['110101001']);
    expect(street).toEqual({
      code: '110101001',
      name: '东华门街道',
      level: 'street',
      parent_code: '110101',
      province_code: '11',
      city_code: '1101',
      district_code: '110101',
      gb_code: '110101001',
    });
    const chain = await db.all<{ level: string; name: string; gb_code: string }>(
      `SELECT d.level, d.name, d.gb_code FROM ref_division s
       JOIN ref_division d ON d.code IN (s.province_code, s.city_code, s.district_code)
       WHERE s.code = $1 ORDER BY length(d.code)`,
      ['110101001'],
    );
    expect(chain).toEqual([
      { level: 'province', name: '北京市', gb_code: '110000' },
      { level: 'city', name: '市辖区', gb_code: '110100' },
      { level: 'district', name: '东城区', gb_code: '110101' },
    ]);
  });

  it('loads the industries with boolean flags', async () => {
    expect(summary.industries).toBe(117);
    const rows = await db.all<{ code: string; parent: string | null; work_injury_high_risk: boolean; pneumoconiosis_priority: boolean }>(
      `SELECT code, parent, work_injury_high_risk, pneumoconiosis_priority FROM ref_industry WHERE code IN ('B', '08', '26', '01') ORDER BY code`,
    );
    expect(rows).toEqual([
      { code: '01', parent: 'A', work_injury_high_risk: false, pneumoconiosis_priority: false },
      { code: '08', parent: 'B', work_injury_high_risk: true, pneumoconiosis_priority: true },
      { code: '26', parent: 'C', work_injury_high_risk: true, pneumoconiosis_priority: false },
      { code: 'B', parent: null, work_injury_high_risk: true, pneumoconiosis_priority: false },
    ]);
  });

  it('loads one local parameters row per period, money exact', async () => {
    const rows = await db.allJson<Record<string, unknown>>('SELECT * FROM ref_local_params WHERE $1::DATE BETWEEN valid_from AND valid_to', ['2025-07-01']);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    const set = summary.localParams.periods.find((p) => p.validFrom === '2025-07-01');
    expect(row?.['valid_from']).toBe('2025-07-01');
    expect(Number(row?.['base_floor'])).toBe(set?.baseFloor);
    expect(Number(row?.['rate_110'])).toBe(0.16);
    expect(Number(row?.['rate_210'])).toBe(0.005);
    expect(row?.['maternity_separate']).toBe(false);
    const [count] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM ref_local_params');
    expect(count?.n).toBe(summary.localParams.periods.length);
  });

  it('stops with a ConfigError before touching the database when the parameters file is missing', async () => {
    const other = await memoryDb();
    try {
      await migrate(other);
      await expect(loadReferenceTables(other, '/nonexistent/local-params.yaml')).rejects.toThrow(ConfigError);
      const counts = await other.all(
        'SELECT (SELECT count(*) FROM ref_division) + (SELECT count(*) FROM ref_industry) + (SELECT count(*) FROM ref_local_params) AS n',
      );
      expect(counts).toEqual([{ n: 0n }]);
    } finally {
      other.close();
    }
  });
});
