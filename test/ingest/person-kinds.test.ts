import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { PERSON_KINDS, CONTRACTS, type Kind } from '../../src/sources/index.ts';
import { candidateKinds } from '../../src/sources/match.ts';
import { findHeader, headRows, sniffDelimiter } from '../../src/ingest/header.ts';
import { xlsxToCsv } from '../../src/ingest/xlsx.ts';
import { readResidentId, residentCheckChar } from '../../src/core/resident-id.ts';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

function id18(first17: string): string {
  return first17 + residentCheckChar(first17);
}
const EXAMPLE = '11010519491231002X';

/**
 * Two header spellings per person kind (EXPORTS.md kinds 7-10): the first alias of every column,
 * and the last alias of every column (a required column, an optional one left out).
 */
const SPELLINGS: Record<(typeof PERSON_KINDS)[number], string[][]> = {
  iit_detail: [
    [
      '扣缴义务人纳税人识别号',
      '扣缴义务人名称',
      '税款所属期',
      '证件类型',
      '证件号码',
      '姓名',
      '所得项目',
      '本期收入',
      '任职受雇从业类型',
      '任职受雇从业日期',
      '离职日期',
    ],
    ['扣缴义务人识别号', '扣缴单位名称', '所属月份', '身份证件类型', '身份证号', '姓名', '收入'],
  ],
  si_person: [
    [
      '个人编号',
      '公民身份号码',
      '姓名',
      '单位编号',
      '险种',
      '个人缴费状态',
      '人员类别',
      '本次参保日期',
      '缴费基数',
      '末次缴费年月',
      '联系电话',
      '所属区县',
      '所属街道',
    ],
    ['aac001', 'aac002', 'aac003', 'aab001', 'aae140', 'aac031', '人员身份', '月缴费基数', '缴费截止年月'],
  ],
  resident_pension: [
    ['公民身份号码', '姓名', '参保状态', '缴费年度', '缴费金额', '资金来源', '参保身份', '所属区县', '所属街道'],
    ['证件号码', '姓名', '参保状态', '缴费年度', '个人缴费金额', '缴费类型', '乡镇(街道)'],
  ],
  assistance: [
    ['身份证号码', '姓名', '类别', '起始日期', '停止日期', '所属区县', '所属街道', '社区'],
    ['证件号码', '姓名', '人员类别', '认定日期', '退出日期', '行政区划代码', '乡镇（街道）', '村（社区）'],
  ],
};

describe('person kinds are recognised by their full set of required columns', () => {
  for (const kind of PERSON_KINDS) {
    it(`${kind}: both spellings give ${kind} alone as the best fit`, () => {
      for (const headers of SPELLINGS[kind]) {
        const found = candidateKinds(headers);
        expect(found[0]?.kind, headers.join(',')).toBe(kind);
        // Any other kind that fits matches fewer columns (人员类别, 证件号码, 参保状态 are shared).
        for (const other of found.slice(1)) expect(other.matched, `${other.kind} vs ${kind}`).toBeLessThan(found[0]?.matched ?? 0);
        const required = CONTRACTS[kind].columns.filter((c) => c.required).map((c) => c.name);
        expect(Object.keys(found[0]?.columns ?? {})).toEqual(expect.arrayContaining(required));
      }
    });
  }

  it('without one required column a person file is not that kind (人员类别 alone does not make an assistance roll of an SI file)', () => {
    // si_person without 险种: not si_person; its 证件号码, 姓名, 人员类别 and 所属区县 are assistance's required columns.
    const headers = ['个人编号', '证件号码', '姓名', '参保状态', '人员类别', '所属区县'];
    expect(candidateKinds(headers).map((m) => m.kind)).toEqual(['assistance']);
    expect(candidateKinds([...headers, '险种']).map((m) => m.kind)[0]).toBe('si_person');
    // resident_pension needs 缴费年度; with it, 参保状态 and 证件号码 no longer make an si_person file.
    expect(candidateKinds(['证件号码', '姓名', '参保状态']).map((m) => m.kind)).toEqual([]);
    expect(candidateKinds(['证件号码', '姓名', '参保状态', '缴费年度']).map((m) => m.kind)).toEqual(['resident_pension']);
    // A withholding return (申报人数) is not the detail (证件号码, 姓名), nor the other way round.
    expect(candidateKinds(['扣缴义务人纳税人识别号', '所属期', '申报人数', '收入额']).map((m) => m.kind)).toEqual(['tax_withholding']);
    expect(candidateKinds(['扣缴义务人纳税人识别号', '所属期', '证件号码', '姓名', '收入额']).map((m) => m.kind)).toEqual(['iit_detail']);
  });

  it('every file of the fixture inbox is still recognised as its kind', async () => {
    const expected: Record<string, Kind> = {
      'export (3).xlsx': 'civil_org',
      '个税扣缴申报202610.xlsx': 'tax_withholding',
      '市场监管_企业登记信息_20261031.csv': 'registration',
      '社保单位参保登记_20261031.csv': 'si_enrollment',
      '社保费征收明细_20260715.csv': 'si_payment',
      '社保费征收明细_202610.xlsx': 'si_payment',
      '税务登记_2026-10.csv': 'tax_registration',
      '苏州市个体工商户登记信息_20261031.xlsx': 'registration',
      '个税全员全额扣缴申报明细_20261020.csv': 'iit_detail',
      '个税全员全额扣缴申报_更正申报_20261031.xlsx': 'iit_detail',
      '社保个人参保信息_20261031.xlsx': 'si_person',
      '城乡居民基本养老保险参保缴费_20261031.csv': 'resident_pension',
      '民政_低保特困人员名单_20261031.xlsx': 'assistance',
      '残联_残疾人名单_20261031.csv': 'assistance',
      '乡村振兴_脱贫人口和监测对象名单_20261031.csv': 'assistance',
      '住建_建筑工程施工许可_20261031.csv': 'construction_permit',
      '工伤保险项目参保_20261031.csv': 'si_project',
    };
    const inbox = path.resolve('fixtures/inbox');
    expect(fs.readdirSync(inbox).sort()).toEqual(Object.keys(expected).sort());
    const dir = tempDir();
    for (const [name, kind] of Object.entries(expected)) {
      const file = path.join(inbox, name);
      let found: Kind;
      if (name.endsWith('.xlsx')) {
        found = (await xlsxToCsv(file, path.join(dir, `${kind}.csv`))).header.match.kind;
      } else {
        const bytes = fs.readFileSync(file).subarray(0, 64 * 1024);
        const text = bytes.toString('utf8').includes('\uFFFD') ? iconv.decode(bytes, 'gb18030') : bytes.toString('utf8');
        found = findHeader(headRows(text, sniffDelimiter(text)), name).match.kind;
      }
      expect(found, name).toBe(kind);
    }
  });
});

describe('typing person rows', () => {
  it('iit_detail: resident IDs normalised and checked as the TypeScript twin says, other ID types kept as written, the defaults of empty items', async () => {
    const dir = tempDir();
    const written: Array<[idType: string, raw: string]> = [
      ['居民身份证', EXAMPLE.toLowerCase()],
      ['', '110105491231002'],
      ['居民身份证', '１１０１０５１９４９１２３１００２Ｘ'],
      ['居民身份证', `${EXAMPLE.slice(0, 17)}1`],
      ['居民身份证', id18('32050519990229001')],
      ['居民身份证', id18('32050518991231001')],
      ['居民身份证', id18('32050520261101001')],
      ['居民身份证', '3205051980'],
      ['外国护照', 'E12345678'],
      ['港澳居民居住证', id18('81000019900101001')],
    ];
    const body = written.map(
      ([t, raw], i) =>
        `91320505MA1XXXXX0X,苏州甲有限公司,2026-09,${t},${raw},张${i},${i % 2 ? '' : '劳务报酬'},8000,${i % 3 ? '' : '实习学生（全日制学历教育）'}`,
    );
    const file = writeText(
      dir,
      '个税明细_20261031.csv',
      `扣缴义务人纳税人识别号,扣缴义务人名称,税款所属期,证件类型,证件号码,姓名,所得项目,本期收入,任职受雇从业类型\n${body.join('\n')}\n`,
    );
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'iit_detail', rowsLoaded: written.length, rowsRejected: 0, valuesFlagged: 0 });
      const got = await rows(
        db,
        'SELECT id_type, id_kind, id_no, id_no_raw, id_issue, income_class, employment_class, period FROM iit_detail ORDER BY src_line',
      );
      expect(got).toEqual(
        written.map(([t, raw], i) => {
          const resident = t === '' || t === '居民身份证';
          const read = readResidentId(raw, '2026-10-31');
          return {
            id_type: t === '' ? null : t,
            id_kind: resident ? 'resident' : 'other',
            id_no: resident ? read.id18 : null,
            id_no_raw: raw,
            id_issue: resident ? read.issue : null,
            income_class: i % 2 ? 'salary' : 'other',
            employment_class: i % 3 ? 'employee' : 'other',
            period: '2026-09-01',
          };
        }),
      );
      // Every outcome occurs: the case list is not trivially one.
      expect(new Set(got.map((r) => r['id_issue']))).toEqual(new Set([null, 'bad_check', 'bad_birth_date', 'bad_format']));
    });
  });

  it('iit_detail without the optional columns: every number is a resident ID, every item wages, every type an employee', async () => {
    const dir = tempDir();
    const file = writeText(dir, '明细.csv', `扣缴义务人识别号,所属期,身份证号,姓名,收入额\n91320505MA1XXXXX0X,202609,${EXAMPLE},李四,1000\n`);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'iit_detail', rowsLoaded: 1 });
      expect(await rows(db, 'SELECT id_kind, id_no, id_issue, income_class, employment_class FROM iit_detail')).toEqual([
        { id_kind: 'resident', id_no: EXAMPLE, id_issue: null, income_class: 'salary', employment_class: 'employee' },
      ]);
    });
  });

  it('iit_detail with 所属期起 / 所属期止: a pair within one month is that month, one spanning months is rejected', async () => {
    const dir = tempDir();
    const file = writeText(
      dir,
      '明细_起止.csv',
      [
        '扣缴义务人纳税人识别号,所属期起,所属期止,证件号码,姓名,收入额',
        `91320505MA1XXXXX0X,2026-09-01,2026-09-30,${EXAMPLE},甲,1000`,
        `91320505MA1XXXXX0X,2026/9/1,2026年9月30日,${EXAMPLE},甲,1000`,
        `91320505MA1XXXXX0X,2026-08-01,2026-09-30,${EXAMPLE},甲,1000`,
        `91320505MA1XXXXX0X,2026-09-01,,${EXAMPLE},甲,1000`,
        `91320505MA1XXXXX0X,2026-09-01,九月底,${EXAMPLE},甲,1000`,
      ].join('\n'),
    );
    expect(candidateKinds(['扣缴义务人纳税人识别号', '税款所属期起', '税款所属期止', '证件号码', '姓名', '收入额'])[0]?.kind).toBe('iit_detail');
    expect(candidateKinds(['扣缴义务人纳税人识别号', '所属期起', '证件号码', '姓名', '收入额'])).toEqual([]);
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'iit_detail', rowsLoaded: 2, rowsRejected: 3 });
      expect(await rows(db, 'SELECT period FROM iit_detail')).toEqual([{ period: '2026-09-01' }, { period: '2026-09-01' }]);
      expect(await rows(db, 'SELECT line, column_name, reason FROM rejects ORDER BY line')).toEqual([
        { line: 4, column_name: 'period', reason: 'period spans months' },
        { line: 5, column_name: 'period', reason: 'missing required value' },
        { line: 6, column_name: 'period', reason: 'unreadable period' },
      ]);
      const [m] = await rows(db, 'SELECT column_map FROM manifest');
      expect(JSON.parse(String(m?.['column_map']))).toMatchObject({ period: '所属期起', 'period~to': '所属期止' });
    });
  });

  it('si_person, resident_pension, assistance: their classes; an unknown category is kept and reported; a missing ID rejects the row', async () => {
    const dir = tempDir();
    const si = writeText(
      dir,
      '社保个人_20261031.csv',
      [
        '个人编号,公民身份号码,姓名,单位编号,险种,个人缴费状态,人员类别,缴费基数,末次缴费年月',
        `P1,${EXAMPLE},王五,U1,机关事业单位养老保险,参保缴费,退休,5000,2026-09`,
        `P2,${id18('32050519800101001')},赵六,,110,2,灵活就业,,202605`,
        `P3,,钱七,U1,110,1,在职,4000,202609`,
      ].join('\n'),
    );
    const pension = writeText(
      dir,
      '城乡居民_20261031.csv',
      ['公民身份号码,姓名,参保状态,缴费年度,资金来源', `${EXAMPLE},王五,待遇领取,2026,`, `${id18('32050519800101001')},赵六,正常参保,2026,11`].join('\n'),
    );
    const aid = writeText(
      dir,
      '民政_20261031.csv',
      ['身份证号码,姓名,类别,所属区县', `${EXAMPLE},王五,城市低保,320505`, `${id18('32050519800101001')},赵六,孤儿,320505`].join('\n'),
    );
    await withDb(async (db) => {
      expect(await load(db, si)).toMatchObject({ status: 'loaded', kind: 'si_person', rowsLoaded: 2, rowsRejected: 1 });
      expect(await load(db, pension)).toMatchObject({ status: 'loaded', kind: 'resident_pension', rowsLoaded: 2 });
      expect(await load(db, aid)).toMatchObject({ status: 'loaded', kind: 'assistance', rowsLoaded: 2, valuesFlagged: 1 });
      expect(await rows(db, 'SELECT insurance_code, status_class, person_class, base, last_paid_period FROM si_person ORDER BY src_line')).toEqual([
        { insurance_code: '120', status_class: 'active', person_class: 'retired', base: 5000, last_paid_period: '2026-09-01' },
        { insurance_code: '110', status_class: 'suspended', person_class: 'flexible', base: null, last_paid_period: '2026-05-01' },
      ]);
      expect(await rows(db, `SELECT line, column_name, reason, raw FROM rejects`)).toEqual([
        { line: 4, column_name: 'id_no', reason: 'missing required value', raw: 'P3,,钱七,U1,110,1,在职,4000,202609' },
      ]);
      expect(await rows(db, 'SELECT status_class, funding_class FROM resident_pension ORDER BY src_line')).toEqual([
        { status_class: 'receiving', funding_class: null },
        { status_class: 'active', funding_class: 'government' },
      ]);
      expect(await rows(db, 'SELECT category, category_class FROM assistance ORDER BY src_line')).toEqual([
        { category: '城市低保', category_class: 'dibao_urban' },
        { category: '孤儿', category_class: null },
      ]);
      expect(await rows(db, `SELECT kind, column_name, value, reason, action FROM value_issues`)).toEqual([
        { kind: 'assistance', column_name: 'category', value: '孤儿', reason: 'unknown value', action: 'kept' },
      ]);
    });
  });
});
