import { describe, expect, it } from 'vitest';
import { CASE_STATE_ZH, DQ_CATEGORY_ZH, SEVERITY_ZH, STAGE_ZH, columnZh, detailZh, sourceZh, zh } from '../../src/publish/labels.ts';

describe('the Chinese of the codes the office reads', () => {
  it('translates every detail text link.sql, rules.sql and ledger_data_quality write', () => {
    const cases: Array<[string, string | null, string]> = [
      ['code 91320506MAJ19XD980 fails its check; not used as a key', 'si_unit', '代码 91320506MAJ19XD980 校验不通过，未用作关联依据'],
      ['organisation code MA1234567 is inside 2 different USCCs', 'tax_registration', '组织机构代码 MA1234567 出现在 2 个不同的统一社会信用代码中，未据此关联'],
      ['the same name in the same district belongs to 2 employers: uscc:A, uscc:B', 'si_unit', '同一区县有 2 家单位同名（uscc:A, uscc:B），未据名称关联'],
      ['3 registry rows share this USCC', 'registration', '市场监管登记中有 3 行使用此统一社会信用代码'],
      ['USCC 91X is "甲公司" in the registry but "乙公司" here', 'si_unit', '统一社会信用代码 91X 在市场监管登记中为“甲公司”，此处为“乙公司”'],
      ['12 payment rows for a unit that is not in the enrollment export', 'si_payment', '12 行缴费记录所属单位不在参保登记中'],
      ['status = "待定" is not a known value (3 rows, e.g. 登记.csv line 7)', 'registration', '登记状态“待定”不是已知的值（3 行，例如 登记.csv 第 7 行）'],
      ['established_on = "2024-13-45": unreadable date, nulled (e.g. line 9)', 'civil_org', '成立登记日期“2024-13-45”日期无法识别，已置空（例如第 9 行）'],
      ['established_on: unreadable date (e.g. line 13)', 'registration', '成立日期：日期无法识别（例如第 13 行）'],
      ['name: missing required value (e.g. line 5)', 'registration', '企业名称：必填值为空（例如第 5 行）'],
      ['wrong column count: more fields than headers (e.g. line 21)', 'registration', '列数不符：字段比表头多（例如第 21 行）'],
      [
        'resident ID fails its check character (3 row(s) of "个税明细.csv", first at line 1552); not used as a key',
        'iit_detail',
        '身份证号码校验码错误（文件“个税明细.csv”中 3 行，首次出现在第 1552 行），未用作人员关联依据',
      ],
      [
        'resident ID holds an impossible birth date (1 row(s) of "名单.xlsx", first at line 16); not used as a key',
        'assistance',
        '身份证号码出生日期不存在（文件“名单.xlsx”中 1 行，首次出现在第 16 行），未用作人员关联依据',
      ],
      [
        'resident ID is not 18 characters (or 15 digits) (2 row(s) of "a.csv", first at line 2); not used as a key',
        'si_person',
        '身份证号码位数或字符不符（应为 18 位或 15 位数字）（文件“a.csv”中 2 行，首次出现在第 2 行），未用作人员关联依据',
      ],
    ];
    for (const [english, kind, chinese] of cases) expect(detailZh(english, kind), english).toBe(chinese);
  });

  it('leaves a text, a reason or a code no table knows as it is', () => {
    expect(detailZh('something new happened')).toBe('something new happened');
    expect(detailZh('name: a reason nobody wrote down (e.g. line 3)', 'registration')).toBe('企业名称：a reason nobody wrote down（例如第 3 行）');
    expect(detailZh(null)).toBe('');
    expect(zh(DQ_CATEGORY_ZH, 'brand_new_category')).toBe('brand_new_category');
    expect(zh(DQ_CATEGORY_ZH, null)).toBe('');
    expect(sourceZh('some_future_kind')).toBe('some_future_kind');
    expect(columnZh('registration', 'no_such_column')).toBe('no_such_column');
  });

  it('names the kinds, link sources, priorities, case states and stages in Chinese', () => {
    expect(sourceZh('civil_org')).toBe('社会组织登记信息');
    expect(sourceZh('si_unit')).toBe('社保参保单位');
    expect(Object.values(SEVERITY_ZH)).toEqual(['高', '中', '低']);
    expect(zh(CASE_STATE_ZH, 'new')).toBe('新发现');
    expect(zh(STAGE_ZH, 'publish.csv')).toBe('发布：CSV 文件');
    expect(zh(DQ_CATEGORY_ZH, 'invalid_code')).toBe('代码校验不通过');
    // Every stage and publish part the pipeline times has a name.
    for (const stage of ['open', 'reference', 'ingest', 'link', 'feedback', 'rules', 'cases', 'audit', 'publish', 'commit']) {
      expect(STAGE_ZH[stage], stage).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
