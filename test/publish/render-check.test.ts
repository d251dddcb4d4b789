import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { renderCheck, renderDirFor } from '../../src/publish/render-check.ts';

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).sort();
}

/**
 * Stand-ins for LibreOffice, pdftoppm, Chromium and fc-list that write what the real ones
 * would (a PDF per workbook, a PNG per page, a screenshot, a printed PDF): the render check's
 * own logic, where its files go, without the 1 GB of tools.
 */
function fakeTools(): string {
  const bin = tempDir('recon-fake-tools-');
  const script = (name: string, body: string): void => {
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  };
  script(
    'soffice',
    `out=""; last=""; prev=""
for a in "$@"; do if [ "$prev" = "--outdir" ]; then out="$a"; fi; prev="$a"; last="$a"; done
base=$(basename "$last" .xlsx); echo pdf > "$out/$base.pdf"`,
  );
  script('pdftoppm', 'for a in "$@"; do prefix="$a"; done; echo png > "$prefix-1.png"; echo png > "$prefix-2.png"');
  script(
    'chromium',
    `for a in "$@"; do case "$a" in --screenshot=*) echo png > "\${a#--screenshot=}";; --print-to-pdf=*) echo pdf > "\${a#--print-to-pdf=}";; esac; done`,
  );
  script('fc-list', 'echo "Noto Sans CJK SC"');
  return bin;
}

describe('render-check writes beside the run folders, never into one', () => {
  it('puts the PNGs in <reports>/render-check/<run>/ and leaves the published run folder as it was', () => {
    const reports = tempDir('recon-render-reports-');
    const run = path.join(reports, 'runs', '20261201-204547-083-6f5d');
    fs.mkdirSync(path.join(run, 'worklists', '虎丘区'), { recursive: true });
    for (const f of ['ledger.xlsx', 'summary.html', 'worklists/虎丘区/枫桥街道.xlsx', 'run.json']) fs.writeFileSync(path.join(run, f), 'x');
    fs.symlinkSync(path.join('runs', path.basename(run)), path.join(reports, 'latest'));
    const before = tree(run);

    const result = renderCheck({ reports, env: { PATH: `${fakeTools()}:/usr/bin:/bin` }, timeoutSeconds: 30 });

    expect(result.renderDir).toBe(path.join(reports, 'render-check', path.basename(run)));
    expect(tree(run)).toEqual(before);
    expect(result.made.map((f) => path.relative(result.renderDir, f))).toEqual([
      'ledger-1.png',
      'ledger-2.png',
      'worklist-1.png',
      'worklist-2.png',
      'summary.png',
      'summary-print-1.png',
      'summary-print-2.png',
    ]);
    for (const f of result.made) expect(fs.existsSync(f), f).toBe(true);
    // A second check of the same run replaces the first one's images.
    fs.writeFileSync(path.join(result.renderDir, 'stale.png'), 'old');
    renderCheck({ reports, env: { PATH: `${fakeTools()}:/usr/bin:/bin` }, timeoutSeconds: 30 });
    expect(fs.existsSync(path.join(result.renderDir, 'stale.png'))).toBe(false);
  });

  it('renderDirFor is outside every run folder', () => {
    const dir = renderDirFor('/srv/reports', '/srv/reports/runs/R1');
    expect(dir).toBe('/srv/reports/render-check/R1');
    expect(path.relative('/srv/reports/runs', dir).startsWith('..')).toBe(true);
  });
});
