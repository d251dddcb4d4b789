import { EMPTY_MARKERS } from '../sources/contract.ts';
import { literal } from '../core/sql.ts';
import { RESIDENT_ID_CHECK, RESIDENT_ID_WEIGHTS } from '../core/resident-id.ts';

const FULL_WIDTH =
  '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ（），．－／：　';
function toFullWidth(s: string): string {
  return [...s].map((ch) => (ch >= '!' && ch <= '~' ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch)).join('');
}
function unique<T>(value: T, index: number, all: T[]): boolean {
  return all.indexOf(value) === index;
}
const HALF_WIDTH = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz(),.-/: ';

/** The empty markers as written and in full width. */
function markers(): string[] {
  return [...EMPTY_MARKERS, ...EMPTY_MARKERS.map(toFullWidth)].filter(unique);
}
/** The code points markers start with (the empty marker aside): a value starting otherwise is no marker. */
function markerStarts(): number[] {
  return markers()
    .filter((m) => m !== '')
    .map((m) => m.codePointAt(0) as number)
    .filter(unique);
}

/**
 * Value-typing macros, created in the database itself so that analysts can use them in
 * `recon query` too: `SELECT recon_date('2024年1月5日')`. Each returns NULL for an empty
 * marker and NULL for a value it cannot read; the loader tells the two apart.
 */
export const VALUE_MACROS_SQL = `
-- translate() is slow (it builds its map per row), so it only runs on the few values that hold full-width characters.
CREATE OR REPLACE MACRO recon_halfwidth(s) AS (
  CASE WHEN regexp_matches(s, '[\\x{FF01}-\\x{FF5E}\\x{3000}]') THEN translate(s, ${literal(FULL_WIDTH)}, ${literal(HALF_WIDTH)}) ELSE s END);
CREATE OR REPLACE MACRO recon_trim(s) AS trim(s, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(12288));
-- Hot path of every load: no regex, no trim with a character set unless an edge is blank (the
-- first character by its code point, one lookup for four blanks), and the marker list only for
-- values that start like a marker (a cheap code-point test first: names, codes, dates and
-- amounts never reach the list; 35-45% less time per value than testing every value's length).
CREATE OR REPLACE MACRO recon_trim_fast(s) AS (
  CASE WHEN list_contains([32, 9, 160, 12288], ascii(s)) OR ends_with(s, ' ') OR ends_with(s, chr(12288)) OR ends_with(s, chr(9)) OR ends_with(s, chr(13)) OR ends_with(s, chr(160))
       THEN recon_trim(s) ELSE s END);
-- list_contains, not IN (...): the optimiser turns IN into a chain of ORs that it then
-- rewrites per column, and with twenty typed columns planning took seconds per file. (ascii('')
-- is 0.)
CREATE OR REPLACE MACRO recon_blank_trimmed(t) AS (
  CASE WHEN list_contains([0, ${markerStarts().join(', ')}], ascii(t)) AND list_contains([${markers().map(literal).join(', ')}], t) THEN NULL
       ELSE t END);
CREATE OR REPLACE MACRO recon_blank(s) AS recon_blank_trimmed(recon_trim_fast(s));
CREATE OR REPLACE MACRO recon_code(s) AS upper(replace(recon_halfwidth(recon_blank(s)), ' ', ''));
-- A date with a time of day (2024-01-05 00:00:00) is read as its date.
CREATE OR REPLACE MACRO recon_date_text(s) AS (
  CASE WHEN length(recon_blank(s)) > 11 THEN regexp_replace(recon_halfwidth(recon_blank(s)), '[ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$', '')
       ELSE recon_halfwidth(recon_blank(s)) END);
-- Macros are expanded in place: a value used twice is typed twice, and nesting multiplies
-- that (recon_period used to expand recon_date_text 14 times: 0.1-0.2 s to plan per column).
-- Binding the value once through a one-element list lambda keeps each macro linear.
-- DuckDB runs a lambda over every row of a vector, even under a CASE branch that selected none
-- of them: a NULL input gets an empty list, so the lambda has nothing to run on (the loader
-- passes NULL where the fast parse already succeeded; 9 s of 6.4M periods before this).
CREATE OR REPLACE MACRO recon_date_any(s) AS list_transform(CASE WHEN s IS NULL THEN CAST([] AS VARCHAR[]) ELSE [recon_date_text(s)] END, lambda t:
  CASE -- Excel serial numbers (1927..2173) arrive as text when a sheet was saved as CSV.
       WHEN regexp_full_match(t, '\\d{5}(\\.\\d+)?')
         THEN CAST(DATE '1899-12-30' + CAST(floor(CAST(t AS DOUBLE)) AS INTEGER) AS DATE)
       ELSE CAST(try_strptime(t, ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y.%m.%d', '%Y年%m月%d日']) AS DATE)
  END)[1];
-- A date outside 1900..2099 is a typing error in these exports, not a date.
CREATE OR REPLACE MACRO recon_date(s) AS
  list_filter(CASE WHEN s IS NULL THEN CAST([] AS DATE[]) ELSE [recon_date_any(s)] END, lambda d: d BETWEEN DATE '1900-01-01' AND DATE '2099-12-31')[1];
CREATE OR REPLACE MACRO recon_period(s) AS list_transform(CASE WHEN s IS NULL THEN CAST([] AS VARCHAR[]) ELSE [recon_date_text(s)] END, lambda t:
  CASE WHEN regexp_full_match(t, '(19|20)\\d{2}(\\d{2}|[-/.]\\d{1,2}|年\\d{1,2}月)')
         THEN CAST(try_strptime(t, ['%Y%m', '%Y-%m', '%Y/%m', '%Y.%m', '%Y年%m月']) AS DATE)
       ELSE CAST(date_trunc('month', recon_date(t)) AS DATE)
  END)[1];
-- recon_period for the loader, whose argument is a plain column: without a lambda around a
-- lambda (recon_date inside recon_period's), which DuckDB ran for every row of every vector
-- however few needed it. Same results as recon_period.
CREATE OR REPLACE MACRO recon_period_b(b) AS (
  CASE WHEN b IS NULL THEN NULL
       WHEN regexp_full_match(recon_date_text(b), '(19|20)\\d{2}(\\d{2}|[-/.]\\d{1,2}|年\\d{1,2}月)')
         THEN CAST(try_strptime(recon_date_text(b), ['%Y%m', '%Y-%m', '%Y/%m', '%Y.%m', '%Y年%m月']) AS DATE)
       ELSE CAST(date_trunc('month', recon_date(b)) AS DATE) END);
CREATE OR REPLACE MACRO recon_money(s) AS
  try_cast(regexp_replace(recon_halfwidth(recon_blank(s)), '[￥¥,\\s元]|^RMB', '', 'g') AS DECIMAL(18, 2));
CREATE OR REPLACE MACRO recon_int(s) AS (
  CASE WHEN regexp_full_match(regexp_replace(recon_halfwidth(recon_blank(s)), '[,\\s人]', '', 'g'), '-?\\d+(\\.0+)?')
       THEN try_cast(try_cast(regexp_replace(recon_halfwidth(recon_blank(s)), '[,\\s人]', '', 'g') AS DECIMAL(18, 2)) AS INTEGER)
  END);
-- Registered capital as written: 50(万元人民币), 20(万美元), 500万元, 100; the amount in 万 units.
-- Splits and contains() instead of regexes: this runs on every registry row.
CREATE OR REPLACE MACRO recon_capital_number(s) AS
  try_cast(replace(split_part(split_part(split_part(replace(s, '（', '('), '(', 1), '万', 1), '元', 1), ',', '') AS DECIMAL(18, 4));
CREATE OR REPLACE MACRO recon_capital_amount(s) AS (
  CASE WHEN contains(s, '万') OR NOT (contains(s, '元') OR contains(s, '币')) THEN recon_capital_number(s)
       ELSE recon_capital_number(s) / 10000 END);
CREATE OR REPLACE MACRO recon_capital_currency(s) AS (
  CASE WHEN s IS NULL THEN NULL
       WHEN contains(s, '美元') THEN '美元'
       WHEN contains(s, '港元') OR contains(s, '港币') THEN '港元'
       WHEN contains(s, '欧元') THEN '欧元'
       WHEN contains(s, '日元') THEN '日元'
       ELSE '人民币' END);
-- Status and type texts are compared after folding width, separators and spaces.
CREATE OR REPLACE MACRO recon_enum_key(s) AS
  replace(replace(replace(replace(replace(replace(recon_blank(s), '，', ','), '（', '('), '）', ')'), ' ', ''), chr(12288), ''), chr(9), '');
-- The _b forms take a value already blanked (the loader blanks each column once) and try the
-- common spelling with a plain cast first: the slow path runs only for the rest.
CREATE OR REPLACE MACRO recon_code_b(b) AS (
  CASE WHEN strlen(b) = length(b) THEN upper(replace(b, ' ', '')) ELSE upper(replace(recon_halfwidth(b), ' ', '')) END);
-- 2024-01-05, 2024/1/5, 2024.01.05 and 2024年1月5日 by a plain cast; the rest (20240105, serials, times) by recon_date.
CREATE OR REPLACE MACRO recon_date_fast(b) AS (
  CASE WHEN contains(b, '年') THEN CAST(try_strptime(b, '%Y年%m月%d日') AS DATE)
       WHEN contains(b, '.') THEN try_cast(replace(b, '.', '-') AS DATE)
       ELSE try_cast(b AS DATE) END);
-- 202410, 2024-10 and 2024年10月 (the form of many tax exports) by a plain parse; the rest by recon_period_b.
CREATE OR REPLACE MACRO recon_period_fast(b) AS (
  CASE WHEN ends_with(b, '月') THEN
         CASE WHEN substr(b, 5, 1) = '年' AND length(b) IN (7, 8) THEN try_cast(left(b, 4) || '-' || lpad(substr(b, 6, length(b) - 6), 2, '0') || '-01' AS DATE) END
       WHEN length(b) = 6 THEN try_cast(substr(b, 1, 4) || '-' || substr(b, 5, 2) || '-01' AS DATE)
       WHEN length(b) = 7 THEN try_cast(b || '-01' AS DATE) END);

CREATE OR REPLACE MACRO recon_money_b(b) AS (
  -- recon_money drops thousands separators too: 39,390.00 is common enough for the fast path.
  CASE WHEN try_cast(replace(b, ',', '') AS DECIMAL(18, 2)) IS NOT NULL THEN try_cast(replace(b, ',', '') AS DECIMAL(18, 2)) ELSE recon_money(b) END);
-- A plain cast would round 12.5 to 13: only whole values pass the fast path.
CREATE OR REPLACE MACRO recon_int_b(b) AS (
  CASE WHEN NOT contains(b, '.') AND try_cast(b AS INTEGER) IS NOT NULL THEN try_cast(b AS INTEGER) ELSE recon_int(b) END);
${residentIdMacrosSql()}`;

/**
 * Resident ID numbers (EXPORTS.md "Identity numbers"; the TypeScript twin is
 * src/core/resident-id.ts). The parts work on a folded number `f` (recon_code: half-width, no
 * spaces, upper case), its 17-digit body `n` as a BIGINT (a 15-digit number with 19 inserted),
 * the check character `c` of the body and the birth date `bd` in it. Ingest computes each part
 * once per row, a layer at a time (src/sources/normalise.ts): the check by integer arithmetic
 * on the body, a third of the time of 17 substrings. For analysts: `recon_id18(raw)` and
 * `recon_id_issue(raw, as_of)`.
 */
function residentIdMacrosSql(): string {
  // The weighted sum mod 11 a chunk of three body digits adds (two for the last), one small
  // constant list per chunk: six lookups instead of seventeen digit extractions (half the time).
  const chunks: Array<[start: number, length: number]> = [
    [0, 3],
    [3, 3],
    [6, 3],
    [9, 3],
    [12, 3],
    [15, 2],
  ];
  const sum = chunks
    .map(([start, length]) => {
      const table = Array.from({ length: 10 ** length }, (_, v) => {
        const digits = String(v).padStart(length, '0');
        let t = 0;
        for (let j = 0; j < length; j++) t += Number(digits.charAt(j)) * (RESIDENT_ID_WEIGHTS[start + j] as number);
        return t % 11;
      });
      return `[${table.join(',')}][n // ${10n ** BigInt(17 - start - length)} % ${10 ** length} + 1]`;
    })
    .join(' + ');
  return `
CREATE OR REPLACE MACRO recon_id_body(f) AS (
  CASE WHEN length(f) = 18 AND regexp_full_match(f, '[0-9]{17}[0-9X]') THEN CAST(left(f, 17) AS BIGINT)
       WHEN length(f) = 15 AND regexp_full_match(f, '[0-9]{15}') THEN CAST(left(f, 6) AS BIGINT) * 100000000000 + 19000000000 + CAST(right(f, 9) AS BIGINT) END);
CREATE OR REPLACE MACRO recon_id_check_n(n) AS substr(${literal(RESIDENT_ID_CHECK)}, CAST((${sum}) % 11 AS INTEGER) + 1, 1);
-- The birth date inside the body (digits 7-14), NULL when it is not a calendar day.
CREATE OR REPLACE MACRO recon_id_birth_ymd(y, m, d) AS (
  CASE WHEN m BETWEEN 1 AND 12 AND d >= 1
        AND d <= CASE WHEN m IN (4, 6, 9, 11) THEN 30 WHEN m = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END ELSE 31 END
       THEN make_date(y, m, d) END);
CREATE OR REPLACE MACRO recon_id_birth_n(n) AS recon_id_birth_ymd(n // 10000000 % 10000, n // 100000 % 100, n // 1000 % 100);
-- Why a folded number is not a valid resident ID on as_of (NULL: it is one; NULL for an empty number).
CREATE OR REPLACE MACRO recon_id_issue_p(f, n, c, bd, as_of) AS (
  CASE WHEN f IS NULL THEN NULL
       WHEN n IS NULL THEN 'bad_format'
       WHEN length(f) = 18 AND c <> right(f, 1) THEN 'bad_check'
       WHEN bd IS NULL OR bd < DATE '1900-01-01' OR bd > as_of THEN 'bad_birth_date' END);
-- The 18-character form of a number whose recon_id_issue_p is NULL.
CREATE OR REPLACE MACRO recon_id18_p(f, n, c) AS (CASE WHEN length(f) = 18 THEN f ELSE lpad(CAST(n AS VARCHAR), 17, '0') || c END);
-- For analysts: the number bound once (a list lambda), each part computed once.
CREATE OR REPLACE MACRO recon_id_issue(raw, as_of) AS
  list_transform(CASE WHEN recon_blank(raw) IS NULL THEN CAST([] AS VARCHAR[]) ELSE [recon_code(raw)] END, lambda f:
    list_transform([recon_id_body(f)], lambda n: recon_id_issue_p(f, n, recon_id_check_n(n), recon_id_birth_n(n), CAST(as_of AS DATE)))[1])[1];
-- The normalised 18-character resident ID (upper-case X; a 15-digit one upgraded), NULL when the number is not a valid one.
CREATE OR REPLACE MACRO recon_id18(raw) AS
  list_transform(CASE WHEN recon_blank(raw) IS NULL THEN CAST([] AS VARCHAR[]) ELSE [recon_code(raw)] END, lambda f:
    list_transform([recon_id_body(f)], lambda n:
      CASE WHEN recon_id_issue_p(f, n, recon_id_check_n(n), recon_id_birth_n(n), DATE '2099-12-31') IS NULL THEN recon_id18_p(f, n, recon_id_check_n(n)) END)[1])[1];
`;
}
