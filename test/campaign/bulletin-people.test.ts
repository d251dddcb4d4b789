import { describe, expect, it } from 'vitest';
import type ExcelJS from 'exceljs';
import { testContext, withDb } from '../helpers.ts';
import type { Db } from '../../src/db/database.ts';
import { bulletinPeople } from '../../src/campaign/bulletin.ts';
import { bulletinWith } from './bulletin-support.ts';
import { bulletinHtml } from '../../src/campaign/bulletin-html.ts';
import { BULLETIN_SHEETS, bulletinWorkbook } from '../../src/campaign/bulletin-xlsx.ts';
import { createLedgerViews, fillLedgerPerson } from '../../src/publish/ledger-views.ts';
import { seedWorklistDb } from '../publish/seed.ts';
import { seedPersonCity } from '../publish/person-seed.ts';

const employers = (db: Db): Promise<unknown> =>
  seedWorklistDb(db, [
    { id: 'E1', name: '苏州甲有限公司', district: '320508', street: '沧浪街道', findings: [] },
    { id: 'E2', name: '苏州乙有限公司', district: '320505', street: '狮山街道', findings: [] },
    { id: 'E3', name: '苏州丙有限公司', district: '320507', street: '元和街道', findings: [] },
  ]);

describe('the monthly bulletin: the people', () => {
  it('reads the run’s person ledger per district and for the city, and words it; an empty district renders with —', async () => {
    await withDb(async (db) => {
      await seedPersonCity(db, employers);
      await db.run(`INSERT INTO rule_runs (run_id, rule_id, version, found, exempted, ms) VALUES ('run-1', 'person_uninsured', 1, 2, 0, 1)`);
      await createLedgerViews(db);
      await fillLedgerPerson(db, testContext({ runId: 'run-1' }));
      const people = await bulletinPeople(db, 'run-1');
      expect(people.city).toEqual({
        districtCode: null,
        districtName: '合计',
        wageEarners: 4,
        enrolled: 2,
        coverage: 0.5,
        uninsured: 2,
        lapsed: 1,
        assistance: 2,
        covered: 1,
        daijiaoCoverage: 0.5,
      });
      expect(people.districts.map((d) => [d.districtName, d.wageEarners, d.coverage, d.uninsured, d.lapsed, d.assistance, d.daijiaoCoverage])).toEqual([
        ['虎丘区', 2, 0.5, 1, 1, 1, 0],
        ['相城区', 0, null, 0, 0, 0, null],
        ['姑苏区', 3, 2 / 3, 1, 0, 1, 1],
      ]);
      // Another run recorded nothing: nobody.
      expect(await bulletinPeople(db, 'run-0')).toEqual({ districts: [], city: null });

      const b = bulletinWith({ people });
      expect(b.paragraphs.people).toBe(
        '截至 2026-10-31，全市单位连续两个月领取工资的职工 4 人，其中已参加职工养老保险 2 人，职工参保率 50.0%；发现未参保职工 2 人，断缴人员 1 人；困难群体应代缴城乡居民养老保险 2 人，已代缴 1 人，代缴覆盖率 50.0%。',
      );
      const html = bulletinHtml(b);
      expect(html).toContain('<h2>四、人员参保情况</h2>');
      expect(html).toContain('<tr><td class="name">相城区</td><td>0</td><td>0</td><td>—</td><td>0</td><td>0</td><td>0</td><td>0</td><td>—</td></tr>');
      expect(html).toContain(
        '<tr class="total"><td class="name">合计</td><td>4</td><td>2</td><td>50.0%</td><td>2</td><td>1</td><td>2</td><td>1</td><td>50.0%</td></tr>',
      );
      expect(html).not.toMatch(/NaN|Infinity|undefined/);

      const wb = bulletinWorkbook(b);
      expect(wb.worksheets.map((w) => w.name)).toEqual([...BULLETIN_SHEETS]);
      const ws = wb.getWorksheet('人员参保') as ExcelJS.Worksheet;
      const rowsOf = [3, 4, 5, 6].map((r) => (ws.getRow(r).values as unknown[]).slice(1));
      expect(rowsOf.map((r) => r[0])).toEqual(['虎丘区', '相城区', '姑苏区', '合计']);
      expect(rowsOf[1]).toEqual(['相城区', 0, 0, '—', 0, 0, 0, 0, '—']);
      expect(rowsOf[3]).toEqual(['合计', 4, 2, 0.5, 2, 1, 2, 1, 0.5]);
      expect(ws.getCell(6, 4).numFmt).toBe('0.0%');
      const text = (wb.getWorksheet('通报') as ExcelJS.Worksheet).getSheetValues().flat().map(String).join('\n');
      expect(text).toContain('三、人员参保情况');
      expect(text).toContain('职工参保率 50.0%');
    });
  });

  it('says there is no person data for a run without it, in the page and the workbook', () => {
    const b = bulletinWith({ people: { districts: [], city: null } });
    expect(b.paragraphs.people).toBeNull();
    expect(bulletinHtml(b)).toContain('本期运行没有人员层面的数据。');
    const wb = bulletinWorkbook(b);
    expect(((wb.getWorksheet('人员参保') as ExcelJS.Worksheet).getRow(2).values as unknown[])[1]).toBe('本期运行没有人员层面的数据。');
    // A city row whose counts are unknown (the run had no person facts) words nothing either.
    const unknown = bulletinWith({
      people: {
        districts: [],
        city: {
          districtCode: null,
          districtName: '合计',
          wageEarners: null,
          enrolled: null,
          coverage: null,
          uninsured: null,
          lapsed: null,
          assistance: null,
          covered: null,
          daijiaoCoverage: null,
        },
      },
    });
    expect(unknown.paragraphs.people).toBeNull();
  });
});
