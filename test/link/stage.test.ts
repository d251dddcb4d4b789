import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { withDb, tempDir, writeText, load, rows, testContext } from '../helpers.ts';
import { linkEmployers } from '../../src/link/stage.ts';
import type { Db } from '../../src/db/database.ts';
import { loadReferenceTables } from '../../src/reference/load.ts';

// Built with makeUscc: valid GB 32100 codes in 西湖区 (330106) and 拱墅区 (330105).
const A = '91330106MA27XY0A18';
const B = '91330106MA27XY1B6E';
const C = '91330105MA27XY2C04';

async function setup(db: Db, dir: string, extra = ''): Promise<void> {
  await loadReferenceTables(db, path.resolve('pipelines/local-params.yaml'));
  const { makeUscc } = await import('../../src/link/codes.ts');
  const C2 = makeUscc('9', '1', '330106', 'MA27XY3D');
  const E = makeUscc('9', '1', '330106', 'MA27XY4E');
  const F = makeUscc('9', '1', '330106', 'MA27XY5F');
  writeText(
    dir,
    'reg_20261031.csv',
    [
      '统一社会信用代码,企业名称,成立日期,登记状态,所属区县代码',
      `${A},杭州甲贸易发展有限公司,2020-01-01,存续,330106`,
      `${B},杭州乙科技有限公司,2020-01-01,存续,330106`,
      `${C},杭州丙餐饮管理(连锁)有限公司,2020-01-01,存续,330105`,
      `${C2},杭州丙餐饮管理(连锁)有限公司,2020-01-01,存续,330106`,
      `${E},杭州丁建材有限公司,2020-01-01,存续,330106`,
      `${F},杭州丁建材有限责任公司,2020-01-01,存续,330106`,
      extra,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  writeText(
    dir,
    'tax_20261031.csv',
    [
      '纳税人识别号,纳税人名称,纳税人状态',
      `${A.toLowerCase().slice(0, 9)} ${A.toLowerCase().slice(9)},杭州甲贸易发展有限公司,正常`,
      `330106MA27XY1B6,杭州乙科技有限公司,正常`,
    ].join('\n'),
  );
  writeText(
    dir,
    'si_20261031.csv',
    [
      '单位编号,统一社会信用代码,单位名称,险种,参保状态,所属区县',
      `000001,${A},杭州甲贸易发展有限公司,110,1,330106`,
      `000002,,杭州乙科技 有限公司,110,1,330106`,
      `000003,,杭州丙餐飲管理（連鎖）有限公司,110,1,330105`,
      `000004,,杭州丁建材有限责任公司,110,1,330106`,
      `000005,,杭州戊物流有限公司,110,1,330106`,
      `000006,,杭州乙科枝有限公司,110,1,330106`,
    ].join('\n'),
  );
  for (const f of ['reg_20261031.csv', 'tax_20261031.csv', 'si_20261031.csv']) {
    const r = await load(db, path.join(dir, f));
    expect(r.status).toBe('loaded');
  }
}

async function employerOf(db: Db, source: string, key: string): Promise<{ employer_id: string; method: string }> {
  const [row] = await rows(db, `SELECT employer_id, method FROM employer_links WHERE source = $1 AND record_key = $2`, [source, key]);
  return row as { employer_id: string; method: string };
}

describe('employer linking', () => {
  it('links by USCC, legacy tax number, and normalised name within the district; keeps look-alikes apart', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      await setup(db, dir);
      const summary = await linkEmployers(db, testContext({ runId: 'run-1' }));
      const a = await employerOf(db, 'registration', A);
      expect(await employerOf(db, 'tax_registration', A)).toEqual({ employer_id: a.employer_id, method: 'uscc' });
      expect(await employerOf(db, 'si_unit', '000001')).toEqual({ employer_id: a.employer_id, method: 'uscc' });
      const b = await employerOf(db, 'registration', B);
      expect(await employerOf(db, 'tax_registration', '330106MA27XY1B6')).toEqual({ employer_id: b.employer_id, method: 'org_code' });
      // spaces and a missing space do not matter
      expect(await employerOf(db, 'si_unit', '000002')).toEqual({ employer_id: b.employer_id, method: 'name_exact' });
      // traditional characters and full-width brackets; the namesake in another district is not taken
      const c = await employerOf(db, 'registration', C);
      expect(await employerOf(db, 'si_unit', '000003')).toEqual({ employer_id: c.employer_id, method: 'name_exact' });
      // 有限责任公司 is not 有限公司: the unit goes to F, not E
      const [f] = await rows(db, `SELECT employer_id FROM employers WHERE name = '杭州丁建材有限责任公司'`);
      expect((await employerOf(db, 'si_unit', '000004')).employer_id).toBe(f?.['employer_id']);
      // nobody matches: an employer of its own
      expect((await employerOf(db, 'si_unit', '000005')).method).toBe('own');
      // a near-miss typo goes to review, not into the employer
      expect((await employerOf(db, 'si_unit', '000006')).method).toBe('own');
      const review = await rows(db, `SELECT record_key, candidate_name, reason FROM link_review`);
      expect(review).toEqual([{ record_key: '000006', candidate_name: '杭州乙科技有限公司', reason: 'similarity under the auto-accept threshold' }]);
      expect(summary.employers).toBe(8);
      const [emp] = await rows(db, `SELECT kind, in_registration, in_tax, in_si FROM employers WHERE uscc = $1`, [A]);
      expect(emp).toEqual({ kind: 'enterprise', in_registration: true, in_tax: true, in_si: true });
    });
  });

  it('keeps every employer id over a re-run and a new snapshot where a name changes and a USCC appears', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      await setup(db, dir);
      await linkEmployers(db, testContext({ runId: 'run-1' }));
      const before = await rows(db, `SELECT source, record_key, employer_id FROM employer_links ORDER BY ALL`);
      await linkEmployers(db, testContext({ runId: 'run-2' }));
      expect(await rows(db, `SELECT source, record_key, employer_id FROM employer_links ORDER BY ALL`)).toEqual(before);
      const { makeUscc } = await import('../../src/link/codes.ts');
      const G = makeUscc('9', '1', '330106', 'MA27XY6G');
      // New snapshots: A renamed; unit 000005 now carries a USCC the registry also has.
      writeText(
        dir,
        'reg_20261130.csv',
        [
          '统一社会信用代码,企业名称,成立日期,登记状态,所属区县代码',
          `${A},杭州甲新材料有限公司,2020-01-01,存续,330106`,
          `${B},杭州乙科技有限公司,2020-01-01,存续,330106`,
          `${C},杭州丙餐饮管理(连锁)有限公司,2020-01-01,存续,330105`,
          `${G},杭州戊物流有限公司,2020-01-01,存续,330106`,
        ].join('\n'),
      );
      writeText(
        dir,
        'si_20261130.csv',
        [
          '单位编号,统一社会信用代码,单位名称,险种,参保状态,所属区县',
          `000001,${A},杭州甲新材料有限公司,110,1,330106`,
          `000002,,杭州乙科技有限公司,110,1,330106`,
          `000005,${G},杭州戊物流有限公司,110,1,330106`,
        ].join('\n'),
      );
      await load(db, path.join(dir, 'reg_20261130.csv'), { force: true });
      await load(db, path.join(dir, 'si_20261130.csv'), { force: true });
      await linkEmployers(db, testContext({ runId: 'run-3' }));
      const old = new Map(before.map((r) => [`${r['source']}|${r['record_key']}`, r['employer_id']]));
      expect((await employerOf(db, 'registration', A)).employer_id).toBe(old.get(`registration|${A}`));
      expect((await employerOf(db, 'si_unit', '000002')).employer_id).toBe(old.get('si_unit|000002'));
      // The unit that was on its own keeps its id, and the registry record joins it.
      expect((await employerOf(db, 'si_unit', '000005')).employer_id).toBe(old.get('si_unit|000005'));
      expect((await employerOf(db, 'registration', G)).employer_id).toBe(old.get('si_unit|000005'));
    });
  });

  it('reports invalid codes, duplicate registry USCCs and names that disagree under one USCC', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      const bad = `${A.slice(0, 17)}X`;
      await setup(db, dir, `${B},完全不同的名字商店,2020-01-01,存续,330106\n${bad},坏码有限公司,2020-01-01,存续,330106`);
      await linkEmployers(db, testContext({ runId: 'run-1' }));
      const dq = await rows(db, `SELECT category, source, record_key FROM dq_issues ORDER BY category, record_key`);
      expect(dq).toContainEqual({ category: 'duplicate_uscc', source: 'registration', record_key: B });
      expect(dq.filter((d) => d['category'] === 'invalid_code')).toHaveLength(1);
    });
  });
});

describe('one USCC on two registry rows', () => {
  it('picks the employer name by rule (not by chance) and the facts of the later line', async () => {
    const { buildFacts } = await import('../../src/rules/facts.ts');
    const rowsA = [`${A},杭州甲贸易发展有限公司,2020-01-01,存续,330106`, `${A},杭州甲商贸有限公司,2019-05-01,注销,330106`];
    const seen: Array<Array<Record<string, unknown>>> = [];
    for (const order of [rowsA, [...rowsA].reverse()]) {
      await withDb(async (db) => {
        const dir = tempDir();
        await loadReferenceTables(db, path.resolve('pipelines/local-params.yaml'));
        await load(db, writeText(dir, 'reg_20261031.csv', ['统一社会信用代码,企业名称,成立日期,登记状态,所属区县代码', ...order].join('\n')));
        await linkEmployers(db, testContext({ runId: 'r1' }));
        await buildFacts(db, testContext().dates);
        seen.push(await rows(db, `SELECT e.name, f.reg_status, f.established_on FROM employers e JOIN employer_facts f USING (employer_id)`));
      });
    }
    // One employer; its name by the tie-break on name (商 < 贸 in code-point order) whatever the order.
    expect(seen.map((s) => s.map((r) => r['name']))).toEqual([['杭州甲商贸有限公司'], ['杭州甲商贸有限公司']]);
    // The status is the later line's; established_on the earliest of both.
    expect(seen.map((s) => s[0]?.['reg_status'])).toEqual(['closed', 'active']);
    expect(seen.map((s) => s[0]?.['established_on'])).toEqual(['2019-05-01', '2019-05-01']);
  });
});
