import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { REVIEW_COLUMNS, REVIEW_SHEET } from '../../src/cases/review-layout.ts';
import { employerView } from '../../src/link/view.ts';
import { formatEmployerView } from '../../src/cli/employer.ts';
import { FIXTURE_INBOX, FIXTURE_TRUTH, query, readCsv, withPublished, workdir, type Workdir } from './support.ts';

/**
 * Issue 19's round trip on the committed fixture: a run lists the planted near misses in
 * review/待人工确认.xlsx; the workbook comes back with one pair judged 是同一单位, one 不是同一单位
 * and one 无法确定; the next run links / never links / keeps listing them, and the uninsured
 * finding the missed link caused is gone; a third run keeps all of it.
 */

interface Pair {
  record_key: string;
  candidate_uscc: string;
  answer: string;
}

interface State {
  result: RunResult;
  links: Map<string, { employer_id: string; method: string; rule: string }>;
  review: string[];
  uninsured: Set<string>;
}

async function state(work: Workdir, result: RunResult): Promise<State> {
  const links = new Map(
    (await query(work.database, `SELECT record_key, employer_id, method, rule FROM employer_links WHERE source = 'si_unit'`)).map((r) => [
      String(r['record_key']),
      { employer_id: String(r['employer_id']), method: String(r['method']), rule: String(r['rule']) },
    ]),
  );
  const review = (await query(work.database, `SELECT record_key FROM link_review ORDER BY record_key`)).map((r) => String(r['record_key']));
  const uninsured = new Set(
    (
      await query(
        work.database,
        `SELECT e.uscc FROM findings f JOIN employers e USING (employer_id)
         WHERE f.rule_id = 'uninsured' AND f.run_id = (SELECT max(run_id) FROM findings) AND e.uscc IS NOT NULL`,
      )
    ).map((r) => String(r['uscc'])),
  );
  return { result, links, review, uninsured };
}

describe('review decisions on the committed fixture (待人工确认 round trip)', () => {
  let work: Workdir;
  let pairs: Pair[];
  let first: State;
  let second: State;
  let third: State;
  let sameKey: string;
  let differentKey: string;
  let unsureKey: string;
  let registryId: string | undefined;

  beforeAll(async () => {
    work = workdir({ source: FIXTURE_INBOX });
    pairs = readCsv(path.join(FIXTURE_TRUTH, 'review_answers.csv')) as unknown as Pair[];
    const run = async (): Promise<RunResult> => runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    first = await state(work, await run());
    const same = pairs.filter((p) => p.answer === 'same');
    const different = pairs.filter((p) => p.answer === 'different');
    sameKey = (same[0] as Pair).record_key;
    unsureKey = (same[1] ?? (different[1] as Pair)).record_key;
    differentKey = (different[0] as Pair).record_key;
    registryId = (await query(work.database, `SELECT employer_id FROM employers WHERE uscc = $1`, [(same[0] as Pair).candidate_uscc]))[0]?.['employer_id'] as
      | string
      | undefined;

    // The analyst fills the workbook of the first run and hands it back.
    const file = path.join(work.output, 'latest', 'review', '待人工确认.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet(REVIEW_SHEET) as ExcelJS.Worksheet;
    const col = (name: (typeof REVIEW_COLUMNS)[number]): number => REVIEW_COLUMNS.indexOf(name) + 1;
    const answers: Record<string, string> = { [sameKey]: '是同一单位', [differentKey]: '不是同一单位', [unsureKey]: '无法确定' };
    ws.eachRow((row, n) => {
      const answer = answers[String(row.getCell(col('记录')).value).split('\n')[1]];
      if (n === 1 || !answer) return;
      row.getCell(col('确认结果')).value = answer;
      row.getCell(col('核查人')).value = '张三';
      row.getCell(col('日期')).value = '2026-10-31';
    });
    fs.mkdirSync(path.join(work.inbox, 'feedback'), { recursive: true });
    await wb.xlsx.writeFile(path.join(work.inbox, 'feedback', '待人工确认.xlsx'));
    second = await state(work, await run());
    third = await state(work, await run());
  });

  it('the first run lists every planted near miss with its candidate, and the missed link leaves the registry side uninsured', () => {
    expect(first.result.status).not.toBe('failed');
    expect(pairs.length).toBeGreaterThanOrEqual(3);
    for (const p of pairs) expect(first.review, p.record_key).toContain(p.record_key);
    expect(first.links.get(sameKey)?.method).toBe('own');
    expect(first.uninsured.has((pairs.find((p) => p.record_key === sameKey) as Pair).candidate_uscc)).toBe(true);
  });

  it('the next run reads the decisions before linking: 是同一单位 links, 不是同一单位 never, 无法确定 stays listed', () => {
    expect(second.result.decisions).toMatchObject({ files: 1, stored: 3, rejected: 0, byDecision: { same: 1, different: 1, unsure: 1 } });
    expect(second.links.get(sameKey)).toEqual({ employer_id: registryId, method: 'decision', rule: '人工确认 2026-10-31 张三' });
    expect(second.links.get(differentKey)?.method).toBe('own');
    expect(second.review).not.toContain(sameKey);
    expect(second.review).not.toContain(differentKey);
    expect(second.review).toContain(unsureKey);
  });

  it('recon employer shows the decision among the links (人工确认 <date> <checker>)', async () => {
    const text = await withPublished(work.database, async (db) => {
      const v = await employerView(db, registryId as string);
      return formatEmployerView({ ...v, cases: v.cases.map((c) => ({ ...c, rule_title: c.rule_id })) });
    });
    const line = text.split('\n').find((l) => l.includes(sameKey)) ?? '';
    expect(line).toContain('人工确认为同一单位');
    expect(line).toContain('人工确认 2026-10-31 张三');
  });

  it('the uninsured finding that was a missed link is gone; nothing else about the pairs changes', () => {
    const uscc = (pairs.find((p) => p.record_key === sameKey) as Pair).candidate_uscc;
    expect(second.uninsured.has(uscc)).toBe(false);
    const other = (pairs.find((p) => p.record_key === differentKey) as Pair).candidate_uscc;
    expect(second.uninsured.has(other)).toBe(first.uninsured.has(other));
  });

  it('a third run (the file still in the inbox, read once) keeps all of it', () => {
    expect(third.result.decisions).toMatchObject({ files: 0, skippedFiles: 1, stored: 0 });
    expect(third.links.get(sameKey)).toEqual(second.links.get(sameKey));
    expect(third.links.get(differentKey)?.method).toBe('own');
    expect(third.review).toEqual(second.review);
    expect([...third.uninsured].sort()).toEqual([...second.uninsured].sort());
  });
});
