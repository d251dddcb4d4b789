import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testContext, withDb } from '../helpers.ts';
import { seedWorklistDb } from './seed.ts';
import { readCsv } from '../e2e/support.ts';
import { writeFindingsCsv } from '../../src/publish/findings-csv.ts';
import { writeDataQualityCsv } from '../../src/publish/data-quality-csv.ts';

describe('findings.csv and data_quality.csv', () => {
  it('findings.csv keeps the codes for scripts and gives 问题类型, 优先级 and 案件状态 in Chinese beside them', async () => {
    await withDb(async (db) => {
      await seedWorklistDb(db, [
        {
          id: 'E1',
          name: '苏州甲有限公司',
          findings: [
            { rule: 'uninsured', severity: 'high', amount: 1200, text: '未参保' },
            { rule: 'lapsed', severity: 'medium', amount: null, text: '断缴', state: 'open' },
          ],
        },
        { id: 'E2', name: '=HYPERLINK("x")', findings: [{ rule: 'arrears', severity: 'low', amount: 10, text: '欠费', state: 'reopened' }] },
      ]);
      const ctx = testContext({ runId: 'run-1' });
      const file = await writeFindingsCsv(db, ctx);
      expect([...fs.readFileSync(file).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = readCsv(file);
      expect(Object.keys(rows[0] ?? {})).toEqual([
        'case_id',
        'rule_id',
        '问题类型',
        'employer_id',
        'uscc',
        'name',
        'district_code',
        'district_name',
        'street',
        'severity',
        '优先级',
        'amount',
        'case_state',
        '案件状态',
        'evidence',
        'evidence_text',
        'person_key',
        'permit_no',
      ]);
      const pick = rows.map((r) => [r['rule_id'], r['问题类型'], r['severity'], r['优先级'], r['case_state'], r['案件状态']]);
      expect(pick).toEqual([
        ['uninsured', '未参保', 'high', '高', 'new', '新发现'],
        ['lapsed', '断缴', 'medium', '中', 'open', '在办'],
        ['arrears', '欠费', 'low', '低', 'reopened', '重新打开'],
      ]);
      // A hostile name stays text in Excel.
      expect(rows.find((r) => r['employer_id'] === 'E2')?.['name']).toBe(`'=HYPERLINK("x")`);
    });
  });

  it('data_quality.csv keeps the English codes and detail and adds 问题类别, 数据来源 and 说明 in Chinese', async () => {
    await withDb(async (db) => {
      await db.run(
        `INSERT INTO dq_issues VALUES
           ('run-1', 'invalid_code', 'si_unit', '0060000028', '甲公司', 'E1', 'code 91320506MAJ19XD980 fails its check; not used as a key'),
           ('run-1', 'brand_new', 'registration', 'K', '=1+1', NULL, 'a detail nobody translated'),
           ('run-0', 'invalid_code', 'si_unit', 'old', 'old', NULL, 'code X fails its check; not used as a key')`,
      );
      const ctx = testContext({ runId: 'run-1' });
      const file = await writeDataQualityCsv(db, ctx);
      expect(path.basename(file)).toBe('data_quality.csv');
      expect([...fs.readFileSync(file).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(readCsv(file)).toEqual([
        {
          category: 'brand_new',
          问题类别: 'brand_new',
          source: 'registration',
          数据来源: '市场主体登记信息',
          record_key: 'K',
          name: "'=1+1",
          employer_id: '',
          detail: 'a detail nobody translated',
          说明: 'a detail nobody translated',
        },
        {
          category: 'invalid_code',
          问题类别: '代码校验不通过',
          source: 'si_unit',
          数据来源: '社保参保单位',
          record_key: '0060000028',
          name: '甲公司',
          employer_id: 'E1',
          detail: 'code 91320506MAJ19XD980 fails its check; not used as a key',
          说明: '代码 91320506MAJ19XD980 校验不通过，未用作关联依据',
        },
      ]);
    });
  });
});
