import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline, type RunResult } from '../../src/pipeline/run.ts';
import { silentLogger } from '../../src/core/log.ts';
import { findProgram } from '../../src/publish/render-check.ts';
import { writeWorklists } from '../../src/publish/worklists.ts';
import { FORM_SHEET } from '../../src/publish/worklist-print.ts';
import { FIXTURE_INBOX, workdir } from '../e2e/support.ts';
import { tempDir, testContext, withDb } from '../helpers.ts';
import { seedWorklistDb } from '../publish/seed.ts';
import { pdfText, type PageText } from './pdf-text.ts';

/**
 * Worklists as they print: rendered through LibreOffice to PDF, every text run's printed size
 * measured from the PDF (font size x text and page scale), every page classified by its text.
 * Not part of `npm test` (CI has no LibreOffice): `npm run test:render`, after
 *   apt-get install -y libreoffice-calc-nogui fonts-noto-cjk poppler-utils
 * PNGs of the first list page and the first form go to $RECON_RENDER_OUT (default: a temp folder).
 */

const MIN_PT = 9;
const OUT = process.env['RECON_RENDER_OUT'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'recon-render-out-'));

function tool(program: string, pkg: string): string {
  const found = findProgram(program);
  if (!found)
    throw new Error(`${program} is not installed: apt-get install -y ${pkg} (the render tests need libreoffice-calc-nogui fonts-noto-cjk poppler-utils)`);
  return found;
}

function run(program: string, args: string[]): string {
  const out = spawnSync(program, args, { encoding: 'utf8', timeout: 240_000 });
  if (out.error || out.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${out.error?.message ?? out.stderr}`);
  return out.stdout;
}

interface Rendered {
  pages: Array<PageText & { kind: 'guide' | 'list' | 'form'; text: string }>;
  pdf: string;
}

/** Converts a workbook to PDF with a private LibreOffice profile and measures every page. */
function render(xlsx: string): Rendered {
  const soffice = tool('soffice', 'libreoffice-calc-nogui');
  const pdftotext = tool('pdftotext', 'poppler-utils');
  const dir = tempDir('recon-render-');
  const copy = path.join(dir, 'worklist.xlsx');
  fs.copyFileSync(xlsx, copy);
  run(soffice, [`-env:UserInstallation=file://${path.join(dir, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, copy]);
  const pdf = path.join(dir, 'worklist.pdf');
  const pages = pdfText(fs.readFileSync(pdf)).map((p) => {
    const text = run(pdftotext, ['-f', String(p.page), '-l', String(p.page), '-layout', pdf, '-']);
    const kind = text.includes('核查人（签名）') ? ('form' as const) : /怎么做|核查结果的作用|清单中的信息/.test(text) ? ('guide' as const) : ('list' as const);
    return { ...p, kind, text };
  });
  return { pages, pdf };
}

function png(pdf: string, page: number, name: string): string {
  const pdftoppm = tool('pdftoppm', 'poppler-utils');
  fs.mkdirSync(OUT, { recursive: true });
  const prefix = path.join(OUT, name);
  run(pdftoppm, ['-png', '-r', '100', '-f', String(page), '-l', String(page), '-singlefile', pdf, prefix]);
  return `${prefix}.png`;
}

const smallest = (pages: PageText[]): number => Math.min(...pages.flatMap((p) => p.sizes));

async function listRows(xlsx: string): Promise<number> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(xlsx);
  return wb.worksheets.filter((w) => w.name.startsWith('清单')).reduce((n, w) => n + w.rowCount - 1, 0);
}

describe('a fixture worklist printed through LibreOffice', () => {
  let result: RunResult;
  let worklist: string;
  let rendered: Rendered;

  beforeAll(async () => {
    const work = workdir({ source: FIXTURE_INBOX, asOf: '2026-10-31' });
    result = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    const root = path.join(result.outputDir, 'worklists');
    const files = (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.xlsx')).map((f) => path.join(root, f));
    // The fixture's fullest worklist.
    const counted = await Promise.all(files.map(async (f) => [f, await listRows(f)] as const));
    worklist = [...counted].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] as string;
    rendered = render(worklist);
  });

  it(`prints no text smaller than ${MIN_PT} pt on any page: 说明, the list, the 入户核查表`, () => {
    for (const p of rendered.pages) expect(p.sizes.length, `page ${p.page} has text`).toBeGreaterThan(0);
    const report = rendered.pages.map(
      (p) => `page ${p.page} (${p.kind}, ${p.width > p.height ? 'landscape' : 'portrait'}): smallest ${Math.min(...p.sizes).toFixed(2)} pt`,
    );
    process.stdout.write(`${path.basename(worklist)}\n${report.join('\n')}\n`);
    expect(smallest(rendered.pages), report.join('\n')).toBeGreaterThanOrEqual(MIN_PT);
  });

  it('prints the list on A4 landscape with the visit columns only, and one portrait 入户核查表 page per employer', async () => {
    const list = rendered.pages.filter((p) => p.kind === 'list');
    const forms = rendered.pages.filter((p) => p.kind === 'form');
    expect(list.length).toBeGreaterThan(0);
    for (const p of list) {
      expect(p.width).toBeGreaterThan(p.height);
      expect(Math.round(p.width)).toBe(842);
      // The header row on every page; the fill-in columns printed, the reference columns not.
      expect(p.text).toContain('单位名称');
      expect(p.text).toContain('核查人');
      expect(p.text).not.toContain('统一社会信用代码');
      expect(p.text).not.toContain('法定代表人');
    }
    expect(forms.length).toBe(await listRows(worklist));
    for (const p of forms) {
      expect(p.height).toBeGreaterThan(p.width);
      expect(p.text).toContain('入户核查表');
      // An employer with people only is answered on 人员清单: its form says so instead of the boxes.
      expect(p.text.includes('□ 已注销或迁出') || p.text.includes('本单位只有人员问题'), p.text.slice(0, 200)).toBe(true);
    }
    // 人员清单 (when the workbook lists people) prints as the list does: landscape, its own header, the visit columns.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(worklist);
    const people = list.filter((p) => p.text.includes('人员核查清单'));
    if (wb.getWorksheet('人员清单')) {
      expect(people.length).toBeGreaterThan(0);
      for (const p of people) {
        expect(p.text).toContain('证件号码');
        expect(p.text).toContain('核查结果');
        expect(p.text).not.toContain('案件编号');
        expect(p.text).toMatch(/\d{6}\*{8}\d{3}[\dX]/);
      }
      process.stdout.write(`PNG: ${png(rendered.pdf, (people[0] as PageText).page, 'worklist-people-page1')}\n`);
    }
    const listPng = png(rendered.pdf, (list[0] as PageText).page, 'worklist-list-page1');
    const formPng = png(rendered.pdf, (forms[0] as PageText).page, 'worklist-form-page1');
    process.stdout.write(`PNG: ${listPng}\nPNG: ${formPng}\n`);
    expect(fs.statSync(listPng).size).toBeGreaterThan(10_000);
  });
});

describe('a long worklist printed through LibreOffice', () => {
  it(`long names, addresses and several problems per row: the list runs over pages with the header repeated, no text under ${MIN_PT} pt`, async () => {
    const dir = tempDir();
    await withDb(async (db) => {
      await seedWorklistDb(
        db,
        Array.from({ length: 30 }, (_, i) => ({
          id: `L${i}`,
          name: `苏州工业园区${'鑫森淼焱垚'.repeat(1 + (i % 3))}国际货运代理有限公司第${i}分公司`,
          address: `江苏省苏州市姑苏区${'人民路'.repeat(1 + (i % 4))}${100 + i}号${i % 2 ? '（东门）' : ''}`,
          addressSource: i % 3 === 0 ? 'tax_registration' : 'registration',
          phone: i % 2 ? '0512-68001234' : '13800138000',
          legalRep: '张三',
          findings: [
            {
              rule: 'uninsured',
              severity: 'high' as const,
              amount: 10000 + i,
              text: `成立于2020-01-0${1 + (i % 9)}，近3个月个税申报最多${i}人，未办理社会保险登记`,
            },
            ...(i % 2
              ? [{ rule: 'arrears', severity: 'medium' as const, amount: 2000, text: '累计欠缴社保费2000.00元（2026-01 起 9 个月），滞纳金 321.00 元' }]
              : []),
          ],
        })),
      );
      await writeWorklists(db, testContext({ runId: 'run-1', asOf: '2026-10-31', runDir: dir }));
    });
    const rendered = render(path.join(dir, 'worklists', '姑苏区', '沧浪街道.xlsx'));
    const list = rendered.pages.filter((p) => p.kind === 'list');
    expect(list.length).toBeGreaterThan(1);
    for (const p of list) expect(p.text).toContain('问题说明');
    expect(rendered.pages.filter((p) => p.kind === 'form')).toHaveLength(30);
    expect(smallest(rendered.pages)).toBeGreaterThanOrEqual(MIN_PT);
    process.stdout.write(`long worklist: ${rendered.pages.length} pages, smallest ${smallest(rendered.pages).toFixed(2)} pt; ${FORM_SHEET} pages 30\n`);
  });
});
