import * as OpenCC from 'opencc-js';
import TSCharacters from 'opencc-js/dict/TSCharacters';
import { literal } from '../core/sql.ts';

/**
 * Legal-form suffixes, longest first. They are kept in the normalised name: 有限公司 and
 * 有限责任公司 can be two different companies, so only the similarity step looks at them apart.
 */
export const LEGAL_SUFFIXES = [
  '股份有限公司',
  '有限责任公司',
  '集团有限公司',
  '有限公司',
  '股份合作公司',
  '(普通合伙)',
  '(有限合伙)',
  '(特殊普通合伙)',
  '个人独资企业',
  '合伙企业',
  '专业合作社',
  '股份经济合作社',
  '经济合作社',
  '合作社',
  '分公司',
  '公司',
  '基金会',
  '协会',
  '商会',
  '学会',
  '研究会',
  '促进会',
  '联合会',
  '中心',
  '学校',
  '幼儿园',
  '医院',
  '诊所',
  '事务所',
  '工作室',
  '经营部',
  '门市部',
  '商行',
  '超市',
  '便利店',
  '饭店',
  '餐厅',
  '酒店',
  '工厂',
  '厂',
  '店',
  '社',
  '部',
];

/** Characters that OpenCC maps from traditional to simplified (single characters only). */
const TRAD_CHARS: string[] = (TSCharacters as string)
  .split('|')
  .map((entry) => entry.split(' '))
  .filter(([from, to]) => from !== undefined && to !== undefined && [...from].length === 1 && from !== to.split(' ')[0])
  .map(([from]) => from as string);

const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

/** A regex character class matching any traditional character (for SQL's regexp_matches). */
export function traditionalClass(): string {
  return `[${TRAD_CHARS.join('')}]`;
}

/** Markers some systems append to a name that are not part of it: 某某店（个体工商户）. */
const MARKERS = /\((个体工商户|个体户|个体)\)/g;

/** Brackets of every kind become ( and ); spaces, punctuation and type markers go; case is folded. */
function basic(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[【〔［[｛{〈《<]/g, '(')
    .replace(/[】〕］\]｝}〉》>]/g, ')')
    .replace(/[\s\u3000·・•,，.。、\-—–_'"“”‘’:：;；!！?？/\\&＋+*#@]/g, '')
    .replace(MARKERS, '')
    .toUpperCase();
}

/** The normalised name: NFKC, simplified characters, one kind of bracket, no spaces or punctuation; suffix kept. */
export function normaliseName(name: string): string {
  return basic(toSimplified(basic(name)));
}

/** Converts traditional characters to simplified (names already through the basic SQL step). */
export function simplify(name: string): string {
  return basic(toSimplified(name));
}

/**
 * A regex matching the administrative-division names a name may start with (苏州市, 苏州,
 * 相城区, 相城, ...), built from the division table: stripped, they leave the part of a name
 * that a clerk in another agency types the same way.
 */
export function regionPrefixPattern(divisionNames: string[]): string {
  const names = new Set<string>();
  for (const full of divisionNames) {
    if (!full || full.includes('辖')) continue;
    names.add(full);
    const short = full.replace(/(特别行政区|自治区|自治州|自治县|地区|新区|省|市|区|县|旗|盟)$/, '');
    if ([...short].length >= 2) names.add(short);
  }
  const sorted = [...names].sort((a, b) => b.length - a.length || a.localeCompare(b));
  return `^(?:${sorted.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})+`;
}

/** Splits a normalised name into its core and its legal-form suffix. */
export function splitSuffix(normalised: string): { core: string; suffix: string } {
  for (const suffix of LEGAL_SUFFIXES) {
    if (normalised.endsWith(suffix) && normalised.length > suffix.length) {
      return { core: normalised.slice(0, -suffix.length), suffix };
    }
  }
  return { core: normalised, suffix: '' };
}

/**
 * SQL macros doing the same as `normaliseName` except the traditional-to-simplified step,
 * which runs in JS on the few distinct names that need it (DuckDB's translate() is too slow
 * with a 3,500-character map). `recon_name_suffix`/`recon_name_core` split the legal form.
 */
export function nameMacrosSql(): string {
  const suffixes = LEGAL_SUFFIXES.map((s) => s.replace(/[()]/g, (c) => `\\${c}`));
  return `
CREATE OR REPLACE MACRO recon_name_basic(s) AS upper(regexp_replace(regexp_replace(
  regexp_replace(regexp_replace(recon_halfwidth(s), '[【〔［\\[｛{〈《<]', '(', 'g'), '[】〕］\\]｝}〉》>]', ')', 'g'),
  '[\\s·・•,，.。、\\-—–_''"“”‘’:：;；!！?？/\\\\&＋+*#@]', '', 'g'), '\\((个体工商户|个体户|个体)\\)', '', 'g'));
CREATE OR REPLACE MACRO recon_name_suffix(n) AS regexp_extract(n, ${literal(`.(${suffixes.join('|')})$`)}, 1);
CREATE OR REPLACE MACRO recon_has_traditional(s) AS regexp_matches(s, ${literal(traditionalClass())});
CREATE OR REPLACE MACRO recon_name_core(n) AS (CASE WHEN recon_name_suffix(n) = '' THEN n ELSE left(n, length(n) - length(recon_name_suffix(n))) END);
`;
}
