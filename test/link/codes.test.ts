import { describe, it, expect } from 'vitest';
import {
  USCC_ALPHABET,
  cleanCode,
  employerKind,
  legacyTaxIdFromUscc,
  makeUscc,
  orgCodeCheckChar,
  orgCodeFromUscc,
  parseTaxpayerId,
  regNoCheckDigit,
  regionFromUscc,
  residentIdCheckChar,
  usccCheckChar,
  validateOrgCode,
  validateRegNo15,
  validateResidentId,
  validateUscc,
  type CodeCheck,
  type EmployerKind,
} from '../../src/link/codes.ts';
import { CODE_MACROS_SQL } from '../../src/link/codes-sql.ts';
import { memoryDb } from '../../src/db/database.ts';

/** The failure reason of a check, or 'ok'. */
function outcome(check: CodeCheck): string {
  return check.ok ? 'ok' : check.reason;
}

// Published USCCs. Each was checked with both check characters before it went in here.
const PUBLISHED_USCC: ReadonlyArray<[code: string, who: string, source: string]> = [
  // EV TLS certificate of www.cmbchina.com, subject serialNumber (copied in a public note on
  // X.509 subject fields on GitHub).
  ['9144030010001686XA', '招商银行股份有限公司', 'EV certificate of www.cmbchina.com'],
  // EV TLS certificate of www.boc.cn, subject serialNumber (same public note).
  ['911000001000013428', '中国银行股份有限公司', 'EV certificate of www.boc.cn'],
  // Tianyancha company-info API documentation, sample response for 用友网络 (600588): creditCode,
  // with orgNumber 60000176-0 and regNumber 110000005119254 in the same record.
  ['91110000600001760P', '用友网络科技股份有限公司', 'Tianyancha API sample response'],
  // Tianyancha API sample response for 中航重机 (AVIC Heavy Machinery), with regNumber 520000000005018.
  ['91520000214434146R', '中航重机股份有限公司', 'Tianyancha API sample response'],
  // Eastmoney F10 company survey sample for 601398 (ORG_NAME 中国工商银行股份有限公司, REG_NUM).
  ['91100000100003962T', '中国工商银行股份有限公司', 'Eastmoney F10 sample'],
  // python-stdnum, stdnum/cn/uscc.py doctest.
  ['91110000600037341L', '(python-stdnum doctest)', 'python-stdnum cn.uscc'],
  // GB 32100-2015 appendix B worked example of the check character (as quoted in public tests).
  ['91350100M000100Y43', '(GB 32100-2015 附录 B example)', 'GB 32100-2015'],
  // 中国社会福利基金会 profile: 登记管理机关 民政部, 统一社会信用代码 53100000500019795A.
  ['53100000500019795A', '中国社会福利基金会', 'foundation profile page'],
  // Reported as a real public-institution code in xbeginagain/generator issue #2.
  ['12440600MB2C07549J', '(事业单位, Foshan)', 'xbeginagain/generator#2'],
  // Individual businesses ('92'): codes printed on their own sites and invoices, new MA... segments.
  ['92230109MAKCUYD46K', '哈尔滨市松北区算云软件开发工作室', 'published on its own site'],
  ['92310109MA1KMFLM1K', '上海市虹口区鹏侠百货商店', 'VAT invoice sample in public OCR tests'],
  ['92532526MA6NTMA00H', '弥勒市豪荟酒店（个体工商户）', 'VAT invoice sample'],
  ['92510824MA639P198U', '苍溪县鸳溪镇双双农家乐', 'VAT invoice sample'],
  // Individual businesses given L... segments in Shenzhen before 2016 (tax-bureau API samples).
  ['92440300L83529307M', '(Shenzhen individual business)', 'tax API sample nsrsbh/shxydm'],
  ['92440300L91421355X', '深圳市南山区宝鼎烧烤吧', 'VAT invoice sample xfsh'],
];

describe('validateUscc', () => {
  it.each(PUBLISHED_USCC)('accepts the published code %s (%s, %s)', (code) => {
    expect(validateUscc(code)).toEqual({ ok: true, code });
    expect(usccCheckChar(code.slice(0, 17))).toBe(code.charAt(17));
    expect(orgCodeCheckChar(code.slice(8, 16))).toBe(code.charAt(16));
  });

  // The messy forms EXPORTS.md says arrive; all must clean to the published code.
  it.each([
    ['9144030010001686xa', 'lower case'],
    [' 9144030010001686XA ', 'surrounding spaces'],
    ['91440300 100016 86XA', 'inner spaces'],
    ['9144030010001686\tXA\n', 'tab and newline'],
    ['９１４４０３００１０００１６８６ＸＡ', 'full-width digits and letters'],
    ['９１４４０３００１０００１６８６ｘａ', 'full-width lower case'],
    ['9144030010001686XA\u3000', 'ideographic space'],
  ])('cleans %j (%s) to a valid code', (raw) => {
    expect(validateUscc(raw)).toEqual({ ok: true, code: '9144030010001686XA' });
  });

  it.each([
    // Check character changed: the tampered forms used in public test suites.
    ['91100000100003962A', 'check_char'],
    ['9144030010001686XB', 'check_char'],
    ['911000001000013429', 'check_char'],
    // Real Xiamen pre-2016 code that does not meet GB 32100 (hutool issue #4119): reported, not used.
    ['91350203M0001QKT19', 'check_char'],
    // Two adjacent characters swapped.
    ['9144030001001686XA', 'check_char'],
    // Forbidden letters I, O, Z, S, V anywhere.
    ['9144030010001686XI', 'alphabet'],
    ['91440300O0001686XA', 'alphabet'],
    ['91440300100016Z6XA', 'alphabet'],
    ['S144030010001686XA', 'alphabet'],
    ['9V44030010001686XA', 'alphabet'],
    // Region (chars 3-8) must be digits.
    ['91A40300100016868A', 'alphabet'],
    // Punctuation is not cleaned away.
    ['91440300-10001686XA', 'length'],
    // Wrong lengths.
    ['9144030010001686X', 'length'],
    ['9144030010001686XAA', 'length'],
    ['100001342', 'length'],
    ['', 'empty'],
    ['   ', 'empty'],
  ])('rejects %j as %s', (raw, reason) => {
    expect(outcome(validateUscc(raw))).toBe(reason);
  });

  it('rejects a code whose USCC check passes but whose organisation code check fails', () => {
    // Yonyou's code with the org-code check character changed and the USCC check recomputed.
    const first17 = '91110000600001761';
    const code = first17 + usccCheckChar(first17);
    const check = validateUscc(code);
    expect(check).toMatchObject({ ok: false, reason: 'org_code_check' });
    expect(check.ok ? '' : check.message).toBe('统一社会信用代码中的组织机构代码校验位错误');
  });

  it('applies the organisation code check to individual businesses (92) too', () => {
    const first17 = '92440300L83529308';
    expect(outcome(validateUscc(first17 + usccCheckChar(first17)))).toBe('org_code_check');
  });

  it('gives a Chinese message for reports and the cleaned code', () => {
    expect(validateUscc('9144030010001686xb')).toEqual({
      ok: false,
      code: '9144030010001686XB',
      reason: 'check_char',
      message: '统一社会信用代码校验位错误',
    });
  });

  it('detects every single-character substitution of a published code', () => {
    const code = '91110000600001760P';
    for (let i = 0; i < 18; i++) {
      for (const c of USCC_ALPHABET) {
        if (c === code.charAt(i)) continue;
        const bad = code.slice(0, i) + c + code.slice(i + 1);
        expect(validateUscc(bad).ok, bad).toBe(false);
      }
    }
  });
});

describe('validateOrgCode', () => {
  it.each([
    // GB 11714-1997 appendix worked example: body D2143569, check X.
    ['D2143569-X', 'D2143569X'],
    ['D2143569X', 'D2143569X'],
    // Yonyou's published orgNumber (Tianyancha API sample), printed form with hyphen.
    ['60000176-0', '600001760'],
    // GB 32100 appendix B example: the organisation code inside 91350100M000100Y43.
    ['M000100Y4', 'M000100Y4'],
    // wenerme/go-gb gb11714 test vector.
    ['MA1FL0LY9', 'MA1FL0LY9'],
    // Java organisation-code checker test vectors (kachesiji, Regex_OrganizationCertificate).
    ['74371976-1', '743719761'],
    ['L1832212-3', 'L18322123'],
    // Cleaning: lower case, full-width hyphen, spaces.
    ['d2143569-x', 'D2143569X'],
    ['Ｄ２１４３５６９－Ｘ', 'D2143569X'],
    [' 60000176 - 0 ', '600001760'],
  ])('accepts %j as %s', (raw, code) => {
    expect(validateOrgCode(raw)).toEqual({ ok: true, code });
  });

  it.each([
    ['D2143569-1', 'check_char'],
    ['60000176-1', 'check_char'],
    ['D2143596-X', 'check_char'],
    ['D2143569-Y', 'alphabet'],
    ['D21435.9-X', 'alphabet'],
    ['D2143569', 'length'],
    ['D2143569-XX', 'length'],
    ['D214356-9X', 'length'],
    ['', 'empty'],
  ])('rejects %j as %s', (raw, reason) => {
    expect(outcome(validateOrgCode(raw))).toBe(reason);
  });

  it('computes the check character 0 when the remainder is 0 (11 - 0 = 11)', () => {
    // 60000176 (Yonyou): 18 + 8 + 28 + 12 = 66, a multiple of 11, the GB 11714 special case.
    expect(orgCodeCheckChar('60000176')).toBe('0');
  });
});

describe('validateRegNo15 and regNoCheckDigit', () => {
  it.each([
    // Tianyancha API sample response, regNumber of 用友网络科技股份有限公司.
    ['110000005119254'],
    // Tianyancha API sample response, regNumber of 中航重机股份有限公司.
    ['520000000005018'],
  ])('accepts the published registration number %s', (code) => {
    expect(validateRegNo15(code)).toEqual({ ok: true, code });
    expect(regNoCheckDigit(code.slice(0, 14))).toBe(code.charAt(14));
  });

  it.each([
    ['110000005119255', 'check_char'],
    ['520000000005019', 'check_char'],
    ['110000005191254', 'check_char'],
    ['11000000511925A', 'alphabet'],
    ['11000000511925', 'length'],
    ['1100000051192540', 'length'],
    ['', 'empty'],
  ])('rejects %j as %s', (raw, reason) => {
    expect(outcome(validateRegNo15(raw))).toBe(reason);
  });

  it('cleans full-width digits and spaces first', () => {
    expect(validateRegNo15(' １１００００００５１１９２５４ ')).toEqual({ ok: true, code: '110000005119254' });
  });

  it('refuses a body that is not 14 digits', () => {
    expect(() => regNoCheckDigit('1100000051192')).toThrow(/14 digits/);
  });
});

describe('validateResidentId', () => {
  it.each([
    // GB 11643-1999 examples: 北京市朝阳区 female born 1949-12-31, 广东省汕头市 male born 1880-01-01.
    ['11010519491231002X'],
    ['440524188001010014'],
    // Valid vector in public validator test suites, listed next to the two GB 11643 examples.
    ['11010219840406970X'],
  ])('accepts the published 18-digit ID %s', (code) => {
    expect(validateResidentId(code)).toEqual({ ok: true, code });
    expect(residentIdCheckChar(code.slice(0, 17))).toBe(code.charAt(17));
  });

  it('accepts the lower-case x and full-width forms', () => {
    expect(validateResidentId('11010519491231002x')).toEqual({ ok: true, code: '11010519491231002X' });
    expect(validateResidentId('１１０１０５１９４９１２３１００２Ｘ')).toEqual({ ok: true, code: '11010519491231002X' });
  });

  it('accepts the old 15-digit form of the GB 11643 example (date only)', () => {
    expect(validateResidentId('110105491231002')).toEqual({ ok: true, code: '110105491231002' });
  });

  it.each([
    // Invalid variants: a changed check digit; and, from the same public test suites, the 1880
    // example with its year changed to 1890 and the 1949 example with its region changed.
    ['110105194912310021', 'check_char'],
    ['11010519491231002Y', 'alphabet'],
    ['440524189001010014', 'check_char'],
    ['11020519491231002X', 'check_char'],
    ['1101051949123100', 'length'],
    ['110105491331002', 'birth_date'],
    ['110105490230002', 'birth_date'],
    ['11010549123100A', 'alphabet'],
    ['', 'empty'],
  ])('rejects %j as %s', (raw, reason) => {
    expect(outcome(validateResidentId(raw))).toBe(reason);
  });

  it('rejects impossible birth dates even with a correct check character', () => {
    for (const body of ['11010519490231002', '11010517491231002', '11010519491301002', '11010519490000002']) {
      const code = body + residentIdCheckChar(body);
      expect(outcome(validateResidentId(code)), code).toBe('birth_date');
    }
  });

  it('rejects a birth after the as-of date only when one is given', () => {
    const body = '11010520300101002';
    const code = body + residentIdCheckChar(body);
    expect(validateResidentId(code).ok).toBe(true);
    expect(outcome(validateResidentId(code, new Date('2026-10-31T00:00:00Z')))).toBe('birth_date');
  });
});

describe('key derivation', () => {
  it('derives the organisation code, region and legacy tax number of a published USCC', () => {
    // Yonyou: the published orgNumber 60000176-0 is chars 9-17 of its USCC.
    expect(orgCodeFromUscc('91110000600001760P')).toBe('600001760');
    expect(orgCodeFromUscc('91110000600001760P')).toBe(validateOrgCode('60000176-0').code);
    expect(regionFromUscc('91110000600001760P')).toBe('110000');
    expect(legacyTaxIdFromUscc('91110000600001760P')).toBe('110000600001760');
    expect(orgCodeFromUscc('9144030010001686xa')).toBe('10001686X');
  });

  it('derives nothing from a failing USCC', () => {
    expect(orgCodeFromUscc('91110000600001760Q')).toBeNull();
    expect(regionFromUscc('91110000600001760Q')).toBeNull();
    expect(legacyTaxIdFromUscc('9111000060000176')).toBeNull();
  });

  it.each([
    ['91110000600001760P', { kind: 'uscc', orgCode: '600001760', region: '110000' }],
    ['9144030010001686xa', { kind: 'uscc', id: '9144030010001686XA', orgCode: '10001686X' }],
    // Legacy 15-char tax number: Yonyou's region + published organisation code.
    ['110000600001760', { kind: 'legacy15', orgCode: '600001760', region: '110000' }],
    ['440300D2143569X', { kind: 'legacy15', orgCode: 'D2143569X', region: '440300' }],
    // Individual businesses: the GB 11643 example ID + 2-digit sequence, 18+2 and 15+2.
    ['11010519491231002X01', { kind: 'resident_id', residentId: '11010519491231002X' }],
    ['44052418800101001400', { kind: 'resident_id', residentId: '440524188001010014' }],
    ['11010549123100201', { kind: 'resident_id', residentId: '110105491231002' }],
  ])('classifies %j', (raw, expected) => {
    expect(parseTaxpayerId(raw)).toMatchObject(expected);
  });

  it.each([
    ['91110000600001760Q', 'check_char'],
    ['110000600001761', 'check_char'],
    ['11000060000176X', 'check_char'],
    ['A10000600001760', 'alphabet'],
    ['11010519491231002101', 'check_char'],
    ['11010519491231002XAB', 'alphabet'],
    ['1101051949123100', 'length'],
    ['', 'empty'],
  ])('classifies %j as invalid (%s)', (raw, reason) => {
    expect(parseTaxpayerId(raw)).toMatchObject({ kind: 'invalid', reason });
  });
});

describe('employerKind', () => {
  it.each<[string, EmployerKind]>([
    ['9144030010001686XA', 'enterprise'],
    ['92440300L83529307M', 'individual_business'],
    ['53100000500019795A', 'social_org'],
    ['12440600MB2C07549J', 'public_institution'],
    // No published 93/51/52 code at hand: built with makeUscc from Yonyou's parts.
    [makeUscc('9', '3', '110000', '60000176'), 'farmer_coop'],
    [makeUscc('5', '1', '110000', '60000176'), 'social_org'],
    [makeUscc('5', '2', '110000', '60000176'), 'social_org'],
    [makeUscc('1', '1', '110000', '60000176'), 'other'],
    [makeUscc('Y', '1', '110000', '60000176'), 'other'],
  ])('reads %s as %s from chars 1-2', (uscc, kind) => {
    // The USCC wins over any type text.
    expect(employerKind(uscc, '个体工商户')).toBe(kind);
  });

  it.each<[string | null, string | undefined, EmployerKind]>([
    [null, '个体工商户', 'individual_business'],
    [null, '个体（个人经营）', 'individual_business'],
    [null, '农民专业合作社', 'farmer_coop'],
    [null, '社会团体', 'social_org'],
    [null, '民办非企业单位', 'social_org'],
    [null, '社会服务机构', 'social_org'],
    [null, '基金会', 'social_org'],
    [null, '事业单位', 'public_institution'],
    [null, '有限责任公司(自然人投资或控股)', 'enterprise'],
    [null, '个人独资企业', 'enterprise'],
    [null, '普通合伙', 'enterprise'],
    [null, '机关', 'other'],
    [null, undefined, 'other'],
    ['9144030010001686XB', '民办非企业单位', 'social_org'],
    ['', '股份有限公司', 'enterprise'],
  ])('falls back to the type text when the USCC is %j: %j', (uscc, text, kind) => {
    expect(employerKind(uscc, text)).toBe(kind);
  });
});

describe('makeUscc', () => {
  it('rebuilds published codes from their parts', () => {
    expect(makeUscc('9', '1', '110000', '60000176')).toBe('91110000600001760P');
    expect(makeUscc('9', '1', '440300', '10001686')).toBe('9144030010001686XA');
    expect(makeUscc('9', '2', '440300', 'L8352930')).toBe('92440300L83529307M');
  });

  it('refuses parts that cannot make a USCC', () => {
    expect(() => makeUscc('91', '1', '110000', '60000176')).toThrow(RangeError);
    expect(() => makeUscc('9', 'I', '110000', '60000176')).toThrow(/category/);
    expect(() => makeUscc('9', '1', '11000A', '60000176')).toThrow(/region/);
    expect(() => makeUscc('9', '1', '110000', '6000017O')).toThrow(/organisation code body/);
  });
});

// A small seeded generator: the same codes on every run.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(random: () => number, chars: string): string {
  return chars.charAt(Math.floor(random() * chars.length));
}

function pickString(random: () => number, chars: string, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += pick(random, chars);
  return s;
}

/** Valid USCCs across the kinds and their corruptions, all already cleaned. */
function generatedUsccs(count: number): string[] {
  const random = rng(20261031);
  const prefixes = ['91', '92', '93', '51', '52', '53', '12', '11', 'Y1', 'N2'];
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const prefix = prefixes[n % prefixes.length] as string;
    const valid = makeUscc(prefix.charAt(0), prefix.charAt(1), pickString(random, '0123456789', 6), pickString(random, USCC_ALPHABET, 8));
    out.push(valid);
    const i = Math.floor(random() * 18);
    // A substitution, including the forbidden letters and lower-case noise.
    out.push(valid.slice(0, i) + pick(random, `${USCC_ALPHABET}IOZSV`) + valid.slice(i + 1));
    // An adjacent transposition.
    const j = Math.min(i, 16);
    out.push(valid.slice(0, j) + valid.charAt(j + 1) + valid.charAt(j) + valid.slice(j + 2));
    // The org-code check character changed and the USCC check recomputed: only GB 11714 catches it.
    const first17 = valid.slice(0, 16) + pick(random, '0123456789X');
    out.push(first17 + usccCheckChar(first17));
    // Wrong lengths and random strings.
    out.push(valid.slice(0, 17), valid + pick(random, USCC_ALPHABET), pickString(random, USCC_ALPHABET, 18));
  }
  return out;
}

function generatedOrgCodes(count: number): string[] {
  const random = rng(11714);
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const body = pickString(random, alphabet, 8);
    const valid = body + orgCodeCheckChar(body);
    out.push(valid, `${body}-${valid.charAt(8)}`);
    out.push(body + pick(random, '0123456789X'));
    out.push(valid.slice(1) + pick(random, alphabet), valid.slice(0, 8), `${body}-`, `${body}--${valid.charAt(8)}`);
  }
  return out;
}

function generatedTaxpayerIds(count: number): string[] {
  const random = rng(15);
  const out: string[] = [];
  for (const uscc of generatedUsccs(count)) {
    out.push(uscc);
    if (uscc.length === 18) out.push(uscc.slice(2, 17), pick(random, 'ABC') + uscc.slice(3, 17));
  }
  for (const org of generatedOrgCodes(count)) {
    out.push(pickString(random, '0123456789', 6) + org);
  }
  return out;
}

// Codes travel to DuckDB as one '|'-joined parameter: values stay parameters, never SQL text.
const SEP = '|';

describe('CODE_MACROS_SQL agrees with the JS checks', () => {
  it('recon_uscc_valid, recon_uscc_org_code, recon_uscc_region and recon_legacy_tax_id', async () => {
    const codes = generatedUsccs(600).concat(PUBLISHED_USCC.map(([code]) => code));
    expect(codes.length).toBeGreaterThan(4000);
    const db = await memoryDb();
    try {
      await db.run(CODE_MACROS_SQL);
      const rows = await db.all<{ s: string; valid: boolean; org: string | null; region: string | null; legacy: string | null }>(
        `SELECT s, recon_uscc_valid(s) AS valid, recon_uscc_org_code(s) AS org,
                recon_uscc_region(s) AS region, recon_legacy_tax_id(s) AS legacy
           FROM (SELECT unnest(string_split($1, '${SEP}')) AS s)`,
        [codes.join(SEP)],
      );
      expect(rows).toHaveLength(codes.length);
      const mismatches = rows.filter(
        (r) => r.valid !== validateUscc(r.s).ok || r.org !== orgCodeFromUscc(r.s) || r.region !== regionFromUscc(r.s) || r.legacy !== legacyTaxIdFromUscc(r.s),
      );
      expect(mismatches).toEqual([]);
      // The sample must exercise both outcomes and every failure kind, or the comparison proves little.
      const reasons = new Set(codes.map((c) => outcome(validateUscc(c))));
      expect([...reasons].sort()).toEqual(['alphabet', 'check_char', 'length', 'ok', 'org_code_check']);
    } finally {
      db.close();
    }
  });

  it('recon_org_code_valid', async () => {
    const codes = generatedOrgCodes(600).concat(['D2143569-X', '60000176-0', 'M000100Y4', 'D2143569-1']);
    const db = await memoryDb();
    try {
      await db.run(CODE_MACROS_SQL);
      const rows = await db.all<{ s: string; valid: boolean }>(
        `SELECT s, recon_org_code_valid(s) AS valid FROM (SELECT unnest(string_split($1, '${SEP}')) AS s)`,
        [codes.join(SEP)],
      );
      expect(rows).toHaveLength(codes.length);
      expect(rows.filter((r) => r.valid !== validateOrgCode(r.s).ok)).toEqual([]);
      expect(rows.some((r) => r.valid)).toBe(true);
      expect(rows.some((r) => !r.valid)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('recon_taxpayer_org_code', async () => {
    const ids = generatedTaxpayerIds(300).concat(['110000600001760', '11010519491231002X01']);
    const db = await memoryDb();
    try {
      await db.run(CODE_MACROS_SQL);
      const rows = await db.all<{ s: string; org: string | null }>(
        `SELECT s, recon_taxpayer_org_code(s) AS org FROM (SELECT unnest(string_split($1, '${SEP}')) AS s)`,
        [ids.join(SEP)],
      );
      expect(rows).toHaveLength(ids.length);
      const expected = (s: string): string | null => {
        const parsed = parseTaxpayerId(s);
        return parsed.kind === 'uscc' || parsed.kind === 'legacy15' ? parsed.orgCode : null;
      };
      expect(rows.filter((r) => r.org !== expected(r.s))).toEqual([]);
      expect(rows.filter((r) => r.org !== null).length).toBeGreaterThan(500);
    } finally {
      db.close();
    }
  });

  it('recon_employer_kind', async () => {
    const texts = [
      '个体工商户',
      '农民专业合作社',
      '社会团体',
      '民办非企业单位',
      '基金会',
      '社会服务机构',
      '事业单位',
      '有限责任公司',
      '个人独资企业',
      '合伙企业',
      '机关',
      '',
    ];
    // Every fifth row has no USCC, so the type-text branch is compared as well.
    const pairs = generatedUsccs(200).map((u, n) => [n % 5 === 0 ? '' : u, texts[n % texts.length] as string] as const);
    const db = await memoryDb();
    try {
      await db.run(CODE_MACROS_SQL);
      const rows = await db.all<{ u: string; t: string; kind: string }>(
        `SELECT u, t, recon_employer_kind(u, t) AS kind
           FROM (SELECT unnest(string_split($1, '${SEP}')) AS u, unnest(string_split($2, '${SEP}')) AS t)`,
        [pairs.map(([u]) => u).join(SEP), pairs.map(([, t]) => t).join(SEP)],
      );
      expect(rows).toHaveLength(pairs.length);
      expect(rows.filter((r) => r.kind !== employerKind(r.u === '' ? null : r.u, r.t))).toEqual([]);
      expect(new Set(rows.map((r) => r.kind)).size).toBe(6);
      // A NULL code and a NULL text behave like "no USCC" and "no text".
      const [nulls] = await db.all<{ kind: string }>(`SELECT recon_employer_kind(NULL, NULL) AS kind`);
      expect(nulls?.kind).toBe('other');
    } finally {
      db.close();
    }
  });
});

describe('cleanCode', () => {
  it('folds full-width characters, removes white space and upper-cases', () => {
    expect(cleanCode(' ９１ａb\u3000c\t')).toBe('91ABC');
  });
});
