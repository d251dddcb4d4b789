import { describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

/** A registration snapshot of `n` entities. */
function registration(n: number, prefix = '北京'): string {
  const body = Array.from({ length: n }, (_, i) => `91110108MA01${String(i).padStart(5, '0')}X,${prefix}第${i}科技有限公司,2020-01-01,存续`);
  return `${['统一社会信用代码,企业名称,成立日期,登记状态', ...body].join('\n')}\n`;
}

/** A payment ledger: `units` units for each month, paying `amount`. */
function ledger(months: string[], units: number, amount: number): string {
  const body = months.flatMap((m) => Array.from({ length: units }, (_, u) => `${String(u + 1).padStart(6, '0')},${m},110,5000,${amount},${amount}`));
  return `${['单位编号,费款所属期,险种,缴费基数合计,应缴金额,实缴金额', ...body].join('\n')}\n`;
}

describe('parts of one export', () => {
  it('two files of one kind with different records are both current; a re-delivery of one replaces only it', async () => {
    const dir = tempDir();
    const enterprises = [
      '统一社会信用代码,企业名称,成立日期,登记状态',
      ...Array.from({ length: 6 }, (_, i) => `91110108MA01${String(i).padStart(5, '0')}X,甲${i}有限公司,2020-01-01,存续`),
    ].join('\n');
    const individuals = [
      '统一社会信用代码,企业名称,成立日期,登记状态',
      ...Array.from({ length: 3 }, (_, i) => `92110108MA02${String(i).padStart(5, '0')}X,乙${i}便利店,2020-01-01,存续`),
    ].join('\n');
    await withDb(async (db) => {
      expect(await load(db, writeText(dir, '企业_20261031.csv', enterprises))).toMatchObject({ status: 'loaded', rowsLoaded: 6 });
      expect(await load(db, writeText(dir, '个体户_20261031.csv', individuals))).toMatchObject({ status: 'loaded', rowsLoaded: 3 });
      expect(await rows(db, 'SELECT count(*) AS n FROM registration_current')).toEqual([{ n: 9 }]);
      // November: the enterprises again, one of them renamed; the individual businesses stay as they were.
      expect(await load(db, writeText(dir, '企业_20261130.csv', enterprises.replace('甲0有限公司', '甲零有限公司')))).toMatchObject({ status: 'loaded' });
      expect(await rows(db, `SELECT count(*) AS n, count(*) FILTER (WHERE name = '甲零有限公司') AS renamed FROM registration_current`)).toEqual([
        { n: 9, renamed: 1 },
      ]);
      expect(await rows(db, `SELECT file_id, by_file_id FROM supersessions`)).toEqual([{ file_id: 1, by_file_id: 3 }]);
    });
  });
});

describe('snapshot guard', () => {
  it('refuses a snapshot with fewer than half the rows of the current one; old rows stay current; force loads it', async () => {
    const dir = tempDir();
    const september = writeText(dir, '市场主体_20260930.csv', registration(10));
    const october = writeText(dir, '市场主体_20261031.csv', registration(4, '上海'));
    await withDb(async (db) => {
      expect(await load(db, september)).toMatchObject({ status: 'loaded', rowsLoaded: 10 });
      const refused = await load(db, october);
      expect(refused).toMatchObject({ status: 'refused', kind: 'registration', reason: 'snapshot_shrank' });
      const message = refused.status === 'refused' ? refused.message : '';
      expect(message).toContain('"市场主体_20261031.csv" has 4 rows');
      expect(message).toContain('10 in the current registration data it would replace ("市场主体_20260930.csv"');
      expect(message).toContain('check the export');
      expect(message).toContain('--force');
      expect(await rows(db, 'SELECT count(*) AS n, min(name) AS name FROM registration_current')).toEqual([{ n: 10, name: '北京第0科技有限公司' }]);
      expect(await rows(db, 'SELECT count(*) AS n FROM registration')).toEqual([{ n: 10 }]);
      expect(await rows(db, 'SELECT file_name, status, message FROM manifest ORDER BY file_id')).toEqual([
        { file_name: '市场主体_20260930.csv', status: 'loaded', message: null },
        { file_name: '市场主体_20261031.csv', status: 'refused', message },
      ]);

      expect(await load(db, october, { force: true })).toMatchObject({ status: 'loaded', rowsLoaded: 4, asOf: '2026-10-31' });
      expect(await rows(db, 'SELECT count(*) AS n, min(name) AS name FROM registration_current')).toEqual([{ n: 4, name: '上海第0科技有限公司' }]);
    });
  });

  it('loads a snapshot of exactly half the size', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      expect(await load(db, writeText(dir, 'a_20260930.csv', registration(10)))).toMatchObject({ status: 'loaded' });
      expect(await load(db, writeText(dir, 'a_20261031.csv', registration(5, '上海')))).toMatchObject({ status: 'loaded', rowsLoaded: 5 });
      expect(await rows(db, 'SELECT count(*) AS n FROM registration_current')).toEqual([{ n: 5 }]);
    });
  });

  it('compares monthly kinds per month', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      // 3 months x 4 units = 12 rows, 4 a month
      expect(await load(db, writeText(dir, '征收明细_202409.csv', ledger(['202407', '202408', '202409'], 4, 800)))).toMatchObject({
        status: 'loaded',
        rowsLoaded: 12,
      });
      // one month of 3 rows: fewer than half the rows, but 3 of 4 a month
      expect(await load(db, writeText(dir, '征收明细_202410.csv', ledger(['202410'], 3, 800)))).toMatchObject({ status: 'loaded', rowsLoaded: 3 });
      // one month of 1 row against 3 a month
      const refused = await load(db, writeText(dir, '征收明细_202411.csv', ledger(['202411'], 1, 800)));
      expect(refused).toMatchObject({ status: 'refused', reason: 'snapshot_shrank' });
      expect(refused.status === 'refused' && refused.message).toContain(
        'has 1 rows per month in its 1 new month(s), fewer than 50% of the 3 of the same units in 2024-10',
      );
      expect(await rows(db, "SELECT count(*) AS n FROM si_payment_current WHERE period = DATE '2024-11-01'")).toEqual([{ n: 0 }]);
    });
  });

  it('a later file repeating a month wins for that month; other months keep the earlier rows', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      expect(await load(db, writeText(dir, '征收明细_202409.csv', ledger(['202407', '202408', '202409'], 2, 800)))).toMatchObject({ status: 'loaded' });
      expect(await load(db, writeText(dir, '征收明细_202410.csv', ledger(['202409', '202410'], 3, 900)))).toMatchObject({ status: 'loaded' });
      const current = await rows(
        db,
        `SELECT strftime(period, '%Y-%m') AS month, count(*) AS n, min(amount_paid) AS paid, min(m.file_name) AS file
         FROM si_payment_current JOIN manifest m USING (file_id) GROUP BY ALL ORDER BY month`,
      );
      expect(current).toEqual([
        { month: '2024-07', n: 2, paid: 800, file: '征收明细_202409.csv' },
        { month: '2024-08', n: 2, paid: 800, file: '征收明细_202409.csv' },
        { month: '2024-09', n: 3, paid: 900, file: '征收明细_202410.csv' },
        { month: '2024-10', n: 3, paid: 900, file: '征收明细_202410.csv' },
      ]);
      // history keeps both deliveries of September
      expect(await rows(db, `SELECT count(*) AS n FROM si_payment WHERE period = DATE '2024-09-01'`)).toEqual([{ n: 5 }]);
    });
  });
});
