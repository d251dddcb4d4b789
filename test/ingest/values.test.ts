import { describe, expect, it } from 'vitest';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

/** A CSV line from fields, quoting the ones that hold a comma. */
const line = (fields: string[]): string => fields.map((f) => (f.includes(',') ? `"${f}"` : f)).join(',');

describe('value formats', () => {
  it('reads every date format, capital form, code form and empty marker of a registration export', async () => {
    const header = ['统一社会信用代码', '企业名称', '成立日期', '登记状态', '注册资本', '法定代表人', '所属区县代码', '从业人数', '注销日期'];
    // [uscc, established_on, capital, empty marker for the optional columns]
    const cases = [
      ['91110108MA01ABCD2X', '2024-01-05', '50(万元人民币)', ''],
      ['91110108ma01abcd3x', '2024/1/5', '20(万美元)', 'N/A'],
      ['9111 0108 MA01 ABCD4X', '20240105', 'N/A', '-'],
      ['９１１１０１０８ＭＡ０１ＡＢＣＤ５Ｘ', '2024.01.05', '100', '无'],
      [' 91110108MA01ABCD6X ', '2024年1月5日', '500万元', 'null'],
      ['91110108MA01ABCD7X', '45296', '1,000(万元人民币)', 'NULL'],
      ['91110108MA01ABCD8X', '2024-01-05 00:00:00', '50（万元人民币）', ' N/A '],
    ] as const;
    const body = cases.map(([uscc, date, capital, empty], i) => line([uscc, `公司${i}`, date, '存续', capital, empty, empty, empty, empty]));
    const dir = tempDir();
    const file = writeText(dir, 'formats.csv', `${[line(header), ...body].join('\n')}\n`);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: cases.length, rowsRejected: 0, valuesFlagged: 0 });
      const got = await rows(
        db,
        `SELECT uscc, uscc_raw, established_on, capital, capital_wan, capital_currency, legal_rep, district_code, district_code_raw, employees, closed_on
         FROM registration ORDER BY src_line`,
      );
      expect(got.map((r) => r['uscc'])).toEqual([2, 3, 4, 5, 6, 7, 8].map((n) => `91110108MA01ABCD${n}X`));
      expect(got.map((r) => r['uscc_raw'])).toEqual(cases.map(([uscc]) => uscc.trim()));
      expect(new Set(got.map((r) => r['established_on']))).toEqual(new Set(['2024-01-05']));
      expect(got.map((r) => [r['capital_wan'], r['capital_currency']])).toEqual([
        [50, '人民币'],
        [20, '美元'],
        [null, null],
        [100, '人民币'],
        [500, '人民币'],
        [1000, '人民币'],
        [50, '人民币'],
      ]);
      expect(got[2]?.['capital']).toBeNull();
      for (const r of got) {
        expect([r['legal_rep'], r['district_code'], r['district_code_raw'], r['employees'], r['closed_on']]).toEqual([null, null, null, null, null]);
      }
    });
  });

  it('reads periods, money and counts of a payment ledger; codes keep their leading zeros', async () => {
    const header = ['单位编号', '费款所属期', '险种', '缴费人数', '缴费基数合计', '应缴金额', '实缴金额', '到账日期'];
    const body = [
      ['000123', '202410', '110', '12', '1234.5', '1,234.50', '￥1,234.50', '2024/11/15'],
      ['000123', '2024-11', '企业职工基本养老保险', '1,200', '¥1,234.50', '1234.50元', ' 1234.5 ', '20241215'],
      ['０００１２３', '2024年12月', '养老', '12人', '1234.50', '1234.5', '1234.5', '45658'],
      ['000123', '2025/1', '110', '12', '1234.5', '1234.5', '0', '2025年2月5日'],
    ];
    const dir = tempDir();
    const file = writeText(dir, 'ledger.csv', `${[header, ...body].map(line).join('\n')}\n`);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'si_payment', rowsLoaded: 4, rowsRejected: 0, valuesFlagged: 0 });
      expect(
        await rows(db, 'SELECT unit_id, period, insurance_code, insured_count, base_total, amount_due, amount_paid, paid_on FROM si_payment ORDER BY src_line'),
      ).toEqual([
        {
          unit_id: '000123',
          period: '2024-10-01',
          insurance_code: '110',
          insured_count: 12,
          base_total: 1234.5,
          amount_due: 1234.5,
          amount_paid: 1234.5,
          paid_on: '2024-11-15',
        },
        {
          unit_id: '000123',
          period: '2024-11-01',
          insurance_code: '110',
          insured_count: 1200,
          base_total: 1234.5,
          amount_due: 1234.5,
          amount_paid: 1234.5,
          paid_on: '2024-12-15',
        },
        {
          unit_id: '000123',
          period: '2024-12-01',
          insurance_code: '110',
          insured_count: 12,
          base_total: 1234.5,
          amount_due: 1234.5,
          amount_paid: 1234.5,
          paid_on: '2025-01-01',
        },
        {
          unit_id: '000123',
          period: '2025-01-01',
          insurance_code: '110',
          insured_count: 12,
          base_total: 1234.5,
          amount_due: 1234.5,
          amount_paid: 0,
          paid_on: '2025-02-05',
        },
      ]);
      const [m] = await rows(db, 'SELECT period_min, period_max FROM manifest');
      expect(m).toEqual({ period_min: '2024-10-01', period_max: '2025-01-01' });
    });
  });

  it('matches status and type texts after folding width, spaces and commas', async () => {
    const statuses = ['存续', '在业', '吊销，未注销', '吊销,未注销', '吊销 ，已注销', '注销', '迁出', '歇业', '清算', '存续（在营、开业、在册）'];
    const expected = ['active', 'active', 'revoked', 'revoked', 'closed', 'closed', 'moved_out', 'suspended', 'liquidating', 'active'];
    const dir = tempDir();
    const body = statuses.map((s, i) => line([`91110108MA01ABC${String(i).padStart(2, '0')}X`, `公司${i}`, '2020-01-01', s]));
    const file = writeText(dir, 'status.csv', `${['统一社会信用代码,企业名称,成立日期,登记状态', ...body].join('\n')}\n`);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', rowsLoaded: statuses.length, valuesFlagged: 0 });
      expect((await rows(db, 'SELECT status_class FROM registration ORDER BY src_line')).map((r) => r['status_class'])).toEqual(expected);
    });
  });
});
