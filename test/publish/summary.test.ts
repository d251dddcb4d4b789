import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { tempDir, testContext } from '../helpers.ts';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { Db } from '../../src/db/database.ts';
import { silentLogger } from '../../src/core/log.ts';
import { writeSummaryHtml } from '../../src/publish/summary-html.ts';
import { escapeHtml } from '../../src/core/html.ts';
import { renderCheck, RenderCheckError } from '../../src/publish/render-check.ts';
import { renderCheckCommand } from '../../src/cli/render-check.ts';

const PARAMS = path.resolve('pipelines/local-params.yaml');
const DISTRICTS = ['虎丘区', '吴中区', '相城区', '姑苏区', '吴江区', '苏州工业园区', '常熟市', '张家港市', '昆山市', '太仓市'];
const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'rect', 'line']);

/** Checks that every element is closed in order (SVG shapes may self-close); returns the problems. */
function unbalanced(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  const body = html.replace(/<!DOCTYPE[^>]*>/i, '').replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, tag = '', selfClosing] = m;
    const name = tag.toLowerCase();
    if (selfClosing || (VOID.has(name) && !closing)) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> at ${m.index}`);
  }
  return [...problems, ...stack.map((t) => `<${t}> never closed`)];
}

describe('summary.html', () => {
  let html = '';
  beforeAll(async () => {
    const dir = tempDir('recon-summary-');
    const file = path.join(dir, 'nightly.yaml');
    fs.writeFileSync(
      file,
      `inbox: ${path.resolve('fixtures/inbox')}\ndatabase: data/recon.duckdb\noutput: reports\nlocal_params: ${PARAMS}\nas_of: 2026-10-31\n`,
    );
    const run = await runPipeline(loadPipeline(file), { logger: silentLogger() });
    const db = await Db.open(path.join(dir, 'data', 'recon.duckdb'));
    try {
      const out = await writeSummaryHtml(db, testContext({ runId: run.runId, asOf: run.asOf, runDir: path.join(dir, 'out') }));
      expect(out).toBe(path.join(dir, 'out', 'summary.html'));
      html = fs.readFileSync(out, 'utf8');
    } finally {
      db.close();
    }
  }, 90_000);

  it('is one self-contained page: no network references, inline SVG charts, the CJK font stack', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(/);
    expect((html.match(/<svg/g) ?? []).length).toBe(4);
    expect(html).toContain('"Noto Sans CJK SC", "Microsoft YaHei", sans-serif');
  });

  it('shows the run date, the key rates and every district', () => {
    expect(html).toContain('核查日 2026-10-31');
    for (const k of ['参保率', '缴费率', '征缴率', '各区县参保率', '各类问题数', '欠费按类别', '在办案件']) expect(html).toContain(k);
    for (const d of DISTRICTS) expect(html).toContain(d);
    // The employer rules' findings; the people are on their own cards and table.
    expect(html).toContain('148 条');
    for (const k of ['职工参保率', '代缴覆盖率', '断缴人员', '人员参保（按区县，单位：人）']) expect(html).toContain(k);
  });

  it('is well-formed enough: every element closes in order, no stray markup from data', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(unbalanced(html)).toEqual([]);
  });

  it('prints on A4: print styles that keep cards, charts and table rows whole and repeat the table header', () => {
    const css = html.match(/<style>([\s\S]*?)<\/style>/)?.[1] ?? '';
    expect(css).toMatch(/@page\s*\{[^}]*size:\s*A4/);
    const print = css.match(/@media print\s*\{([\s\S]*)\}\s*$/)?.[1] ?? '';
    expect(print).toMatch(/\.charts\s*\{[^}]*grid-template-columns:\s*1fr;/);
    expect(print).toMatch(/\.card, \.chart, \.foot\s*\{[^}]*break-inside:\s*avoid/);
    expect(print).toMatch(/thead\s*\{[^}]*display:\s*table-header-group/);
    expect(print).toMatch(/tr\s*\{[^}]*break-inside:\s*avoid/);
    expect(print).toMatch(/print-color-adjust:\s*exact/);
  });

  it('escapes values from the data', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(html).not.toContain('<script');
  });
});

describe('render-check without the tools', () => {
  it('fails cleanly, naming the Debian packages, when PATH is empty', () => {
    const call = (): unknown => renderCheck({ env: { PATH: '' }, reports: tempDir('recon-render-') });
    expect(call).toThrow(RenderCheckError);
    expect(call).toThrow(/libreoffice-calc-nogui[\s\S]*poppler-utils[\s\S]*chromium/);
    expect(call).toThrow(/apt-get install -y libreoffice-calc-nogui poppler-utils chromium/);
  });

  it('the command fails the same way with PATH emptied', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '';
    try {
      await expect(
        renderCheckCommand()
          .exitOverride()
          .parseAsync(['--reports', tempDir('recon-render-')], { from: 'user' }),
      ).rejects.toThrow(/soffice \(xlsx -> pdf\) is not installed: install the Debian package libreoffice-calc-nogui/);
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
