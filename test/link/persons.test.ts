import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { linkEmployers } from '../../src/link/stage.ts';
import { makeUscc, orgCodeCheckChar } from '../../src/link/codes.ts';
import { loadReferenceTables } from '../../src/reference/load.ts';
import { residentCheckChar } from '../../src/core/resident-id.ts';
import { load, rows, tempDir, testContext, withDb, writeText } from '../helpers.ts';

function person(n: number, born = '19800101'): string {
  const first17 = `320505${born}${String(n).padStart(3, '0')}`;
  return first17 + residentCheckChar(first17);
}

const A = makeUscc('9', '1', '320505', 'MA1AAAA1');
const B = makeUscc('9', '1', '320505', 'MA1BBBB2');
// A 15-character legacy tax number in 320505 whose organisation code no USCC holds: linked by name.
const LEGACY = `320505MA1CCCC3${orgCodeCheckChar('MA1CCCC3')}`;
// A taxpayer id that fails its check (a mistyped USCC): never a key.
const INVALID = `${A.slice(0, 17)}${A.endsWith('0') ? '1' : '0'}`;

async function registryAndUnits(db: Db, dir: string): Promise<void> {
  await loadReferenceTables(db, path.resolve('pipelines/local-params.yaml'));
  const reg = writeText(
    dir,
    '市场监管_20261031.csv',
    [
      '统一社会信用代码,企业名称,成立日期,登记状态,所属区县代码',
      `${A},苏州甲科技有限公司,2020-01-01,存续,320505`,
      `${B},苏州乙贸易有限公司,2020-01-01,存续,320505`,
    ].join('\n'),
  );
  const units = writeText(dir, '社保单位_20261031.csv', ['单位编号,统一社会信用代码,单位名称,险种,参保状态', `U1,${A},苏州甲科技有限公司,110,1`].join('\n'));
  expect(await load(db, reg)).toMatchObject({ status: 'loaded' });
  expect(await load(db, units)).toMatchObject({ status: 'loaded' });
}

const IIT_HEADER = '扣缴义务人纳税人识别号,扣缴义务人名称,税款所属期,证件号码,姓名,本期收入';

describe('withholding agents of iit_detail are employers', () => {
  it('linked by taxpayer id, by name, and an agent whose id fails its check is an employer of its own', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      await registryAndUnits(db, dir);
      const iit = writeText(
        dir,
        '个税明细_20261031.csv',
        [
          IIT_HEADER,
          // By USCC, under two spellings of the name: two agent rows, one employer.
          `${A.toLowerCase()},苏州甲科技有限公司,2026-09,${person(1)},人1,8000`,
          `${A},苏州甲科技有限公司（更名前）,2026-09,${person(2)},人2,8000`,
          // By name: a legacy number in the same district.
          `${LEGACY},苏州乙贸易有限公司,2026-09,${person(3)},人3,8000`,
          // Its own: the id fails its check, the name is nobody's.
          `${INVALID},苏州丙餐饮店,2026-09,${person(4)},人4,8000`,
        ].join('\n'),
      );
      expect(await load(db, iit)).toMatchObject({ status: 'loaded', kind: 'iit_detail', rowsLoaded: 4 });
      const summary = await linkEmployers(db, testContext());
      expect(summary.employers).toBe(3);
      const agents = await rows(
        db,
        `SELECT a.taxpayer_id, a.agent_name, e.uscc, e.name, l.method FROM iit_agents a JOIN employers e USING (employer_id)
         LEFT JOIN employer_links l ON l.employer_id = a.employer_id AND l.source IN ('tax_registration', 'tax_withholding', 'iit_detail') AND l.record_key = a.taxpayer_id
         ORDER BY a.agent_name`,
      );
      expect(agents).toEqual([
        { taxpayer_id: INVALID, agent_name: '苏州丙餐饮店', uscc: null, name: '苏州丙餐饮店', method: 'own' },
        { taxpayer_id: LEGACY, agent_name: '苏州乙贸易有限公司', uscc: B, name: '苏州乙贸易有限公司', method: 'name_exact' },
        { taxpayer_id: A, agent_name: '苏州甲科技有限公司', uscc: A, name: '苏州甲科技有限公司', method: 'uscc' },
        { taxpayer_id: A, agent_name: '苏州甲科技有限公司（更名前）', uscc: A, name: '苏州甲科技有限公司', method: 'uscc' },
      ]);
      // The invalid id is reported, as for any source, and the agent's employer is in the tax sources.
      expect(await rows(db, `SELECT source, category FROM dq_issues WHERE category = 'invalid_code'`)).toEqual([
        { source: 'iit_detail', category: 'invalid_code' },
      ]);
      expect(await rows(db, `SELECT count(*) AS n FROM employers WHERE in_tax`)).toEqual([{ n: 3 }]);
      // The SI unit and its employer.
      expect(await rows(db, 'SELECT s.unit_id, e.uscc FROM si_units s JOIN employers e USING (employer_id)')).toEqual([{ unit_id: 'U1', uscc: A }]);
    });
  });

  it('an agent the tax exports already have is linked through their record (one record per taxpayer id)', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      await registryAndUnits(db, dir);
      await load(
        db,
        writeText(dir, '个税扣缴申报_202609.csv', `扣缴义务人纳税人识别号,扣缴义务人名称,所属期,申报人数,收入额\n${LEGACY},苏州乙贸易有限公司,202609,1,8000\n`),
      );
      await load(db, writeText(dir, '个税明细_20261031.csv', `${IIT_HEADER}\n${LEGACY},苏州乙贸易有限公司,2026-09,${person(3)},人3,8000\n`));
      await linkEmployers(db, testContext());
      expect(await rows(db, `SELECT source, record_key FROM link_records WHERE record_key = $1`, [LEGACY])).toEqual([
        { source: 'tax_withholding', record_key: LEGACY },
      ]);
      expect(await rows(db, `SELECT e.uscc FROM iit_agents a JOIN employers e USING (employer_id)`)).toEqual([{ uscc: B }]);
    });
  });
});

describe('persons', () => {
  it('every valid resident ID gets a key that never changes; new people get new keys; the latest name wins', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      await registryAndUnits(db, dir);
      await load(
        db,
        writeText(
          dir,
          '个税明细_20261031.csv',
          [
            IIT_HEADER,
            `${A},苏州甲科技有限公司,2026-08,${person(2)},人2,8000`,
            `${A},苏州甲科技有限公司,2026-09,${person(2)},人2,8000`,
            `${A},苏州甲科技有限公司,2026-09,${person(1, '19920229').toLowerCase()},人1,8000`,
            // Not a valid resident ID: no person, a data-quality issue by file and line.
            `${A},苏州甲科技有限公司,2026-09,${person(3).slice(0, 17)}${person(3).endsWith('1') ? '2' : '1'},人3,8000`,
          ].join('\n'),
        ),
      );
      // The 15-digit form of person 2 is the same person.
      await load(
        db,
        writeText(
          dir,
          '社保个人_20261031.csv',
          `个人编号,公民身份号码,姓名,单位编号,险种,个人缴费状态\nN2,${person(2).slice(0, 6)}${person(2).slice(8, 17)},人二,U1,110,1\n`,
        ),
      );
      await linkEmployers(db, testContext({ runId: 'run-1' }));
      const first = await rows(db, 'SELECT person_key, id_no, birth_date, sex, person_name, first_run, last_run FROM persons ORDER BY person_key');
      // Keys in ID order. The SI file is the later delivery (loaded after the detail, same as-of date): its name wins.
      expect(first).toEqual([
        { person_key: 'P000000001', id_no: person(2), birth_date: '1980-01-01', sex: 'F', person_name: '人二', first_run: 'run-1', last_run: 'run-1' },
        {
          person_key: 'P000000002',
          id_no: person(1, '19920229'),
          birth_date: '1992-02-29',
          sex: 'M',
          person_name: '人1',
          first_run: 'run-1',
          last_run: 'run-1',
        },
      ]);
      const dq = await rows(db, `SELECT source, record_key, name, detail FROM dq_issues WHERE category = 'invalid_id'`);
      expect(dq).toEqual([
        {
          source: 'iit_detail',
          record_key: 'line:3:5',
          name: null,
          detail: 'resident ID fails its check character (1 row(s) of "个税明细_20261031.csv", first at line 5); not used as a key',
        },
      ]);
      // Nothing of the number, nor the name, in the report.
      expect(JSON.stringify(dq)).not.toContain(person(3).slice(0, 17));
      expect(JSON.stringify(dq)).not.toContain('人3');

      // The next run: person 2 under yet another name, a new person 5 (whose ID sorts first).
      await load(
        db,
        writeText(
          dir,
          '社保个人_20261130.csv',
          `个人编号,公民身份号码,姓名,单位编号,险种,个人缴费状态\nN2,${person(2)},人贰,U1,110,1\nN5,${person(5, '19700101')},人5,U1,110,1\n`,
        ),
      );
      const second = await linkEmployers(db, testContext({ runId: 'run-2' }));
      expect(second.persons).toEqual({ seen: 3, new: 1 });
      expect(await rows(db, 'SELECT person_key, id_no, person_name, first_run, last_run FROM persons ORDER BY person_key')).toEqual([
        { person_key: 'P000000001', id_no: person(2), person_name: '人贰', first_run: 'run-1', last_run: 'run-2' },
        { person_key: 'P000000002', id_no: person(1, '19920229'), person_name: '人1', first_run: 'run-1', last_run: 'run-2' },
        { person_key: 'P000000003', id_no: person(5, '19700101'), person_name: '人5', first_run: 'run-2', last_run: 'run-2' },
      ]);
      // A third run with the same data changes no key.
      await linkEmployers(db, testContext({ runId: 'run-3' }));
      expect(await rows(db, 'SELECT list(person_key ORDER BY id_no) AS keys, min(last_run) AS last FROM persons')).toEqual([
        { keys: ['P000000003', 'P000000001', 'P000000002'], last: 'run-3' },
      ]);
    });
  });
});
