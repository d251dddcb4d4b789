import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

// One si_enrollment export, written in each encoding and delimiter the agencies use.
const HEADER = ['单位编号', '统一社会信用代码', '单位名称', '险种', '参保状态', '参保人数'];
const DATA = [
  ['000123', '91110108MA01ABCD2X', '北京市海淀区中关村科技有限公司', '企业职工基本养老保险', '参保缴费', '12'],
  ['004560', '91110108MA01EFGH3Y', '朝阳区“老字号”餐饮店', '失业保险', '暂停缴费', '3'],
  ['0789', '', '顺义区某某物流（北京）有限公司', '310', '1', '45'],
];

function text(delimiter: string): string {
  return `${[HEADER, ...DATA].map((r) => r.join(delimiter)).join('\r\n')}\r\n`;
}

const CASES = [
  { label: 'GBK, comma', name: 'gbk.csv', delimiter: ',', encoding: 'gbk', stored: 'gb18030' },
  { label: 'UTF-8 with BOM, comma', name: 'bom.csv', delimiter: ',', encoding: 'utf-8-bom', stored: 'utf-8-bom' },
  { label: 'UTF-8, comma', name: 'plain.csv', delimiter: ',', encoding: 'utf-8', stored: 'utf-8' },
  { label: 'UTF-8, tab', name: 'tab.txt', delimiter: '\t', encoding: 'utf-8', stored: 'utf-8' },
  { label: 'GBK, pipe', name: 'pipe.csv', delimiter: '|', encoding: 'gbk', stored: 'gb18030' },
] as const;

describe('encodings and delimiters', () => {
  for (const c of CASES) {
    it(`loads ${c.label}: kind, rows, Chinese text and leading zeros exact`, async () => {
      const dir = tempDir();
      const file = writeText(dir, c.name, text(c.delimiter), c.encoding);
      await withDb(async (db) => {
        const result = await load(db, file);
        expect(result).toMatchObject({ status: 'loaded', kind: 'si_enrollment', rowsLoaded: 3, rowsRejected: 0 });
        const got = await rows(
          db,
          `SELECT unit_id, uscc, name, insurance_type, insurance_code, status_class, insured_count, src_line
           FROM si_enrollment ORDER BY src_line`,
        );
        expect(got).toEqual([
          {
            unit_id: '000123',
            uscc: '91110108MA01ABCD2X',
            name: DATA[0]?.[2],
            insurance_type: '企业职工基本养老保险',
            insurance_code: '110',
            status_class: 'active',
            insured_count: 12,
            src_line: 2,
          },
          {
            unit_id: '004560',
            uscc: '91110108MA01EFGH3Y',
            name: DATA[1]?.[2],
            insurance_type: '失业保险',
            insurance_code: '210',
            status_class: 'suspended',
            insured_count: 3,
            src_line: 3,
          },
          {
            unit_id: '0789',
            uscc: null,
            name: DATA[2]?.[2],
            insurance_type: '310',
            insurance_code: '310',
            status_class: 'active',
            insured_count: 45,
            src_line: 4,
          },
        ]);
        const [manifest] = await rows(db, `SELECT encoding, delimiter, format, status FROM manifest`);
        expect(manifest).toEqual({ encoding: c.stored, delimiter: c.delimiter, format: 'csv', status: 'loaded' });
      });
    });
  }

  it('decodes GB18030 four-byte characters (outside GBK) exactly', async () => {
    const dir = tempDir();
    const name = '𠮷野家餐饮（北京）有限公司';
    const file = path.join(dir, 'gb18030.csv');
    fs.writeFileSync(file, iconv.encode(`单位编号,单位名称,险种,参保状态\n000001,${name},110,1\n`, 'gb18030'));
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: 1 });
      expect(await rows(db, 'SELECT unit_id, name FROM si_enrollment')).toEqual([{ unit_id: '000001', name }]);
    });
  });
});
