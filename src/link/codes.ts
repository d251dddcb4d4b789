/**
 * Code checks for the identifiers the agencies use. Each check cleans first (upper case,
 * full-width to half-width, no spaces) and reports failure; a failing code is never a key.
 *
 * The same decisions are written in SQL in `codes-sql.ts`; a test keeps the two in step.
 */

/** GB 32100 alphabet: digits and 21 upper-case letters (no I, O, Z, S, V). */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** GB 11714 alphabet of an organisation code body: digits and all 26 upper-case letters. */
export const ORG_CODE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** GB 32100 weights of the 17 body characters. */
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** GB 11714 weights of the 8 body characters. */
export const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK = '10X98765432';

/**
 * USCC prefixes (chars 1-2) whose chars 9-17 are not held to GB 11714. Empty on purpose:
 * GB 32100 says chars 9-17 are the organisation code, and every published '92' (individual
 * business) code we could find passes GB 11714, both new `MA...` segments
 * (92230109MAKCUYD46K, 92310109MA1KMFLM1K, 92532526MA6NTMA00H) and the `L...` segments Shenzhen
 * gave pre-2016 businesses (92440300L83529307M, 92440300L91421355X). The one known family of
 * non-conforming real codes (Xiamen, registered before 2016, e.g. 91350203M0001QKT19, see
 * hutool issues #2020 and #4119) fails the USCC check character itself, so an exemption
 * here would not admit it. Add a prefix here (the SQL follows) if a source proves otherwise.
 */
export const ORG_CHECK_EXEMPT_PREFIXES: readonly string[] = [];

/** Why a code failed, as a short stable id (reports group by it). */
export type CodeFailure = 'empty' | 'length' | 'alphabet' | 'check_char' | 'org_code_check' | 'birth_date';

/** The outcome of a code check: the cleaned code, and on failure why, in English and Chinese. */
export type CodeCheck = { ok: true; code: string } | { ok: false; code: string; reason: CodeFailure; message: string };

/** What kind of employer a record is, for the rules that treat kinds differently. */
export type EmployerKind = 'enterprise' | 'individual_business' | 'farmer_coop' | 'social_org' | 'public_institution' | 'other';

/** A taxpayer id, classified; `orgCode` is the legacy key where the id carries one. */
export type TaxpayerId =
  | { kind: 'uscc'; id: string; orgCode: string; region: string }
  | { kind: 'legacy15'; id: string; orgCode: string; region: string }
  | { kind: 'resident_id'; id: string; residentId: string }
  | { kind: 'invalid'; id: string; reason: CodeFailure; message: string };

/** Cleans a code as typed: full-width to half-width, upper case, no white space. */
export function cleanCode(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** The GB 32100 check character for the first 17 characters of a USCC. */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) throw new Error(`not a USCC character: ${first17.charAt(i)}`);
    sum += value * (USCC_WEIGHTS[i] as number);
  }
  const check = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET.charAt(check);
}

/** The GB 11714 check character for the first 8 characters of an organisation code. */
export function orgCodeCheckChar(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = first8.charAt(i);
    const value = /[0-9]/.test(c) ? Number(c) : /[A-Z]/.test(c) ? c.charCodeAt(0) - 55 : -1;
    if (value < 0) throw new Error(`not an organisation code character: ${c}`);
    sum += value * (ORG_WEIGHTS[i] as number);
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** The ISO 7064 MOD 11,10 check digit of the first 14 digits of a 15-digit registration number. */
export function regNoCheckDigit(first14: string): string {
  if (!/^[0-9]{14}$/.test(first14)) throw new Error(`not 14 digits: ${first14}`);
  let product = 10;
  for (const c of first14) {
    const sum = (product + Number(c)) % 10;
    product = ((sum === 0 ? 10 : sum) * 2) % 11;
  }
  return String((11 - product) % 10);
}

/** The GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits of a resident ID. */
export function residentIdCheckChar(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new Error(`not 17 digits: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (RESIDENT_WEIGHTS[i] as number);
  return RESIDENT_CHECK.charAt(sum % 11);
}

function fail(code: string, reason: CodeFailure, message: string): CodeCheck {
  return { ok: false, code, reason, message };
}

/** Checks a unified social credit code (GB 32100) and the organisation code inside it (GB 11714). */
export function validateUscc(raw: string): CodeCheck {
  const code = cleanCode(raw);
  if (code === '') return fail(code, 'empty', '统一社会信用代码为空');
  if (code.length !== 18) return fail(code, 'length', `统一社会信用代码应为18位，实际${code.length}位`);
  // Chars 3-8 are a GB/T 2260 division code, so digits only even though letters are in the alphabet.
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) {
    return fail(code, 'alphabet', '统一社会信用代码含非法字符（不使用I、O、Z、S、V）或行政区划码不是数字');
  }
  if (usccCheckChar(code) !== code.charAt(17)) return fail(code, 'check_char', '统一社会信用代码校验位错误');
  if (!ORG_CHECK_EXEMPT_PREFIXES.includes(code.slice(0, 2))) {
    if (orgCodeCheckChar(code.slice(8, 16)) !== code.charAt(16)) {
      return fail(code, 'org_code_check', '统一社会信用代码中的组织机构代码校验位错误');
    }
  }
  return { ok: true, code };
}

/** Checks a 9-character organisation code (GB 11714), also in its printed form `XXXXXXXX-X`. */
export function validateOrgCode(raw: string): CodeCheck {
  let code = cleanCode(raw);
  if (code === '') return fail(code, 'empty', '组织机构代码为空');
  // The hyphen is print layout only (GB 11714 says machines omit it), so the key drops it.
  if (code.length === 10 && code.charAt(8) === '-') code = code.slice(0, 8) + code.charAt(9);
  if (code.length !== 9) return fail(code, 'length', `组织机构代码应为9位，实际${code.length}位`);
  if (!/^[0-9A-Z]{8}[0-9X]$/.test(code)) return fail(code, 'alphabet', '组织机构代码含非法字符');
  if (orgCodeCheckChar(code.slice(0, 8)) !== code.charAt(8)) {
    return fail(code, 'check_char', '组织机构代码校验位错误');
  }
  return { ok: true, code };
}

/** Checks a 15-digit market-entity registration number (注册号, GS 15-2006). */
export function validateRegNo15(raw: string): CodeCheck {
  const code = cleanCode(raw);
  if (code === '') return fail(code, 'empty', '注册号为空');
  if (code.length !== 15) return fail(code, 'length', `注册号应为15位，实际${code.length}位`);
  if (!/^[0-9]{15}$/.test(code)) return fail(code, 'alphabet', '注册号只能由数字组成');
  if (regNoCheckDigit(code.slice(0, 14)) !== code.charAt(14)) return fail(code, 'check_char', '注册号校验位错误');
  return { ok: true, code };
}

function plausibleBirthDate(year: number, month: number, day: number, asOf: Date | undefined): boolean {
  // 1850: GB 11643's own example holder was born in 1880, so older dates are typos, not people.
  if (year < 1850 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return false;
  return asOf === undefined || date.getTime() <= asOf.getTime();
}

/**
 * Checks a resident ID number: 18 characters (GB 11643, check character and birth date) or the
 * old 15-digit form (birth date only, it has no check character). `asOf` rejects future births.
 */
export function validateResidentId(raw: string, asOf?: Date): CodeCheck {
  const code = cleanCode(raw);
  if (code === '') return fail(code, 'empty', '公民身份号码为空');
  if (code.length === 15) {
    if (!/^[0-9]{15}$/.test(code)) return fail(code, 'alphabet', '15位身份证号码只能由数字组成');
    const ok = plausibleBirthDate(1900 + Number(code.slice(6, 8)), Number(code.slice(8, 10)), Number(code.slice(10, 12)), asOf);
    return ok ? { ok: true, code } : fail(code, 'birth_date', '身份证号码中的出生日期无效');
  }
  if (code.length !== 18) return fail(code, 'length', `公民身份号码应为18位或15位，实际${code.length}位`);
  if (!/^[0-9]{17}[0-9X]$/.test(code)) return fail(code, 'alphabet', '公民身份号码含非法字符');
  if (!plausibleBirthDate(Number(code.slice(6, 10)), Number(code.slice(10, 12)), Number(code.slice(12, 14)), asOf)) {
    return fail(code, 'birth_date', '公民身份号码中的出生日期无效');
  }
  if (residentIdCheckChar(code.slice(0, 17)) !== code.charAt(17)) {
    return fail(code, 'check_char', '公民身份号码校验码错误');
  }
  return { ok: true, code };
}

/** The organisation code (chars 9-17) of a valid USCC, or null when the USCC fails its checks. */
export function orgCodeFromUscc(uscc: string): string | null {
  const check = validateUscc(uscc);
  return check.ok ? check.code.slice(8, 17) : null;
}

/** The registering authority's division code (chars 3-8) of a valid USCC, or null. */
export function regionFromUscc(uscc: string): string | null {
  const check = validateUscc(uscc);
  return check.ok ? check.code.slice(2, 8) : null;
}

/** The 15-character tax number the unit had before the USCC: region (6) + organisation code (9). */
export function legacyTaxIdFromUscc(uscc: string): string | null {
  const check = validateUscc(uscc);
  return check.ok ? check.code.slice(2, 17) : null;
}

/** Classifies a taxpayer id: USCC, legacy 15-char number, resident ID + 2 digits, or invalid. */
export function parseTaxpayerId(raw: string): TaxpayerId {
  const id = cleanCode(raw);
  if (id.length === 18) {
    const check = validateUscc(id);
    if (!check.ok) return { kind: 'invalid', id, reason: check.reason, message: check.message };
    return { kind: 'uscc', id, orgCode: id.slice(8, 17), region: id.slice(2, 8) };
  }
  if (id.length === 15) {
    if (!/^[0-9]{6}/.test(id)) {
      return { kind: 'invalid', id, reason: 'alphabet', message: '15位纳税人识别号的前6位应为行政区划码' };
    }
    const org = validateOrgCode(id.slice(6));
    if (!org.ok) return { kind: 'invalid', id, reason: org.reason, message: `15位纳税人识别号：${org.message}` };
    return { kind: 'legacy15', id, orgCode: org.code, region: id.slice(0, 6) };
  }
  // Individual businesses were given the owner's ID number plus a 2-digit sequence.
  if (id.length === 20 || id.length === 17) {
    if (!/^[0-9]{2}$/.test(id.slice(-2))) {
      return { kind: 'invalid', id, reason: 'alphabet', message: '纳税人识别号末两位应为数字' };
    }
    const person = validateResidentId(id.slice(0, -2));
    if (!person.ok) return { kind: 'invalid', id, reason: person.reason, message: `纳税人识别号：${person.message}` };
    return { kind: 'resident_id', id, residentId: person.code };
  }
  if (id === '') return { kind: 'invalid', id, reason: 'empty', message: '纳税人识别号为空' };
  return { kind: 'invalid', id, reason: 'length', message: `纳税人识别号应为15、17、18或20位，实际${id.length}位` };
}

/** The employer kind from USCC chars 1-2, or from the registry's type text when there is no valid USCC. */
export function employerKind(uscc: string | null, typeText?: string | null): EmployerKind {
  const check = uscc === null ? null : validateUscc(uscc);
  if (check?.ok) {
    const prefix = check.code.slice(0, 2);
    if (prefix === '91') return 'enterprise';
    if (prefix === '92') return 'individual_business';
    if (prefix === '93') return 'farmer_coop';
    if (prefix === '51' || prefix === '52' || prefix === '53') return 'social_org';
    if (prefix === '12') return 'public_institution';
    return 'other';
  }
  return employerKindFromText(typeText ?? '');
}

// Order matters: 民办非企业单位 contains 企业, 农民专业合作社 must not fall to enterprise.
function employerKindFromText(typeText: string): EmployerKind {
  const text = typeText.normalize('NFKC');
  if (text.includes('个体')) return 'individual_business';
  if (text.includes('合作社')) return 'farmer_coop';
  if (['社会团体', '民办非企业', '社会服务机构', '基金会'].some((w) => text.includes(w))) return 'social_org';
  if (text.includes('事业单位')) return 'public_institution';
  if (['公司', '企业', '有限', '合伙'].some((w) => text.includes(w))) return 'enterprise';
  return 'other';
}

/** Builds a valid USCC from its parts, computing both check characters (for fixtures). */
export function makeUscc(dept: string, category: string, region6: string, orgBody8: string): string {
  const symbol = /^[0-9A-HJ-NPQRTUWXY]$/;
  if (!symbol.test(dept) || !symbol.test(category)) {
    throw new RangeError(`makeUscc: department "${dept}" and category "${category}" must each be one GB 32100 character`);
  }
  if (!/^[0-9]{6}$/.test(region6)) throw new RangeError(`makeUscc: region "${region6}" must be 6 digits`);
  if (!/^[0-9A-HJ-NPQRTUWXY]{8}$/.test(orgBody8)) {
    throw new RangeError(`makeUscc: organisation code body "${orgBody8}" must be 8 GB 32100 characters`);
  }
  const first17 = dept + category + region6 + orgBody8 + orgCodeCheckChar(orgBody8);
  return first17 + usccCheckChar(first17);
}
