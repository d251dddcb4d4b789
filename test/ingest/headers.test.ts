import { describe, expect, it } from 'vitest';
import { CONTRACTS, KINDS, type ColumnSpec, type Kind } from '../../src/sources/index.ts';
import { candidateKinds } from '../../src/sources/match.ts';
import { load, rows, tempDir, withDb, writeText } from '../helpers.ts';

/** A raw value for column number `k` of a given type, and what must be stored for it. */
function sample(c: ColumnSpec, k: number): { raw: string; stored: Record<string, unknown> } {
  switch (c.type) {
    case 'text':
      return { raw: `文本${k}`, stored: { [c.name]: `文本${k}` } };
    case 'code':
      return { raw: `00${k}ab`, stored: { [c.name]: `00${k}AB`, [`${c.name}_raw`]: `00${k}ab` } };
    case 'date':
      return { raw: `2024-01-${String(k).padStart(2, '0')}`, stored: { [c.name]: `2024-01-${String(k).padStart(2, '0')}` } };
    case 'period':
      return { raw: `2024${String(k).padStart(2, '0')}`, stored: { [c.name]: `2024-${String(k).padStart(2, '0')}-01` } };
    case 'money':
      return { raw: `${k}00.5`, stored: { [c.name]: Number(`${k}00.5`) } };
    case 'int':
      return { raw: String(k), stored: { [c.name]: k } };
    case 'capital':
      return { raw: `${k}(万元人民币)`, stored: { [c.name]: `${k}(万元人民币)`, [`${c.name}_wan`]: k } };
    case 'enum': {
      const [raw, code] = Object.entries(c.values ?? {})[0] as [string, string];
      return { raw, stored: { [c.name]: raw, [c.classColumn ?? `${c.name}_class`]: code } };
    }
    case 'resident_id':
      // GB 11643's own example, with a lower-case x: normalised, kept as written, no issue.
      return { raw: '11010519491231002x', stored: { [c.name]: '11010519491231002X', [`${c.name}_raw`]: '11010519491231002x', id_issue: null } };
  }
}

/**
 * Header sets that together use every alias of every column of a kind: set `i` spells each
 * column with its i-th alias; a required column whose aliases ran out keeps its first one,
 * an optional one is left out.
 */
function aliasSets(kind: Kind): Array<Array<{ column: ColumnSpec; header: string; k: number }>> {
  const columns = CONTRACTS[kind].columns;
  const most = Math.max(...columns.map((c) => c.aliases.length));
  return Array.from({ length: most }, (_, i) =>
    columns.flatMap((column, index) => {
      const header = column.aliases[i] ?? (column.required ? column.aliases[0] : undefined);
      return header === undefined ? [] : [{ column, header, k: index + 1 }];
    }),
  );
}

describe('header aliases', () => {
  it('the alias sets cover every alias of every contract', () => {
    for (const kind of KINDS) {
      const used = new Set(aliasSets(kind).flatMap((set) => set.map((h) => `${h.column.name}:${h.header}`)));
      const all = CONTRACTS[kind].columns.flatMap((c) => c.aliases.map((a) => `${c.name}:${a}`));
      expect([...used].sort()).toEqual([...all].sort());
    }
  });

  for (const kind of KINDS) {
    it(`${kind}: every alias is recognised and its value lands in its canonical column`, async () => {
      const dir = tempDir();
      await withDb(async (db) => {
        for (const [i, set] of aliasSets(kind).entries()) {
          const header = set.map((h) => h.header).join(',');
          const values = set.map((h) => sample(h.column, h.k));
          const file = writeText(dir, `${kind}-${i}.csv`, `${header}\n${values.map((v) => v.raw).join(',')}\n`);
          const result = await load(db, file);
          expect(result, header).toMatchObject({ status: 'loaded', kind, rowsLoaded: 1, rowsRejected: 0, valuesFlagged: 0 });
          if (result.status !== 'loaded') continue;
          const [row] = await rows(db, `SELECT * FROM ${kind} WHERE file_id = $1`, [result.fileId]);
          expect(row, header).toMatchObject(Object.assign({}, ...values.map((v) => v.stored)));
          const [m] = await rows(db, 'SELECT column_map FROM manifest WHERE file_id = $1', [result.fileId]);
          expect(JSON.parse(String(m?.['column_map'])), header).toEqual(Object.fromEntries(set.map((h) => [h.column.name, h.header])));
        }
      });
    });
  }

  it('headers are matched after trimming, NFKC folding, removing spaces and ignoring case', async () => {
    const dir = tempDir();
    // tax_registration with an inner-spaced, a full-width and a lower-case spelling
    const file = writeText(
      dir,
      'spelling.csv',
      ' 社会信用代码（纳税人识别号） ,ｎｓｒｍｃ,纳 税 人 状 态,主管税务所（科、分局）\n91110108MA01ABCD2X,北京某某科技有限公司,正常,海淀区税务局\n',
    );
    const spaced = writeText(
      dir,
      'spaced.csv',
      '统 一 社会信用代码,企业名称,成立日期,登记状态,街道（乡镇）\n91110108MA01ABCD2X,北京某某科技有限公司,2024-01-05,存续,中关村街道\n',
    );
    await withDb(async (db) => {
      expect(await load(db, file)).toMatchObject({ status: 'loaded', kind: 'tax_registration', rowsLoaded: 1 });
      expect(await rows(db, 'SELECT taxpayer_id, name, status_class, tax_office FROM tax_registration')).toEqual([
        { taxpayer_id: '91110108MA01ABCD2X', name: '北京某某科技有限公司', status_class: 'active', tax_office: '海淀区税务局' },
      ]);
      expect(await load(db, spaced)).toMatchObject({ status: 'loaded', kind: 'registration', rowsLoaded: 1 });
      expect(await rows(db, 'SELECT uscc, street FROM registration')).toEqual([{ uscc: '91110108MA01ABCD2X', street: '中关村街道' }]);
    });
  });

  it('a header with extra words is not an alias: 统一社会信用代码（18位） leaves the file without a uscc column', async () => {
    expect(candidateKinds(['统一社会信用代码（18位）', '企业名称', '成立日期', '登记状态'])).toEqual([]);
    const dir = tempDir();
    const file = writeText(dir, 'extra.csv', '统一社会信用代码（18位）,企业名称,成立日期,登记状态\n91110108MA01ABCD2X,北京某某科技有限公司,2024-01-05,存续\n');
    await withDb(async (db) => {
      const result = await load(db, file);
      expect(result).toMatchObject({ status: 'refused', reason: 'unknown_kind' });
      expect(result.status === 'refused' && result.message).toContain(
        'registration (市场主体登记信息) is missing 统一社会信用代码 (uscc; accepted: 统一社会信用代码 / 信用代码 / UNISCID / uscc)',
      );
      expect(await rows(db, 'SELECT count(*) AS n FROM registration')).toEqual([{ n: 0 }]);
    });
  });
});
