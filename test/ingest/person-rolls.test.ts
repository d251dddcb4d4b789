import { describe, expect, it } from 'vitest';
import { residentCheckChar } from '../../src/core/resident-id.ts';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

/** The n-th valid resident ID of the tests (born 1980-01-01, sequence number n). */
function person(n: number): string {
  const first17 = `32050519800101${String(n).padStart(3, '0')}`;
  return first17 + residentCheckChar(first17);
}

const AID_HEADER = '身份证号码,姓名,类别,所属区县';
function aid(rowsOf: Array<[category: string, people: number[]]>): string {
  return `${[AID_HEADER, ...rowsOf.flatMap(([c, people]) => people.map((p) => `${person(p)},人${p},${c},320505`))].join('\n')}\n`;
}

describe('assistance: the latest file holding a category wins for that category', () => {
  it('three offices’ rolls stand side by side; a new 民政 roll replaces its categories only', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      await load(
        db,
        writeText(
          dir,
          '民政_20261031.csv',
          aid([
            ['城市低保', [1, 2, 3]],
            ['特困供养', [4, 5]],
          ]),
        ),
      );
      await load(db, writeText(dir, '残联_20261031.csv', aid([['重度残疾', [6, 7, 11, 12]]])));
      await load(db, writeText(dir, '乡村振兴_20261031.csv', aid([['脱贫人口', [8]]])));
      // November: 民政 sends 城市低保 only (person 3 left, 9 came); 特困供养 stays as it was.
      expect(await load(db, writeText(dir, '民政_低保_20261130.csv', aid([['城市低保', [1, 2, 9]]])))).toMatchObject({ status: 'loaded' });
      const current = await rows(
        db,
        `SELECT category_class, list(person_name ORDER BY person_name) AS people FROM assistance_current GROUP BY ALL ORDER BY ALL`,
      );
      expect(current).toEqual([
        { category_class: 'dibao_urban', people: ['人1', '人2', '人9'] },
        { category_class: 'disabled_severe', people: ['人11', '人12', '人6', '人7'] },
        { category_class: 'tekun', people: ['人4', '人5'] },
        { category_class: 'tuopin', people: ['人8'] },
      ]);
      expect(await rows(db, 'SELECT file_id, period, record_key, by_file_id FROM supersessions')).toEqual([
        { file_id: 1, period: null, record_key: 'dibao_urban', by_file_id: 4 },
      ]);
      // An older roll delivered late is history for the categories a later file holds.
      await load(
        db,
        writeText(
          dir,
          '民政_20260930.csv',
          aid([
            ['城市低保', [1, 2, 3]],
            ['农村低保', [10]],
          ]),
        ),
      );
      const late = await rows(db, `SELECT category_class, count(*) AS n FROM assistance_current WHERE file_id = 5 GROUP BY ALL`);
      expect(late).toEqual([{ category_class: 'dibao_rural', n: 1 }]);
      // A roll far smaller than the current rows of its categories is refused (1 of 4).
      const cut = await load(db, writeText(dir, '残联_20261231.csv', aid([['重度残疾', [6]]])));
      expect(cut).toMatchObject({ status: 'refused', reason: 'snapshot_shrank' });
      expect(cut.status === 'refused' && cut.message).toContain('categories it delivers again');
    });
  });
});

const SI_HEADER = '个人编号,公民身份号码,姓名,单位编号,险种,个人缴费状态';
function siPerson(people: number[], status = '1'): string {
  return `${[SI_HEADER, ...people.map((p) => `N${p},${person(p)},人${p},U1,110,${status}`)].join('\n')}\n`;
}

describe('si_person and resident_pension: the latest snapshot is current', () => {
  it('files of one as-of date are one snapshot; a later date replaces it whole; an earlier one delivered late is history', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      // October in two parts (two districts).
      await load(db, writeText(dir, '社保个人_东区_20261031.csv', siPerson([1, 2, 3])));
      await load(db, writeText(dir, '社保个人_西区_20261031.csv', siPerson([4, 5])));
      expect(await rows(db, 'SELECT count(*) AS n FROM si_person_current')).toEqual([{ n: 5 }]);
      // November in one file: both October parts give way.
      expect(await load(db, writeText(dir, '社保个人_20261130.csv', siPerson([1, 2, 3, 4, 6], '2')))).toMatchObject({ status: 'loaded' });
      expect(await rows(db, 'SELECT list(person_no ORDER BY person_no) AS p, min(status_class) AS s FROM si_person_current')).toEqual([
        { p: ['N1', 'N2', 'N3', 'N4', 'N6'], s: 'suspended' },
      ]);
      // September delivered late: history.
      expect(await load(db, writeText(dir, '社保个人_20260930.csv', siPerson([1, 7])))).toMatchObject({ status: 'loaded' });
      expect(await rows(db, `SELECT count(*) AS n FROM si_person_current WHERE person_no = 'N7'`)).toEqual([{ n: 0 }]);
      expect(await rows(db, 'SELECT file_id, by_file_id FROM supersessions ORDER BY ALL')).toEqual([
        { file_id: 1, by_file_id: 3 },
        { file_id: 2, by_file_id: 3 },
        { file_id: 4, by_file_id: 3 },
      ]);
      // December with one person of five: refused, November stays.
      const cut = await load(db, writeText(dir, '社保个人_20261231.csv', siPerson([1])));
      expect(cut).toMatchObject({ status: 'refused', reason: 'snapshot_shrank' });
      expect(await rows(db, 'SELECT count(*) AS n FROM si_person_current')).toEqual([{ n: 5 }]);
    });
  });

  it('resident_pension: the same, keyed by the ID', async () => {
    const dir = tempDir();
    const file = (people: number[], year: number): string =>
      `${['公民身份号码,姓名,参保状态,缴费年度', ...people.map((p) => `${person(p)},人${p},正常参保,${year}`)].join('\n')}\n`;
    await withDb(async (db) => {
      await load(db, writeText(dir, '城乡居民_20261031.csv', file([1, 2, 3], 2026)));
      await load(db, writeText(dir, '城乡居民_20261130.csv', file([1, 2, 4], 2026)));
      expect(await rows(db, 'SELECT list(person_name ORDER BY person_name) AS p FROM resident_pension_current')).toEqual([{ p: ['人1', '人2', '人4'] }]);
    });
  });
});
