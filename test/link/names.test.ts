import { describe, it, expect } from 'vitest';
import { normaliseName, splitSuffix, nameMacrosSql } from '../../src/link/names.ts';
import { jaroWinkler } from '../../src/link/similarity.ts';
import { withDb, rows } from '../helpers.ts';

describe('name normalisation', () => {
  it('folds width, traditional characters, brackets, spaces and punctuation, and keeps the legal form', () => {
    expect(normaliseName('杭州甲貿易發展有限公司')).toBe('杭州甲贸易发展有限公司');
    expect(normaliseName('杭州 丙餐饮管理（连锁）有限公司')).toBe('杭州丙餐饮管理(连锁)有限公司');
    expect(normaliseName('杭州丙餐饮管理【连锁】有限公司')).toBe('杭州丙餐饮管理(连锁)有限公司');
    expect(normaliseName('ＡＢＣ·科技，有限公司。')).toBe('ABC科技有限公司');
    expect(normaliseName('杭州丁建材有限责任公司')).not.toBe(normaliseName('杭州丁建材有限公司'));
  });

  it('splits the legal-form suffix off, longest first', () => {
    expect(splitSuffix('杭州丁建材有限责任公司')).toEqual({ core: '杭州丁建材', suffix: '有限责任公司' });
    expect(splitSuffix('杭州丁建材股份有限公司')).toEqual({ core: '杭州丁建材', suffix: '股份有限公司' });
    expect(splitSuffix('杭州丁建材有限公司')).toEqual({ core: '杭州丁建材', suffix: '有限公司' });
    expect(splitSuffix('西湖区老王便利店')).toEqual({ core: '西湖区老王', suffix: '便利店' });
  });

  it('the SQL macros agree with the JS normalisation on names without traditional characters', async () => {
    await withDb(async (db) => {
      await db.run(nameMacrosSql());
      const names = ['杭州 丙餐饮管理（连锁）有限公司', 'ＡＢＣ·科技，有限公司。', '杭州丙餐饮管理【连锁】有限公司', '杭州丁建材有限责任公司'];
      for (const name of names) {
        const [row] = await rows(
          db,
          `SELECT recon_name_basic($1) AS n, recon_name_suffix(recon_name_basic($1)) AS s, recon_name_core(recon_name_basic($1)) AS c`,
          [name],
        );
        const expected = normaliseName(name);
        expect(row?.['n']).toBe(expected);
        expect({ core: row?.['c'], suffix: row?.['s'] }).toEqual(splitSuffix(expected));
      }
    });
  });
});

describe('character Jaro-Winkler', () => {
  it('matches the published values (Winkler 1990)', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('abc', '')).toBe(0);
  });

  it('counts a Chinese character as one character, not three bytes', () => {
    // DuckDB's byte-based jaro_winkler_similarity gives 0.947 for this pair.
    expect(jaroWinkler('杭州乙科枝', '杭州乙科技')).toBeCloseTo(0.92, 3);
  });
});
