import { describe, expect, it } from 'vitest';
import { residentCheckChar } from '../../src/core/resident-id.ts';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

/** The n-th valid resident ID of the tests (born 1980-01-01, sequence number n). */
function person(n: number): string {
  const first17 = `32050519800101${String(n).padStart(3, '0')}`;
  return first17 + residentCheckChar(first17);
}

const AGENT_A = '91320505MA1AAAAA0A';
const AGENT_B = '91320505MA1BBBBB0B';
const IIT_HEADER = '扣缴义务人纳税人识别号,扣缴义务人名称,税款所属期,证件号码,姓名,所得项目,本期收入';

/** iit_detail rows: for each agent and month, `people` people earning `income`. */
function iit(slices: Array<{ agent: string; month: string; people: number[]; income?: number }>): string {
  const body = slices.flatMap((s) =>
    s.people.map((p) => `${s.agent},${s.agent === AGENT_A ? '甲' : '乙'}公司,${s.month},${person(p)},人${p},正常工资薪金,${s.income ?? 8000}`),
  );
  return `${[IIT_HEADER, ...body].join('\n')}\n`;
}

/** The current iit rows as "agent month person income", sorted. */
async function currentIit(db: Parameters<Parameters<typeof withDb>[0]>[0]): Promise<string[]> {
  const got = await rows(db, `SELECT taxpayer_id, strftime(period, '%Y-%m') AS m, person_name, income FROM iit_detail_current ORDER BY ALL`);
  return got.map((r) => `${r['taxpayer_id'] === AGENT_A ? 'A' : 'B'} ${r['m']} ${r['person_name']} ${r['income']}`);
}

const MAIN = [
  { agent: AGENT_A, month: '2026-08', people: [1, 2, 3] },
  { agent: AGENT_A, month: '2026-09', people: [1, 2, 3] },
  { agent: AGENT_B, month: '2026-08', people: [4, 5, 6] },
  { agent: AGENT_B, month: '2026-09', people: [4, 5, 6] },
];
// 更正申报 of agent A's September: person 3 earned more, person 7 was missing.
const CORRECTION = [{ agent: AGENT_A, month: '2026-09', people: [1, 2, 3, 7], income: 9000 }];
const AFTER_CORRECTION = [
  'A 2026-08 人1 8000',
  'A 2026-08 人2 8000',
  'A 2026-08 人3 8000',
  'A 2026-09 人1 9000',
  'A 2026-09 人2 9000',
  'A 2026-09 人3 9000',
  'A 2026-09 人7 9000',
  'B 2026-08 人4 8000',
  'B 2026-08 人5 8000',
  'B 2026-08 人6 8000',
  'B 2026-09 人4 8000',
  'B 2026-09 人5 8000',
  'B 2026-09 人6 8000',
];

describe('iit_detail: the later file wins per withholding agent and month', () => {
  it('a correction of one agent’s month replaces just that, and the snapshot guard lets it in', async () => {
    const dir = tempDir();
    const main = writeText(dir, '个税明细_20261020.csv', iit(MAIN));
    const correction = writeText(dir, '更正申报_20261031.csv', iit(CORRECTION));
    await withDb(async (db) => {
      expect(await load(db, main)).toMatchObject({ status: 'loaded', kind: 'iit_detail', rowsLoaded: 12 });
      expect(await load(db, correction)).toMatchObject({ status: 'loaded', kind: 'iit_detail', rowsLoaded: 4 });
      expect(await currentIit(db)).toEqual(AFTER_CORRECTION);
      expect(await rows(db, `SELECT kind, file_id, strftime(period, '%Y-%m') AS m, record_key, by_file_id FROM supersessions`)).toEqual([
        { kind: 'iit_detail', file_id: 1, m: '2026-09', record_key: AGENT_A, by_file_id: 2 },
      ]);
    });
  });

  it('delivered the other way round (the correction first), the earlier main file is history for that agent’s month only', async () => {
    const dir = tempDir();
    const correction = writeText(dir, '更正申报_20261031.csv', iit(CORRECTION));
    const main = writeText(dir, '个税明细_20261020.csv', iit(MAIN));
    await withDb(async (db) => {
      expect(await load(db, correction)).toMatchObject({ status: 'loaded', rowsLoaded: 4 });
      expect(await load(db, main)).toMatchObject({ status: 'loaded', rowsLoaded: 12 });
      expect(await currentIit(db)).toEqual(AFTER_CORRECTION);
      expect(await rows(db, `SELECT file_id, strftime(period, '%Y-%m') AS m, record_key, by_file_id FROM supersessions`)).toEqual([
        { file_id: 2, m: '2026-09', record_key: AGENT_A, by_file_id: 1 },
      ]);
    });
  });

  it('a later delivery of every agent replaces whole months (one row a month, the correction included); a shrunken one is refused', async () => {
    const dir = tempDir();
    const again = MAIN.map((s) => ({ ...s, income: 8500 }));
    await withDb(async (db) => {
      await load(db, writeText(dir, '个税明细_20261020.csv', iit(MAIN)));
      await load(db, writeText(dir, '更正申报_20261031.csv', iit(CORRECTION)));
      // The next month's export repeats August and September, a third of the rows only: refused.
      const cut = await load(db, writeText(dir, '个税明细_20261115_cut.csv', iit(MAIN.map((s) => ({ ...s, people: s.people.slice(0, 1) })))));
      expect(cut).toMatchObject({ status: 'refused', reason: 'snapshot_shrank' });
      expect(cut.status === 'refused' && cut.message).toContain('has 4 rows in the');
      expect(cut.status === 'refused' && cut.message).toContain('withholding agents’ months it delivers again');
      expect(await currentIit(db)).toEqual(AFTER_CORRECTION);
      // The full export (person 7 not in it: the correction is replaced too).
      expect(await load(db, writeText(dir, '个税明细_20261115.csv', iit(again)))).toMatchObject({ status: 'loaded', rowsLoaded: 12 });
      expect((await currentIit(db)).filter((r) => !r.endsWith(' 8500'))).toEqual([]);
      expect(await currentIit(db)).toHaveLength(12);
      expect(await rows(db, `SELECT file_id, strftime(period, '%Y-%m') AS m, record_key, by_file_id FROM supersessions ORDER BY ALL`)).toEqual([
        { file_id: 1, m: '2026-08', record_key: null, by_file_id: 4 },
        { file_id: 1, m: '2026-09', record_key: AGENT_A, by_file_id: 2 },
        { file_id: 1, m: '2026-09', record_key: null, by_file_id: 4 },
        { file_id: 2, m: '2026-09', record_key: null, by_file_id: 4 },
      ]);
    });
  });

  it('one agent’s month that is new is compared with that agent’s last month, not with every agent’s', async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      await load(db, writeText(dir, '个税明细_20261020.csv', iit(MAIN)));
      // Agent A alone delivers October: 3 rows against A's 3 in September (all agents had 6).
      expect(await load(db, writeText(dir, '甲_202610.csv', iit([{ agent: AGENT_A, month: '2026-10', people: [1, 2, 3] }])))).toMatchObject({
        status: 'loaded',
        rowsLoaded: 3,
      });
      // Agent B's October with one person of its three looks cut, though October is no longer new.
      const cut = await load(db, writeText(dir, '乙_202610.csv', iit([{ agent: AGENT_B, month: '2026-10', people: [4] }])));
      expect(cut).toMatchObject({ status: 'refused', reason: 'snapshot_shrank' });
      expect(cut.status === 'refused' && cut.message).toContain(
        'has 1 rows in its 1 new withholding agents’ month(s), fewer than 50% of the 3 of the same agents in their previous month',
      );
      expect(await load(db, writeText(dir, '乙_202610_full.csv', iit([{ agent: AGENT_B, month: '2026-10', people: [4, 5] }])))).toMatchObject({
        status: 'loaded',
        rowsLoaded: 2,
      });
    });
  });
});
