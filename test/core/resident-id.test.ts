import { describe, expect, it } from 'vitest';
import { birthDate, foldId, normaliseResidentId, readResidentId, residentCheckChar, sexOf } from '../../src/core/resident-id.ts';
import { textList } from '../../src/db/database.ts';
import { rows, withDb } from '../helpers.ts';

/** An 18-character ID from its first 17 digits, with its right check character. */
function id18(first17: string): string {
  return first17 + residentCheckChar(first17);
}
/** The same ID with a wrong check character. */
function wrongCheck(id: string): string {
  const right = id.charAt(17);
  return id.slice(0, 17) + (right === '0' ? '1' : '0');
}
function fullWidth(text: string): string {
  return [...text].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
}

// GB 11643-1999's own example: 11010519491231002X (female, born 1949-12-31).
const EXAMPLE = '11010519491231002X';

/** Every case of EXPORTS.md "Identity numbers" (D = 2026-10-31): as written -> normalised, issue. */
const CASES: Array<{ what: string; raw: string; id18: string | null; issue: string | null }> = [
  { what: 'the standard example', raw: EXAMPLE, id18: EXAMPLE, issue: null },
  { what: 'a lower-case x', raw: EXAMPLE.toLowerCase(), id18: EXAMPLE, issue: null },
  { what: 'spaces inside and around', raw: ` 110105 19491231 002X `, id18: EXAMPLE, issue: null },
  { what: 'an ideographic space', raw: `110105\u300019491231002X`, id18: EXAMPLE, issue: null },
  { what: 'full-width digits and X', raw: fullWidth(EXAMPLE), id18: EXAMPLE, issue: null },
  { what: 'full-width digits and a lower-case x', raw: fullWidth(EXAMPLE.toLowerCase()), id18: EXAMPLE, issue: null },
  { what: 'the 15-digit form (19 inserted, check computed)', raw: '110105491231002', id18: EXAMPLE, issue: null },
  { what: 'a 15-digit form of a man', raw: '320505800101001', id18: id18('32050519800101001'), issue: null },
  { what: 'a wrong check character', raw: wrongCheck(EXAMPLE), id18: null, issue: 'bad_check' },
  // (the right one for this body is not X: checked below)
  { what: 'a wrong check character that is X', raw: '32050519800101002X', id18: null, issue: 'bad_check' },
  { what: '29 February of a leap year', raw: id18('32050520000229001'), id18: id18('32050520000229001'), issue: null },
  { what: '29 February of another year', raw: id18('32050519990229001'), id18: null, issue: 'bad_birth_date' },
  { what: '30 February', raw: id18('32050519860230001'), id18: null, issue: 'bad_birth_date' },
  { what: 'month 13', raw: id18('32050519861301001'), id18: null, issue: 'bad_birth_date' },
  { what: 'day 00', raw: id18('32050519860100001'), id18: null, issue: 'bad_birth_date' },
  { what: 'born before 1900-01-01', raw: id18('32050518991231001'), id18: null, issue: 'bad_birth_date' },
  { what: 'born on 1900-01-01', raw: id18('32050519000101001'), id18: id18('32050519000101001'), issue: null },
  { what: 'born after the as-of date', raw: id18('32050520261101001'), id18: null, issue: 'bad_birth_date' },
  { what: 'born on the as-of date', raw: id18('32050520261031001'), id18: id18('32050520261031001'), issue: null },
  { what: 'a 15-digit form with an impossible date', raw: '320505860230001', id18: null, issue: 'bad_birth_date' },
  { what: '17 digits', raw: '11010519491231002', id18: null, issue: 'bad_format' },
  { what: '19 digits', raw: '110105194912310021X', id18: null, issue: 'bad_format' },
  { what: 'a letter inside', raw: '1101051949123100AX', id18: null, issue: 'bad_format' },
  { what: 'X not at the end', raw: '11010519491231X021', id18: null, issue: 'bad_format' },
  { what: 'a 15-character number with an X', raw: '11010549123100X', id18: null, issue: 'bad_format' },
  { what: 'a passport number', raw: 'E12345678', id18: null, issue: 'bad_format' },
];

const AS_OF = '2026-10-31';

describe('resident IDs in TypeScript (src/core/resident-id.ts)', () => {
  for (const c of CASES) {
    it(`${c.what}: ${c.issue ?? 'valid'}`, () => {
      expect(readResidentId(c.raw, AS_OF)).toEqual({ id18: c.id18, issue: c.issue });
      expect(normaliseResidentId(c.raw, AS_OF)).toBe(c.id18);
    });
  }

  it('check character, birth date and sex of the standard example', () => {
    expect(residentCheckChar(EXAMPLE.slice(0, 17))).toBe('X');
    expect(residentCheckChar('32050519800101002')).not.toBe('X');
    expect(birthDate(EXAMPLE)).toBe('1949-12-31');
    expect(sexOf(EXAMPLE)).toBe('F');
    expect(sexOf(id18('32050519800101001'))).toBe('M');
    expect(foldId('１１０ｘ')).toBe('110X');
    expect(() => residentCheckChar('1234')).toThrow();
  });

  it('without an as-of date only the calendar bounds hold (up to 2099-12-31)', () => {
    expect(readResidentId(id18('32050520261101001'))).toEqual({ id18: id18('32050520261101001'), issue: null });
  });
});

describe('resident IDs in SQL (recon_id18, recon_id_issue) agree with TypeScript', () => {
  it('on every case of EXPORTS.md', async () => {
    await withDb(async (db) => {
      const got = await rows(
        db,
        `SELECT i, recon_id18(raw) AS id18, recon_id_issue(raw, DATE '${AS_OF}') AS issue, recon_id18(NULL) AS none, recon_id_issue('', DATE '${AS_OF}') AS empty
         FROM (SELECT unnest($1::VARCHAR[]) AS raw, generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i`,
        [textList(CASES.map((c) => c.raw))],
      );
      for (const [i, c] of CASES.entries()) {
        const r = got[i];
        // recon_id18 knows no as-of date: a birth date after D is for recon_id_issue to say.
        const expectedId = c.what === 'born after the as-of date' ? c.raw : c.id18;
        expect({ what: c.what, id18: r?.['id18'], issue: r?.['issue'] }).toEqual({ what: c.what, id18: expectedId, issue: c.issue });
        expect(r?.['none']).toBeNull();
        expect(r?.['empty']).toBeNull();
      }
    });
  });

  it('on thousands of generated numbers: valid, mistyped, 15-digit, shortened, with bad dates', async () => {
    // A deterministic spread: bodies with any digit anywhere, dates good and bad, every check character.
    const raws: string[] = [];
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 4000; i++) {
      const region = String(110000 + next(800000)).padStart(6, '0');
      const year = 1890 + next(140);
      const month = next(14);
      const day = next(33);
      const seq = String(next(1000)).padStart(3, '0');
      const body = `${region}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${seq}`;
      const kind = next(5);
      if (kind === 0) raws.push(id18(body));
      else if (kind === 1) raws.push(body + '0123456789X'.charAt(next(11)));
      else if (kind === 2) raws.push(body.slice(0, 6) + body.slice(8));
      else if (kind === 3)
        raws.push(
          id18(body)
            .toLowerCase()
            .slice(0, 10 + next(9)),
        );
      else raws.push(fullWidth(id18(body)));
    }
    await withDb(async (db) => {
      const got = await rows(
        db,
        `SELECT i, recon_id18(raw) AS id18, recon_id_issue(raw, DATE '${AS_OF}') AS issue
         FROM (SELECT unnest($1::VARCHAR[]) AS raw, generate_subscripts($1::VARCHAR[], 1) AS i) ORDER BY i`,
        [textList(raws)],
      );
      const mismatches = raws.flatMap((raw, i) => {
        const ts = readResidentId(raw, AS_OF);
        const tsAnyDate = readResidentId(raw);
        const r = got[i];
        return r?.['issue'] === ts.issue && r?.['id18'] === tsAnyDate.id18 ? [] : [{ raw, sql: r, ts }];
      });
      expect(mismatches.slice(0, 5)).toEqual([]);
      // The spread reaches every outcome.
      const issues = new Set(got.map((r) => r['issue']));
      expect([...issues].sort()).toEqual([null, 'bad_birth_date', 'bad_check', 'bad_format'].sort());
    });
  });
});
