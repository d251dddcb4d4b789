import path from 'node:path';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, it, expect } from 'vitest';
import { withDb, tempDir, writeText, load, rows, testContext } from '../helpers.ts';
import { linkEmployers } from '../../src/link/stage.ts';
import type { Db } from '../../src/db/database.ts';
import { loadReferenceTables } from '../../src/reference/load.ts';
import { makeUscc, orgCodeCheckChar } from '../../src/link/codes.ts';
import { writeReviewList } from '../../src/publish/review-list.ts';
import { readReviewFile, storeDecisions } from '../../src/cases/link-decisions.ts';
import { REVIEW_COLUMNS, REVIEW_SHEET, isReviewFileName } from '../../src/cases/review-layout.ts';
import { buildFacts } from '../../src/rules/facts.ts';

// Valid GB 32100 codes in 西湖区 (330106).
const A = makeUscc('9', '1', '330106', 'MA2AAAA1');
const B = makeUscc('9', '1', '330106', 'MA2BBBB2');
const D = makeUscc('9', '1', '330106', 'MA2DDDD3');
const H = makeUscc('9', '1', '330106', 'MA2HHHH4');
const K = makeUscc('9', '1', '330106', 'MA2KKKK5');
const orgOf = (uscc: string): string => uscc.slice(8, 17);
/** An organisation code with a wrong check character. */
const badOrg = (org: string): string => {
  const wrong = orgCodeCheckChar(org.slice(0, 8)) === '1' ? '2' : '1';
  return org.slice(0, 8) + wrong;
};

const REG = [
  '统一社会信用代码,企业名称,曾用名,成立日期,登记状态,所属区县代码',
  `${A},杭州甲新材料有限公司,杭州老甲商贸有限公司；杭州旧甲公司,2015-01-01,存续,330106`,
  `${B},杭州乙科技有限公司,,2020-01-01,存续,330106`,
  `${D},杭州申通物流有限公司,,2020-01-01,存续,330106`,
  `${H},杭州宏远纺织有限公司,,2020-01-01,存续,330106`,
  `${K},杭州凯达机械有限公司,,2020-01-01,存续,330106`,
];

function siRows(extra: string[] = []): string[] {
  return [
    '单位编号,统一社会信用代码,组织机构代码,单位名称,险种,参保状态,所属区县',
    // Only its organisation code (printed form) and an old name nobody else has.
    `200001,,${orgOf(K).slice(0, 8)}-${orgOf(K).slice(8)},杭州凯旋五金厂,110,1,330106`,
    // A malformed organisation code, and the registry name: linked by name, the code reported.
    `200002,,${badOrg(orgOf(B))},杭州乙科技有限公司,110,1,330106`,
    // A former name of A.
    `200003,,,杭州老甲商贸有限公司,110,1,330106`,
    // Three near misses for review.
    `100001,,,杭州乙科枝有限公司,110,1,330106`,
    `100002,,,杭州申通物留有限公司,110,1,330106`,
    `100003,,,杭州宏远纺识有限公司,110,1,330106`,
    ...extra,
  ];
}

async function setup(db: Db, dir: string): Promise<void> {
  await loadReferenceTables(db, path.resolve('pipelines/local-params.yaml'));
  writeText(dir, 'reg_20261031.csv', REG.join('\n'));
  writeText(dir, 'si_20261031.csv', siRows().join('\n'));
  for (const f of ['reg_20261031.csv', 'si_20261031.csv']) expect((await load(db, path.join(dir, f))).status).toBe('loaded');
}

async function link(db: Db, source: string, key: string): Promise<{ employer_id: string; method: string; rule: string } | undefined> {
  const [row] = await rows(db, `SELECT employer_id, method, rule FROM employer_links WHERE source = $1 AND record_key = $2`, [source, key]);
  return row as { employer_id: string; method: string; rule: string } | undefined;
}

/** Fills the review workbook's rows: decision label, checker and date per record key (the second line of 记录). */
async function fill(file: string, out: string, answers: Record<string, [string, string, string]>): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(REVIEW_SHEET) as ExcelJS.Worksheet;
  const col = (name: string): number => REVIEW_COLUMNS.indexOf(name as (typeof REVIEW_COLUMNS)[number]) + 1;
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const a = answers[String(row.getCell(col('记录')).value).split('\n')[1]];
    if (!a) return;
    row.getCell(col('确认结果')).value = a[0];
    row.getCell(col('核查人')).value = a[1];
    row.getCell(col('日期')).value = a[2];
  });
  await wb.xlsx.writeFile(out);
}

describe('linking by organisation code and former names', () => {
  it('an SI unit with only aab003 and an old name links by organisation code; a former name links; a malformed code is reported, not used', async () => {
    await withDb(async (db) => {
      await setup(db, tempDir());
      await linkEmployers(db, testContext({ runId: 'run-1' }));
      const k = await link(db, 'registration', K);
      expect(await link(db, 'si_unit', '200001')).toMatchObject({ employer_id: k?.employer_id, method: 'org_code' });
      const a = await link(db, 'registration', A);
      expect(await link(db, 'si_unit', '200003')).toMatchObject({ employer_id: a?.employer_id, method: 'former_name' });
      const b = await link(db, 'registration', B);
      expect(await link(db, 'si_unit', '200002')).toMatchObject({ employer_id: b?.employer_id, method: 'name_exact' });
      const dq = await rows(db, `SELECT category, record_key FROM dq_issues WHERE category = 'invalid_org_code'`);
      expect(dq).toEqual([{ category: 'invalid_org_code', record_key: '200002' }]);
      // The employer took the unit's own organisation code only when it is valid.
      expect((await rows(db, `SELECT org_code FROM link_records WHERE record_key = '200002'`))[0]?.['org_code']).toBeNull();
    });
  });
});

describe('review decisions (待人工确认)', () => {
  it('round trip: listed, decided (same / different / unsure), applied on the next run and the one after; ids stay', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      await setup(db, dir);
      const run1 = testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: tempDir('recon-run1-') });
      await linkEmployers(db, run1);
      const listed = await rows(db, `SELECT record_key, candidate_cluster, first_listed FROM link_review ORDER BY record_key`);
      expect(listed.map((r) => [r['record_key'], r['candidate_cluster']])).toEqual([
        ['100001', `uscc:${B}`],
        ['100002', `uscc:${D}`],
        ['100003', `uscc:${H}`],
      ]);
      const ids = new Map((await rows(db, `SELECT source || '|' || record_key AS k, employer_id FROM employer_links`)).map((r) => [r['k'], r['employer_id']]));
      await buildFacts(db, run1.dates);
      const { file } = await writeReviewList(db, run1);
      expect(file).not.toBeNull();
      const back = path.join(dir, 'feedback', '待人工确认（已填）.xlsx');
      fs.mkdirSync(path.dirname(back), { recursive: true });
      await fill(file as string, back, {
        '100001': ['是同一单位', '张三', '2026-11-05'],
        '100002': ['不是同一单位', '李四', '2026-11-05'],
        '100003': ['无法确定', '王五', '2026-11-06'],
      });
      expect(isReviewFileName(back)).toBe(true);
      const read = await readReviewFile(back, '2026-12-31');
      expect(read.map((r) => [r.decision, r.problem?.code ?? null]).sort()).toEqual([
        ['different', null],
        ['same', null],
        ['unsure', null],
      ]);
      const ctx2 = testContext({ runId: 'run-2', asOf: '2026-11-30', now: new Date('2026-11-30T01:00:00Z') });
      const stored = await storeDecisions(db, ctx2, [back], { asOf: '2026-11-30' });
      expect(stored).toMatchObject({ files: 1, stored: 3, rejected: 0, byDecision: { same: 1, different: 1, unsure: 1 } });
      // The same file again (left in the inbox): read once.
      expect((await storeDecisions(db, ctx2, [back], { asOf: '2026-11-30' })).skippedFiles).toBe(1);

      for (const run of ['run-2', 'run-3']) {
        await linkEmployers(db, testContext({ runId: run, asOf: '2026-11-30' }));
        const b = await link(db, 'registration', B);
        // 是同一单位: linked, and the employer keeps its id.
        expect(await link(db, 'si_unit', '100001'), run).toEqual({ employer_id: b?.employer_id, method: 'decision', rule: '人工确认 2026-11-05 张三' });
        expect(b?.employer_id).toBe(ids.get(`registration|${B}`));
        // 不是同一单位: never linked, not listed again.
        expect((await link(db, 'si_unit', '100002'))?.method, run).toBe('own');
        const review = await rows(db, `SELECT record_key, reason, first_listed FROM link_review ORDER BY record_key`);
        expect(
          review.map((r) => r['record_key']),
          run,
        ).toEqual(['100003']);
        // 无法确定: still listed, says so, and keeps the day it was first listed.
        expect(String(review[0]?.['reason'])).toMatch(/^人工确认：无法确定（2026-11-06 王五）；/);
        expect(review[0]?.['first_listed']).toEqual(listed[2]?.['first_listed']);
      }
    });
  });

  it('a decision a later code contradicts is not applied and is reported; a changed checksum or a missing checker is rejected', async () => {
    await withDb(async (db) => {
      const dir = tempDir();
      await setup(db, dir);
      const run1 = testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: tempDir('recon-run1-') });
      await linkEmployers(db, run1);
      await buildFacts(db, run1.dates);
      const { file } = await writeReviewList(db, run1);
      const back = path.join(dir, '待人工确认.xlsx');
      await fill(file as string, back, { '100001': ['是同一单位', '张三', '2026-11-05'], '100003': ['是同一单位', '', '2026-11-05'] });
      // Someone edits a protected cell of the 100002 row and answers it.
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(back);
      const ws = wb.getWorksheet(REVIEW_SHEET) as ExcelJS.Worksheet;
      const col = (name: string): number => REVIEW_COLUMNS.indexOf(name as (typeof REVIEW_COLUMNS)[number]) + 1;
      ws.eachRow((row) => {
        if (String(row.getCell(col('记录')).value).split('\n')[1] !== '100002') return;
        row.getCell(col('候选单位名称')).value = '别的单位';
        row.getCell(col('确认结果')).value = '是同一单位';
        row.getCell(col('核查人')).value = '赵六';
        row.getCell(col('日期')).value = '2026-11-05';
      });
      await wb.xlsx.writeFile(back);
      const s = await storeDecisions(db, testContext({ runId: 'run-2', now: new Date('2026-11-30T01:00:00Z') }), [back]);
      expect(s).toMatchObject({ stored: 1, rejected: 2 });
      expect(await rows(db, `SELECT code FROM link_decision_rejects ORDER BY file_row`)).toEqual([{ code: 'checksum' }, { code: 'missing_checker' }]);

      // The unit turns out to carry the USCC of another employer: the decision is not applied.
      const other = makeUscc('9', '1', '330106', 'MA2YYYY9');
      writeText(dir, 'reg_20261130.csv', [...REG, `${other},杭州乙科枝贸易有限公司,,2021-01-01,存续,330106`].join('\n'));
      writeText(
        dir,
        'si_20261130.csv',
        siRows()
          .map((l) => (l.startsWith('100001,') ? l.replace('100001,,', `100001,${other},`) : l))
          .join('\n'),
      );
      await load(db, path.join(dir, 'reg_20261130.csv'), { force: true });
      await load(db, path.join(dir, 'si_20261130.csv'), { force: true });
      await linkEmployers(db, testContext({ runId: 'run-3', asOf: '2026-11-30' }));
      expect((await link(db, 'si_unit', '100001'))?.method).toBe('uscc');
      expect(await rows(db, `SELECT category, record_key FROM dq_issues WHERE run_id = 'run-3' AND category LIKE 'decision%'`)).toEqual([
        { category: 'decision_contradicted', record_key: '100001' },
      ]);
    });
  });
});
