import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { FIXTURE_INBOX, query, workdir, type Workdir } from '../e2e/support.ts';

/**
 * On the fixture, where the market registry's enterprise export has no 住所 column, a worker
 * still gets an address: the tax registry's 生产经营地址 (where the business operates), else
 * civil affairs' 住所, and the row says which. Counted over every worklist row and every notice.
 */

/** Employers with an address in any source, and in the sources 0.2 used (registry, civil affairs). */
const ADDRESSED = `
  SELECT l.employer_id, bool_or(l.source <> 'tax_registration') AS old_sources FROM employer_links l
  LEFT JOIN registration_current r ON l.source = 'registration' AND l.record_key = coalesce(r.uscc, 'line:' || r.file_id || ':' || r.src_line)
  LEFT JOIN tax_registration_current t ON l.source = 'tax_registration' AND l.record_key = t.taxpayer_id
  LEFT JOIN civil_org_current c ON l.source = 'civil_org' AND l.record_key = coalesce(c.uscc, 'line:' || c.file_id || ':' || c.src_line)
  WHERE coalesce(r.address, t.address, c.address) IS NOT NULL
  GROUP BY l.employer_id`;

interface Count {
  rows: number;
  /** Rows whose employer has an address in some source. */
  addressable: number;
  /** Of those, rows that show one. */
  shown: number;
  /** Of those, rows 0.2 would have shown (registry or civil-affairs address). */
  before: number;
}

let work: Workdir;
let run: RunResult;
let addressed: Map<string, boolean>;

async function sheetRows(file: string, sheet: string): Promise<Array<Map<string, unknown>>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(sheet) as ExcelJS.Worksheet;
  const header = (ws.getRow(1).values as unknown[]).map(String);
  const out: Array<Map<string, unknown>> = [];
  for (let r = 2; r <= ws.rowCount; r++) out.push(new Map(header.map((h, i) => [h, ws.getCell(r, i).value] as const).slice(1)));
  return out;
}

beforeAll(async () => {
  work = workdir({ source: FIXTURE_INBOX, asOf: '2026-10-31' });
  run = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
  expect(run.status).not.toBe('failed');
  addressed = new Map((await query(work.database, ADDRESSED)).map((r) => [String(r['employer_id']), r['old_sources'] === true]));
}, 120_000);

describe('addresses from the best source (fixture)', () => {
  it('at least 95% of worklist rows whose employer has an address anywhere show one, with its source', async () => {
    const employerOf = new Map(
      (await query(work.database, `SELECT case_id, employer_id FROM cases`)).map((r) => [String(r['case_id']), String(r['employer_id'])]),
    );
    const count: Count = { rows: 0, addressable: 0, shown: 0, before: 0 };
    const root = path.join(run.outputDir, 'worklists');
    for (const f of (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).filter((x) => x.endsWith('.xlsx'))) {
      for (const row of await sheetRows(path.join(root, f), '清单')) {
        count.rows++;
        const employer = employerOf.get(String(row.get('案件编号')).split('、')[0] as string) as string;
        if (!addressed.has(employer)) continue;
        count.addressable++;
        const text = String(row.get('地址') ?? '');
        if (text !== '') {
          count.shown++;
          expect(text).toMatch(/\n〔来源：(市场监管登记住所|税务登记生产经营地址|民政登记住所)〕$/);
        }
        if (addressed.get(employer)) count.before++;
      }
    }
    expect(count.rows).toBe(run.worklists?.rows);
    expect(count.addressable).toBeGreaterThan(count.rows * 0.8);
    expect(count.shown / count.addressable).toBeGreaterThanOrEqual(0.95);
    // 0.2 showed only the registry's and civil affairs' addresses: most of these rows were empty.
    expect(count.before / count.addressable).toBeLessThan(0.5);
  });

  it('at least 95% of notices whose employer has an address anywhere show one, in the letter and in 告知清单', async () => {
    const notices = await query(work.database, `SELECT notice_id, employer_id FROM notices WHERE run_id = $1`, [run.runId]);
    expect(notices.length).toBeGreaterThan(0);
    const list = new Map((await sheetRows(path.join(run.outputDir, 'notices', '告知清单.xlsx'), '告知清单')).map((r) => [String(r.get('告知编号')), r]));
    const letters = fs
      .readdirSync(path.join(run.outputDir, 'notices'))
      .filter((f) => f.endsWith('.html'))
      .map((f) => fs.readFileSync(path.join(run.outputDir, 'notices', f), 'utf8'))
      .join('\n');
    let addressable = 0;
    let shown = 0;
    for (const n of notices) {
      if (!addressed.has(String(n['employer_id']))) continue;
      addressable++;
      const row = list.get(String(n['notice_id'])) as Map<string, unknown>;
      const address = String(row.get('地址') ?? '');
      const letter = letters.slice(letters.indexOf(`编号：${n['notice_id']}`)).split('</section>')[0] as string;
      if (address !== '' && row.get('地址来源') && letter.includes(`<tr><th>地址</th><td>${address}</td></tr>`)) shown++;
    }
    expect(addressable).toBeGreaterThan(0);
    expect(shown / addressable).toBeGreaterThanOrEqual(0.95);
  });
});
